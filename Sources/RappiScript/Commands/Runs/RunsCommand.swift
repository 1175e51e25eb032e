import RappiWorkspace

/// `runs` — the recorded script runs, newest last.
public enum RunsCommand: RappiCommand {
    public static let signature = CommandSignature(
        "runs", area: "workspace", summary: "List recorded runs (scripts, -c lines, REPL sessions) with their status.",
        options: [OptionSpec("limit", .integer, default: "20", help: "how many recent runs to show")],
        publishes: ["runs"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let limit = try call.int("limit")!
        guard limit > 0 else { throw call.error("option 'limit' must be at least 1", at: "limit") }
        let runs = try context.workspace().runs(limit: limit)
        guard !runs.isEmpty else { return CommandResult("no runs recorded yet", values: [("runs", .int(0))]) }
        var table = TextTable(["id", "kind", "source", "status", "cells", "started", "parameters"])
        table.maxCellWidth = 40
        for run in runs {
            table.add([String(run.id), run.kind, run.source, run.status, String(run.cells),
                       Timestamp.short(run.startedAt), run.parametersJSON == "{}" ? "" : run.parametersJSON])
        }
        return CommandResult(table.render(), values: [("runs", .int(runs.count))])
    }
}
