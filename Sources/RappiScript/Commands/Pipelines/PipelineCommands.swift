import Foundation
import RappiDeploy
import RappiWorkspace

/// `pipelines`
public enum PipelinesCommand: RappiCommand {
    public static let signature = CommandSignature(
        "pipelines", area: "pipelines", summary: "List pipeline definitions (latest version of each), whether published, and their last run.",
        publishes: ["pipelines"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let definitions = try workspace.pipelines()
        guard !definitions.isEmpty else {
            return CommandResult("no pipelines yet — define one with `pipeline NAME(param=default) { … }`", values: [("pipelines", .int(0))])
        }
        var table = TextTable(["name", "version", "parameters", "steps", "published", "last run"])
        table.maxCellWidth = 48
        for definition in definitions {
            let published = try workspace.publishedPipelineIfPresent(definition.name).map { "v\($0.pipelineVersion) \($0.id)" } ?? ""
            let last = try workspace.pipelineRuns(pipeline: definition.name, limit: 1).last.map { "\($0.id) \($0.status)" } ?? ""
            table.add([definition.name, "v\(definition.version)",
                       definition.parameters.map { "\($0.name)=\($0.defaultValue)" }.joined(separator: ", "),
                       String(definition.steps.count), published, last])
        }
        return CommandResult(table.render(), values: [("pipelines", .int(definitions.count))])
    }
}

/// `pipeline NAME [vN]` — show a definition.
public enum PipelineShowCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.pipeline), help: "a pipeline")
    static let version = CommandArgument<VersionSelector?>("version", help: "v2 (default: the latest)")

    public static let signature = CommandSignature(
        "pipeline", area: "pipelines",
        summary: "Show a pipeline: parameters, steps, versions, publication. Define one with `pipeline NAME(p=default) { … }`.",
        pattern: [
            name.spec,
            .optional([version.spec]),
        ],
        publishes: ["pipeline", "pipeline_version"],
        examples: ["pipeline titanic_train", "pipeline titanic_train(version=latest, trees=200) { load dataset titanic $version; train rf trees=$trees; register }"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let name = try call.value(Self.name)
        var number: Int?
        if case .number(let n)? = try call.value(Self.version) { number = n }
        let definition = try workspace.pipeline(name, version: number)
        var lines = ["pipeline \(definition.signature) v\(definition.version) of \(try workspace.pipelineVersionCount(name)), defined \(Timestamp.short(definition.createdAt))"]
        for (index, step) in definition.steps.enumerated() { lines.append("  \(index + 1). \(step.statement)") }
        if let published = try workspace.publishedPipelineIfPresent(name) {
            lines.append("published as \(published.id) (runs v\(published.pipelineVersion)): POST /api/pipelines/\(name)/runs")
        }
        return CommandResult(lines.joined(separator: "\n"), values: [("pipeline", .string(name)), ("pipeline_version", .int(definition.version))])
    }
}

/// `run pipeline NAME [on COMPUTE] [reuse=false] [timeout=SECONDS] [PARAM=VALUE …]`
public enum RunPipelineCommand: RappiCommand {
    public static let allowedInPipelines = false
    static let name = CommandArgument<String>("name", kind: .stored(.pipeline), help: "a pipeline")
    static let compute = CommandArgument<String?>("compute", kind: .stored(.compute), help: "a compute target (default: local)")
    static let reuse = CommandOption("reuse", default: true, help: "reuse steps whose inputs match an earlier successful step")
    static let timeout = CommandOption("timeout", default: PipelineRun.defaultTimeoutSeconds, .positive,
                                       help: "seconds the run may execute before it is stopped and failed")

    public static let signature = CommandSignature(
        "run pipeline", area: "pipelines",
        summary: "Run a pipeline on a compute target and print its steps as they go; equal steps from earlier runs are reused.",
        pattern: [
            name.spec,
            .optional([.keyword("on"), compute.spec]),
        ],
        options: [reuse.spec, timeout.spec],
        publishes: ["run_id", "run_status", "steps_reused"],
        examples: ["run pipeline titanic_train version=0", "run pipeline titanic_train on cpu-cluster trees=300 reuse=false"],
        acceptsParameters: true, publishesRunOutputs: true)

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let definition = try workspace.pipeline(try call.value(Self.name))
        let parameters = try definition.resolve(try call.tags().map { ($0.key, $0.value) })
        if let problem = PipelineParameterCheck.problem(in: definition, values: parameters, table: context.table) {
            throw CommandFailure(problem.message)
        }
        let compute = try call.value(Self.compute) ?? "local"
        if try workspace.computeTarget(compute).cluster != nil, WorkspaceServerRecord.live(in: workspace.directory) == nil {
            throw call.error("""
                compute \(compute) is a Ray cluster: its workers reach the workspace through the workspace server — \
                start `rappi serve` first (with --advertise-url when the nodes are other machines)
                """, at: "compute")
        }
        let timeout = try call.value(Self.timeout)
        let runID = try workspace.enqueuePipelineRun(definition, parameters: parameters, compute: compute,
                                                     reuse: try call.value(reuse), trigger: context.session.runID == nil ? "repl" : "script",
                                                     timeoutSeconds: timeout)
        context.session.liveOutput?("run \(runID): \(definition.name) v\(definition.version) on \(compute)"
            + (parameters.isEmpty ? "" : " with " + parameters.map { "\($0.name)=\($0.value)" }.joined(separator: " ")))
        let view = try PipelineLauncher(context: context).runToEnd(runID)
        return try RunResult.finish(view)
    }
}

