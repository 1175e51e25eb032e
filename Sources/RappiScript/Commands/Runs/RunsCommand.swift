import RappiWorkspace

/// `runs` — the recorded script runs, newest last.
public enum RunsCommand: RappiCommand {
    static let limit = CommandOption("limit", default: 20, .atLeast(1), help: "how many recent runs to show")
    static let pipeline = CommandArgument<String?>("pipeline", kind: .stored(.pipeline), help: "a pipeline")

    public static let signature = CommandSignature(
        "runs", area: "workspace",
        summary: "List recorded runs (scripts, -c lines, REPL sessions, pipeline runs) with their status; `runs pipeline NAME` for one pipeline's runs.",
        pattern: [.optional([.keyword("pipeline"), pipeline.spec])],
        options: [limit.spec],
        publishes: ["runs"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let limit = try call.value(limit)
        if let pipeline = try call.value(Self.pipeline) {
            return try pipelineRuns(pipeline, limit: limit, context)
        }
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

    private static func pipelineRuns(_ name: String, limit: Int, _ context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        _ = try workspace.pipeline(name)
        let runs = try workspace.pipelineRuns(pipeline: name, limit: limit)
        guard !runs.isEmpty else { return CommandResult("pipeline \(name) has not run yet — `run pipeline \(name)`", values: [("runs", .int(0))]) }
        var table = TextTable(["id", "version", "compute", "status", "steps", "reused", "queued", "parameters", "error"])
        table.maxCellWidth = 48
        for run in runs {
            let steps = try workspace.pipelineSteps(run.id)
            table.add([String(run.id), "v\(run.pipelineVersion)", run.compute, run.status, String(steps.count),
                       String(steps.filter { $0.status == "reused" }.count), Timestamp.short(run.queuedAt),
                       run.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: " "), run.error ?? ""])
        }
        return CommandResult(table.render(), values: [("runs", .int(runs.count))])
    }
}
