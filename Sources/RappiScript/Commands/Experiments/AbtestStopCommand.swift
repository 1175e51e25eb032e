import RappiDeploy
import RappiWorkspace

/// `abtest stop NAME` — stops the router after it has stored every assignment and outcome.
public enum AbtestStopCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.experiment), help: "an experiment from `abtests`")

    public static let signature = CommandSignature(
        "abtest stop", area: "experiments",
        summary: "Stop an experiment's router; it drains and stores all it has buffered first. The report keeps working.",
        pattern: [name.spec],
        publishes: ["experiment", "ab_requests", "ab_outcomes"],
        examples: ["abtest stop titanic"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let workspace = try context.workspace()
        let experiment = try workspace.experiment(name)
        let wasRunning = experiment.status != "stopped"
        try ExperimentRouterProcess(workspace: workspace).stop(experiment)
        if wasRunning { try workspace.markExperimentStopped(name) }
        let requests = try workspace.experimentRequestCount(name), outcomes = try workspace.experimentOutcomeCount(name)
        let head = wasRunning ? "stopped experiment \(name)" : "experiment \(name) was already stopped"
        return CommandResult("\(head): \(requests) assignments and \(outcomes) outcomes stored — `abtest report \(name)` for the results",
                             values: [("experiment", .string(name)), ("ab_requests", .int(requests)), ("ab_outcomes", .int(outcomes))])
    }
}