/// How a statement that followed a run ends: its result, or a failure carrying the run's reason.
enum RunResult {
    static func finish(_ view: RunView) throws -> CommandResult {
        let result = view.result()
        guard view.status == "succeeded" else {
            throw CommandFailure("run \(view.id) \(view.status): \(view.error ?? "see `run show \(view.id)`")")
        }
        return result
    }
}

/// `run show ID`
public enum RunShowCommand: RappiCommand {
    static let id = CommandArgument<Int>("id", help: "a pipeline run id")
    static let logs = CommandOption("logs", default: false, help: "print each step's output too")

    public static let signature = CommandSignature(
        "run show", area: "pipelines", summary: "Show a pipeline run: status, parameters, steps with timings, outputs and errors.",
        pattern: [id.spec],
        options: [logs.spec],
        publishes: ["run_id", "run_status", "steps_reused"], publishesRunOutputs: true)

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let id = try call.value(Self.id)
        let run = try workspace.pipelineRun(id)
        let steps = try workspace.pipelineSteps(id)
        var result = RunView(run, steps: steps).result()
        let parameters = run.parameters.isEmpty ? "none" : run.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        var times = "queued \(Timestamp.short(run.queuedAt))"
        if let started = run.startedAt { times += ", started \(Timestamp.short(started))" }
        if let ended = run.endedAt { times += ", ended \(Timestamp.short(ended))" }
        let log = PipelineRunExecutor.logFile(workspace: workspace.directory, run: id).path
        var extra = ["  parameters: \(parameters)", "  \(times), trigger \(run.trigger)", "  log: \(log)"]
        if try call.value(logs) {
            for step in steps where !(step.log ?? "").isEmpty {
                extra.append("--- step \(step.step): \(step.statement)")
                extra.append(step.log!)
            }
            // The worker's own output — for a run on Ray, the Ray job's log.
            if let data = FileManager.default.contents(atPath: log), !data.isEmpty {
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                extra.append("--- worker log" + (lines.count > 200 ? " (last 200 of \(lines.count) lines)" : ""))
                extra.append(lines.suffix(200).joined(separator: "\n"))
            }
        }
        result.output += "\n" + extra.joined(separator: "\n")
        return result
    }
}

/// `run wait ID [timeout=SECONDS]`
public enum RunWaitCommand: RappiCommand {
    public static let allowedInPipelines = false
    static let id = CommandArgument<Int>("id", help: "a pipeline run id")
    static let timeout = CommandOption("timeout", default: 3600.0, .positive, help: "give up waiting after this many seconds")

    public static let signature = CommandSignature(
        "run wait", area: "pipelines", summary: "Wait for a pipeline run to finish, printing its steps; fails if the run fails.",
        pattern: [id.spec],
        options: [timeout.spec],
        publishes: ["run_id", "run_status", "steps_reused"], publishesRunOutputs: true)

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let id = try call.value(Self.id)
        let timeout = try call.value(Self.timeout)
        let workspace = try context.workspace()
        let run = try workspace.pipelineRun(id)
        if run.status == "queued", WorkspaceServerRecord.live(in: workspace.directory) == nil {
            // Nobody else will execute it: do it here.
            return try RunResult.finish(try PipelineLauncher(context: context).runToEnd(id))
        }
        let view = try PipelineLauncher(context: context).follow(id, progress: RunProgress(emit: context.session.liveOutput), timeout: timeout)
        if Interrupt.isRequested, !view.isFinished {
            // Waiting was someone else's run: Ctrl-C stops the wait, not the run — say so.
            throw call.error("stopped waiting (Ctrl-C): run \(id) is still \(view.status) — `run wait \(id)` to follow it again, `run cancel \(id)` to stop it", at: "id")
        }
        guard view.isFinished else {
            throw CommandFailure("run \(id) is still \(view.status) after \(Value.format(timeout)) s — wait again, or `run cancel \(id)`")
        }
        return try RunResult.finish(view)
    }
}

/// `run cancel ID`
public enum RunCancelCommand: RappiCommand {
    static let id = CommandArgument<Int>("id", help: "a pipeline run id")

    public static let signature = CommandSignature(
        "run cancel", area: "pipelines", summary: "Cancel a queued run, or stop a running one (its worker is killed).",
        pattern: [id.spec],
        publishes: ["run_status"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let id = try call.value(Self.id)
        let workspace = try context.workspace()
        var status = try workspace.cancelPipelineRun(id)
        if status == "cancelling" {
            // The executor notices within a quarter second; wait briefly for it to confirm.
            for _ in 0..<40 where !(try workspace.pipelineRun(id).isFinished) { usleep(100_000) }
            status = try workspace.pipelineRun(id).status
            if status == "running" { status = "cancelling" }
        }
        let text: String
        switch status {
        case "cancelled": text = "run \(id) cancelled"
        case "cancelling": text = "run \(id): cancel requested; its executor will stop it"
        default: text = "run \(id) had already ended: \(status)"
        }
        return CommandResult(text, values: [("run_status", .string(status))])
    }
}
