import RappiML
import RappiWorkspace

/// `model NAME [vN|stage]` — one version in full: hash, stage, parameters, metrics, lineage.
public enum ModelCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.model), help: "a registered model")

    public static let signature = CommandSignature(
        "model", area: "registry", summary: "Show a registered model version: hash, stage, parameters, metrics, tags and lineage.",
        pattern: [
            name.spec,
            .optional([ModelSelection.version.spec]),
        ],
        publishes: ["model", "model_version", "model_hash"],
        examples: ["model titanic_rf", "model titanic_rf v2", "model titanic_rf:v2", "model titanic_rf production"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let (name, selector) = try ModelSelection.resolve(call, name: Self.name)
        let workspace = try context.workspace()
        let version = try workspace.modelVersion(name, selector)
        let model = try ModelFile.decode(try workspace.loadModelBytes(version))
        var lines = [
            "\(name) v\(version.version)  (\(version.stage == "none" ? "no stage" : version.stage))",
            "  algorithm   \(version.algorithm)",
            "  sha256      \(version.contentHash)",
            "  created     \(Timestamp.short(version.createdAt))" + (version.runID.map { " by run \($0)" } ?? ""),
            "  parameters  \(ModelJSON.pairs(version.parametersJSON))",
            "  metrics     \(version.metricsJSON == "{}" ? "not evaluated" : ModelJSON.pairs(version.metricsJSON, rounded: true))",
            "  classes     \(model.classes.joined(separator: ", ")) (target \(model.target.column))",
            "  inputs      \(model.preprocessor.inputs.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", "))",
            "  features    \(model.preprocessor.featureNames.count)",
        ]
        if version.tagsJSON != "{}" { lines.append("  tags        \(ModelJSON.pairs(version.tagsJSON))") }
        lines.append("  lineage     " + model.lineage.map { "\($0.name)=\($0.value)" }.joined(separator: "\n              "))
        return CommandResult(lines.joined(separator: "\n"), values: [
            ("model", .string(name)), ("model_version", .int(version.version)), ("model_hash", .string(version.contentHash)),
        ])
    }
}

/// A model name followed by `[vN|latest|staging|production]`, or written `NAME:v2` as `deploy` takes it.
enum ModelSelection {
    static let version = CommandArgument<String?>("version", help: "v2, latest, staging or production (default: latest)")

    static func resolve(_ call: BoundCall, name argument: CommandArgument<String>) throws -> (name: String, selector: ModelSelector) {
        let (name, attached) = try ModelReference.parse(try call.value(argument))
        guard let text = try call.value(version) else { return (name, attached ?? .version(.latest)) }
        guard attached == nil else {
            throw call.error("the version is given twice — write \(name):\(text) or \(name) \(text), not both", at: "version")
        }
        guard let selector = ModelSelector(text) else {
            throw call.error("expected a version (v2, latest) or a stage (staging, production), got '\(text)'", at: "version")
        }
        return (name, selector)
    }
}
