import RappiML
import RappiWorkspace

/// `load model NAME [vN|stage]` — a registered model becomes the current model again.
public enum LoadModelCommand: RappiCommand {
    public static let runsOnRemoteWorkers = true
    static let name = CommandArgument<String>("name", kind: .stored(.model), help: "a registered model")

    public static let signature = CommandSignature(
        "load model", area: "registry", summary: "Make a registered model version the current model (for predict, deploy, …).",
        pattern: [
            name.spec,
            .optional([ModelSelection.version.spec]),
        ],
        publishes: ["model", "model_version", "model_hash"],
        examples: ["load model titanic_rf", "load model titanic_rf:v2", "load model titanic_rf production"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let (name, selector) = try ModelSelection.resolve(call, name: Self.name)
        let workspace = try context.workspace()
        let version = try workspace.modelVersion(name, selector)
        let model = try ModelFile.decode(try workspace.loadModelBytes(version))
        let choice = EstimatorChoices.recorded(algorithm: model.algorithm, parameters: model.parameters, threads: context.session.threads)
        context.session.currentModel = CurrentModel(model: model, choice: choice, dataset: nil, split: nil,
                                                    evaluation: nil, registered: version)
        context.session.lastRegistered = version
        return CommandResult("loaded model \(name) v\(version.version) — \(model.algorithm), sha256 \(version.contentHash.prefix(12))", values: [
            ("model", .string(name)), ("model_version", .int(version.version)), ("model_hash", .string(version.contentHash)),
        ])
    }
}
