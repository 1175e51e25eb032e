import RappiWorkspace

/// `abtest split NAME 90/10` — changes the split of a running experiment for the next request.
public enum AbtestSplitCommand: RappiCommand {
    static let name = AbtestStopCommand.name
    static let split = CommandArgument<String>("split", kind: .text, help: "percent for A/B, as in 90/10")

    public static let signature = CommandSignature(
        "abtest split", area: "experiments",
        summary: "Change an experiment's traffic split live (the next request uses it); undoes a promotion.",
        pattern: [
            name.spec, split.spec,
        ],
        publishes: ["experiment", "split_a"],
        examples: ["abtest split titanic 90/10"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let splitA = try ExperimentVariants.split(try call.value(split), call: call, at: split.name)
        let experiment = try context.workspace().updateExperimentControl(name, splitA: splitA, promoted: .some(nil))
        let note = experiment.status == "running" ? "takes effect for the next request" : "the router is stopped; it applies when started again"
        return CommandResult("split of \(name) is now \(splitA)/\(100 - splitA) (A/B) — \(note)",
                             values: [("experiment", .string(name)), ("split_a", .int(splitA))])
    }
}
