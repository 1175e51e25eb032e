import RappiWorkspace

/// `abtest promote NAME [A|B]` — all traffic to the winner, or to the variant named.
public enum AbtestPromoteCommand: RappiCommand {
    public static let signature = CommandSignature(
        "abtest promote", area: "experiments",
        summary: "Send all of an experiment's traffic to the significantly better variant (or the one named), from the next request on.",
        pattern: [
            .argument(ArgumentSpec("name", .stored(.experiment), help: "an experiment from `abtests`")),
            .optional([.argument(ArgumentSpec("variant", .choice(["A", "B"]), help: "the variant to promote (default: the report's winner)"))]),
        ],
        publishes: ["experiment", "promoted"],
        examples: ["abtest promote titanic", "abtest promote titanic B"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.string("name")!
        let workspace = try context.workspace()
        let variant: String
        if let named = try call.string("variant") {
            variant = named
        } else {
            let report = try ExperimentReport(name, in: workspace)
            guard let winner = report.comparison.winner else {
                throw CommandFailure("\(name) has no winner to promote — \(report.comparison.verdict); to promote anyway, name the variant: `abtest promote \(name) A` or `abtest promote \(name) B`")
            }
            variant = winner
        }
        let experiment = try workspace.updateExperimentControl(name, promoted: .some(variant))
        let chosen = variant == "A" ? experiment.a : experiment.b
        let note = experiment.status == "running" ? "from the next request" : "when the router runs again (it is stopped)"
        return CommandResult("promoted \(variant) = \(ExperimentVariants.describe(chosen)) in \(name): all traffic goes to it \(note)",
                             values: [("experiment", .string(name)), ("promoted", .string(variant))])
    }
}
