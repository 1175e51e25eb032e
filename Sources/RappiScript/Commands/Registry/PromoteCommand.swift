import RappiWorkspace

/// `promote NAME vN to staging|production` — one version per stage; the previous holder is archived.
public enum PromoteCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.model), help: "a registered model")
    static let version = CommandArgument<VersionSelector>("version", help: "the version to promote, e.g. v2")
    static let stage = CommandArgument<ModelStage>("stage", help: "the stage")

    public static let signature = CommandSignature(
        "promote", area: "registry", summary: "Move a model version to staging or production (the version there before is archived).",
        pattern: [
            name.spec, version.spec, .keyword("to"), stage.spec,
        ],
        publishes: ["model", "model_version"],
        examples: ["promote titanic_rf v2 to production"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let workspace = try context.workspace()
        let number: Int
        switch try call.value(version) {
        case .number(let n): number = n
        case .latest: number = try workspace.modelVersion(name, .version(.latest)).version
        }
        let stage = try call.value(stage)
        let previous = try workspace.promoteModel(name, version: number, to: stage)
        var text = "\(name) v\(number) is now in \(stage.rawValue)"
        if let previous { text += " (v\(previous.version) moved from \(stage.rawValue) to archived)" }
        return CommandResult(text, values: [("model", .string(name)), ("model_version", .int(number))])
    }
}
