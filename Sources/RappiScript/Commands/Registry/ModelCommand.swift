import RappiML
import RappiWorkspace

/// `model NAME [vN|stage]` — one version in full: hash, stage, parameters, metrics, lineage.
public enum ModelCommand: RappiCommand {
    public static let signature = CommandSignature(
        "model", area: "registry", summary: "Show a registered model version: hash, stage, parameters, metrics, tags and lineage.",
        pattern: [
            .argument(ArgumentSpec("name", .name, help: "a registered model")),
            .optional([.argument(ArgumentSpec("version", .text, help: "v2, latest, staging or production (default: latest)"))]),
        ],
        publishes: ["model", "model_version", "model_hash"],
        examples: ["model titanic_rf", "model titanic_rf v2", "model titanic_rf production"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.string("name")!
        let selector = try ModelSelection.selector(call)
        let workspace = try context.workspace()
        let version = try workspace.modelVersion(name, selector)
        let model = try ModelFile.decode(try workspace.loadModelBytes(version))
        var lines = [
            "\(name) v\(version.version)  (\(version.stage == "none" ? "no stage" : version.stage))",
            "  algorithm   \(version.algorithm)",
            "  sha256      \(version.contentHash)",
            "  created     \(Timestamp.short(version.createdAt))" + (version.runID.map { " by run \($0)" } ?? ""),
            "  parameters  \(ModelJSON.pairs(version.parametersJSON))",
            "  metrics     \(version.metricsJSON == "{}" ? "not evaluated" : ModelJSON.pairs(version.metricsJSON))",
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

/// `[vN|latest|staging|production]` after a model name.
enum ModelSelection {
    static func selector(_ call: BoundCall) throws -> ModelSelector {
        guard let text = try call.string("version") else { return .version(.latest) }
        guard let selector = ModelSelector(text) else {
            throw call.error("expected a version (v2, latest) or a stage (staging, production), got '\(text)'", at: "version")
        }
        return selector
    }
}
