/// `replay RUN` — re-execute a recorded script run and report what is identical and what differs.
public enum ReplayCommand: RappiCommand {
    static let run = CommandArgument<Int>("run", help: "a run id from `runs`")

    public static let signature = CommandSignature(
        "replay", area: "workspace",
        summary: "Re-run a recorded script against the dataset versions it resolved; compare values and models (live endpoints are left alone).",
        pattern: [run.spec],
        publishes: ["replay_identical", "replay_different", "replay_skipped", "replay_environment"],
        examples: ["replay 3"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let runID = try call.value(run)
        if runID == context.session.runID { throw call.error("run \(runID) is this run — replay an earlier one", at: "run") }
        let replayer = Replayer(workspace: try context.workspace(), workspaceDirectory: context.session.workspaceDirectory)
        let report = try replayer.replay(runID: runID)
        let result = CommandResult(report.text, values: [
            ("replay_identical", .int(report.identicalValues)), ("replay_different", .int(report.differences.count)),
            ("replay_skipped", .int(report.skipped.count)), ("replay_environment", .int(report.environment.count)),
        ])
        guard report.identical else { throw CommandFailure(report.text) }
        return result
    }
}
