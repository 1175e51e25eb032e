import Foundation
import RappiML
import RappiONNX
import RappiWorkspace

/// `register from FILE.onnx as NAME [target=COLUMN]` — an ONNX classifier (scikit-learn via
/// skl2onnx, or a rappi export) becomes the next version of NAME and the current model.
public enum RegisterONNXCommand: RappiCommand {
    static let target = CommandOption<String?>("target", kind: .name,
                                               help: "the name of the predicted column (default: the export's target, else 'label')")
    static let name = CommandArgument<String>("name", kind: .name, help: "the model's name")
    static let path = CommandArgument<String>("path", kind: .path, help: "the .onnx file")

    public static let signature = CommandSignature(
        "register from", area: "registry",
        summary: "Import an ONNX classifier (skl2onnx random forest, logistic regression, linear SVC; rappi exports) as the next version of NAME.",
        pattern: [
            path.spec,
            .keyword("as"),
            name.spec,
        ],
        options: [target.spec],
        publishes: ["model", "model_version", "model_hash"],
        examples: ["register from rf.onnx as sklearn_rf target=Survived", "register from titanic_rf.onnx as titanic_rf_copy"],
        acceptsTags: true)

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let url = try call.path(Self.path)
        let name = try call.value(Self.name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw call.error("cannot read \(url.path) — no such file, or not readable", at: "path")
        }
        let bytes = Array(data)
        let hash = bytes.withUnsafeBytes(ArtifactStore.hash)
        let model: TrainedModel
        do {
            model = try ONNXImport.model(bytes, target: try call.value(target), lineage: [
                ("source", "onnx"), ("onnx_file", url.lastPathComponent), ("onnx_sha256", hash),
            ])
        } catch let error as ONNXImportError {
            throw CommandFailure("cannot import \(url.lastPathComponent): \(error.message)")
        } catch let error as ONNXDecodingError {
            throw CommandFailure("cannot import \(url.lastPathComponent): \(error.message)")
        }
        let (version, text) = try RegisterCommand.store(model, as: name, tags: try call.tags(), in: context)
        let choice = EstimatorChoices.recorded(algorithm: model.algorithm, parameters: model.parameters, threads: context.session.threads)
        context.session.currentModel = CurrentModel(model: model, choice: choice, dataset: nil, split: nil, evaluation: nil, registered: version)
        context.session.lastRegistered = version
        let inputs = model.preprocessor.inputs.map { "\($0.name) (\($0.type.rawValue))" }
        return CommandResult("""
            \(text)
              imported \(model.algorithm) from \(url.lastPathComponent): classes \(model.classes.joined(separator: ", ")), \(model.preprocessor.featureNames.count) features
              inputs   \(inputs.count > 8 ? inputs.prefix(8).joined(separator: ", ") + ", … (\(inputs.count))" : inputs.joined(separator: ", "))
            """, values: [
            ("model", .string(name)), ("model_version", .int(version.version)), ("model_hash", .string(version.contentHash)),
        ])
    }
}
