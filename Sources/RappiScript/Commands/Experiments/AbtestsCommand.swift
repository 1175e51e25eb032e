import RappiDeploy
import RappiWorkspace

/// `abtests` — every experiment with its variants, split, status and traffic so far.
public enum AbtestsCommand: RappiCommand {
    public static let signature = CommandSignature(
        "abtests", area: "experiments", summary: "List A/B experiments: variants, split, unit, status, requests and outcomes.",
        publishes: ["abtests", "abtests_running"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let experiments = try workspace.experiments()
        guard !experiments.isEmpty else {
            return CommandResult("no experiments — start one with `abtest start NAME A vs B`",
                                 values: [("abtests", .int(0)), ("abtests_running", .int(0))])
        }
        let router = ExperimentRouterProcess(workspace: workspace)
        var table = TextTable(["name", "A", "B", "split", "unit", "status", "requests", "outcomes", "url"])
        var running = 0
        for experiment in experiments {
            let live = router.isLive(experiment)
            if live { running += 1 }
            let status = live ? "running" : experiment.status == "stopped" ? "stopped" : "down"
            table.add([experiment.name, ExperimentVariants.describe(experiment.a), ExperimentVariants.describe(experiment.b),
                       experiment.splitText, experiment.unit ?? "-", status,
                       String(try workspace.experimentRequestCount(experiment.name)),
                       String(try workspace.experimentOutcomeCount(experiment.name)), experiment.url ?? "-"])
        }
        return CommandResult(table.render(), values: [("abtests", .int(experiments.count)), ("abtests_running", .int(running))])
    }
}
