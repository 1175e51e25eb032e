import Foundation
import RappiML
import RappiONNX
import RappiWorkspace

/// `export model NAME[:vN|:stage] to FILE.onnx [features=true]` — a registered version as an
/// ONNX model that runs in any ONNX runtime with rappi's answers (see `ONNXExport`).
public enum ExportModelCommand: RappiCommand {
    static let features = CommandOption("features", default: false,
                                        help: "take the feature vector as one input 'features' instead of one input per raw column (required for the titanic recipe)")
    static let path = CommandArgument<String>("path", kind: .path, help: "the .onnx file to write")
    static let name = CommandArgument<String>("name", kind: .stored(.model), help: "a registered model, as NAME, NAME:v2 or NAME:production (default: latest)")

    public static let signature = CommandSignature(
        "export model", area: "registry",
        summary: "Write a registered model version as an ONNX file (preprocessing, estimator, labels and probabilities).",
        pattern: [
            name.spec,
            .keyword("to"),
            path.spec,
        ],
        options: [features.spec],
        publishes: ["model", "model_version", "model_hash", "path", "bytes"],
        examples: ["export model titanic_rf to titanic_rf.onnx", "export model titanic_rf:v2 to rf.onnx features=true"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let (name, selector) = try ModelSelection.resolve(call, name: Self.name)
        let url = try call.path(Self.path)
        guard url.pathExtension.lowercased() == "onnx" else {
            throw call.error("the file must end in .onnx, got '\(url.lastPathComponent)' — e.g. \(name).onnx", at: "path")
        }
        let workspace = try context.workspace()
        let version = try workspace.modelVersion(name, selector)
        let model = try ModelFile.decode(try workspace.loadModelBytes(version))
        let metadata: [(key: String, value: String)] = [
            ("rappi_version", Workspace.rappiVersion), ("model", name), ("model_version", String(version.version)),
            ("model_hash", version.contentHash),
        ]
        let onnx: ONNXModel
        do {
            onnx = try ONNXExport.model(model, featuresInput: try call.value(features), metadata: metadata)
        } catch let error as ONNXExportError {
            throw CommandFailure("cannot export \(name) v\(version.version): \(error.message)")
        }
        var withVersion = onnx
        withVersion.producerVersion = Workspace.rappiVersion
        withVersion.modelVersion = Int64(version.version)
        let bytes = withVersion.serialized()
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(url.path): \(error.localizedDescription)")
        }
        let inputs = onnx.graph.inputs.map(\.name)
        let outputs = onnx.graph.outputs.map(\.name)
        let text = """
            exported \(name) v\(version.version) (\(model.algorithm)) to \(url.path) — \(bytes.count) bytes, ONNX opset \(ONNXExport.onnxOpset) + ai.onnx.ml \(ONNXExport.mlOpset)
              inputs   \(inputs.count > 8 ? inputs.prefix(8).joined(separator: ", ") + ", … (\(inputs.count))" : inputs.joined(separator: ", "))
              outputs  \(outputs.joined(separator: ", "))
            """
        return CommandResult(text, values: [
            ("model", .string(name)), ("model_version", .int(version.version)), ("model_hash", .string(version.contentHash)),
            ("path", .string(url.path)), ("bytes", .int(bytes.count)),
        ])
    }
}
