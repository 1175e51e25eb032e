import Foundation
import RappiML

/// The durable run queue. Every state change is one `BEGIN IMMEDIATE` transaction, so any number
/// of executors (the workspace server, a REPL running a pipeline itself) can share it: a run is
/// claimed by exactly one, and a compute target never runs more than its `max-jobs` at once.
extension Workspace {
    /// Queues a run with its planned steps (status `pending`). Returns the run id.
    public func enqueuePipelineRun(_ definition: PipelineDefinition, parameters: [(name: String, value: String)],
                                   compute: String, reuse: Bool, trigger: String,
                                   timeoutSeconds: Double = PipelineRun.defaultTimeoutSeconds) throws -> Int {
        _ = try computeTarget(compute)
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else {
            throw WorkspaceError("a run's timeout must be a positive number of seconds, got \(timeoutSeconds)")
        }
        let parametersJSON = JSONText.object(parameters.map { ($0.name, JSONText.quote($0.value)) })
        let runID = try beginRun(kind: "pipeline", source: "\(definition.name) v\(definition.version)",
                                 scriptText: definition.body, parametersJSON: parametersJSON,
                                 baseDirectory: definition.baseDirectory, status: "queued")
        try database.writeTransaction {
            try database.run("""
                INSERT INTO pipeline_runs (run_id, pipeline, pipeline_version, compute, reuse, trigger, queued_at, timeout_seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [SQLValue(runID), .text(definition.name), SQLValue(definition.version), .text(compute),
                      SQLValue(reuse ? 1 : 0), .text(trigger), .text(Timestamp.now()), .real(timeoutSeconds)])
            for (index, step) in definition.steps.enumerated() {
                try database.run("INSERT INTO pipeline_steps (run_id, step, kind, statement, status) VALUES (?, ?, ?, ?, 'pending')",
                                 [SQLValue(runID), SQLValue(index + 1), .text(step.kind), .text(step.statement)])
            }
        }
        return runID
    }

    /// Claims the oldest queued run (or only `runID`) whose compute target has a free slot,
    /// marking it running for `executorPID`. Nil when nothing can start now.
    public func claimPipelineRun(executorPID: Int, only runID: Int? = nil) throws -> PipelineRun? {
        try database.writeTransaction {
            let filter = runID == nil ? "" : "AND p.run_id = \(runID!)"
            let candidates = try database.query("""
                SELECT p.run_id FROM pipeline_runs p JOIN runs r ON r.id = p.run_id
                JOIN compute_targets c ON c.name = p.compute
                WHERE r.status = 'queued' \(filter)
                  AND (SELECT COUNT(*) FROM pipeline_runs q JOIN runs s ON s.id = q.run_id
                       WHERE q.compute = p.compute AND s.status = 'running') < c.max_jobs
                ORDER BY p.run_id LIMIT 1
                """)
            guard let id = candidates.first?[0].int else { return nil }
            try database.run("UPDATE runs SET status = 'running', started_at = ?, error = NULL WHERE id = ?",
                             [.text(Timestamp.now()), SQLValue(id)])
            try database.run("UPDATE pipeline_runs SET executor_pid = ?, worker_pid = NULL, attempt = attempt + 1 WHERE run_id = ?",
                             [SQLValue(executorPID), SQLValue(id)])
            return try pipelineRunIfPresent(id)
        }
    }

    public func setWorkerPID(_ runID: Int, _ pid: Int) throws {
        try database.run("UPDATE pipeline_runs SET worker_pid = ? WHERE run_id = ?", [SQLValue(pid), SQLValue(runID)])
    }

    public func markStepRunning(_ runID: Int, step: Int) throws {
        try database.run("UPDATE pipeline_steps SET status = 'running', started_at = ?, error = NULL WHERE run_id = ? AND step = ?",
                         [.text(Timestamp.now()), SQLValue(runID), SQLValue(step)])
    }

    public func finishStep(_ runID: Int, step: Int, _ outcome: StepOutcome) throws {
        try database.run("""
            UPDATE pipeline_steps SET status = ?, fingerprint = ?, reused_from = ?, duration_ms = ?, values_json = ?,
                   state_json = ?, log = ?, error = ? WHERE run_id = ? AND step = ?
            """, [.text(outcome.status), SQLValue(outcome.fingerprint), outcome.reusedFrom.map(SQLValue.init) ?? .null,
                  .real(outcome.durationMilliseconds), .text(outcome.valuesJSON), SQLValue(outcome.stateJSON),
                  SQLValue(outcome.log), SQLValue(outcome.error), SQLValue(runID), SQLValue(step)])
    }

    /// The latest successful step with this fingerprint (executed or itself reused).
    public func reusableStep(fingerprint: String) throws -> PipelineStep? {
        try database.query("""
            SELECT \(Self.stepColumns) FROM pipeline_steps
            WHERE fingerprint = ? AND status IN ('succeeded', 'reused') AND state_json IS NOT NULL
            ORDER BY run_id DESC LIMIT 1
            """, [.text(fingerprint)]).first.map(Self.pipelineStep)
    }

    /// Ends a running run. Steps that never ran are marked `skipped`, and a step still running —
    /// the one the run died in, e.g. killed for its memory — `failed` (both `cancelled` for a
    /// cancelled run).
    /// Returns false when the run was no longer running (already finished or requeued).
    @discardableResult
    public func finishPipelineRun(_ runID: Int, status: String, error: String?, outputsJSON: String) throws -> Bool {
        try database.writeTransaction {
            let changed = try database.run("UPDATE runs SET status = ?, error = ?, ended_at = ? WHERE id = ? AND status = 'running'",
                                           [.text(status), SQLValue(error), .text(Timestamp.now()), SQLValue(runID)])
            guard changed == 1 else { return false }
            try database.run("UPDATE pipeline_runs SET outputs_json = ? WHERE run_id = ?", [.text(outputsJSON), SQLValue(runID)])
            let cancelled = status == "cancelled"
            try database.run("""
                UPDATE pipeline_steps SET status = CASE status WHEN 'running' THEN ? ELSE ? END
                WHERE run_id = ? AND status IN ('pending', 'running')
                """, [.text(cancelled ? "cancelled" : "failed"), .text(cancelled ? "cancelled" : "skipped"), SQLValue(runID)])
            return true
        }
    }

    /// Cancels a queued run at once; asks the executor of a running run to stop it.
    /// Returns the run's status after the request.
    public func cancelPipelineRun(_ runID: Int) throws -> String {
        try database.writeTransaction {
            guard let run = try pipelineRunIfPresent(runID) else { throw WorkspaceError("no pipeline run \(runID) — list them with `runs`") }
            switch run.status {
            case "queued":
                try database.run("UPDATE runs SET status = 'cancelled', error = 'cancelled before it started', ended_at = ? WHERE id = ?",
                                 [.text(Timestamp.now()), SQLValue(runID)])
                try database.run("UPDATE pipeline_steps SET status = 'cancelled' WHERE run_id = ?", [SQLValue(runID)])
                return "cancelled"
            case "running":
                try database.run("UPDATE pipeline_runs SET cancel_requested = 1 WHERE run_id = ?", [SQLValue(runID)])
                return "cancelling"
            default:
                return run.status
            }
        }
    }

    /// Puts an interrupted run back in the queue for another attempt; finished steps are reused
    /// by fingerprint, so it resumes rather than starting over.
    public func requeuePipelineRun(_ runID: Int, reason: String) throws {
        try database.writeTransaction {
            try database.run("UPDATE runs SET status = 'queued', error = ? WHERE id = ? AND status = 'running'",
                             [.text(reason), SQLValue(runID)])
            try database.run("UPDATE pipeline_runs SET executor_pid = NULL, worker_pid = NULL WHERE run_id = ?", [SQLValue(runID)])
            try database.run("UPDATE pipeline_steps SET status = 'pending' WHERE run_id = ? AND status = 'running'", [SQLValue(runID)])
        }
    }

    /// Runs marked running, for recovery after a crash.
    public func runningPipelineRuns() throws -> [PipelineRun] {
        try database.query("SELECT \(Self.runColumns) FROM \(Self.runTables) WHERE r.status = 'running' ORDER BY r.id")
            .map(Self.pipelineRun)
    }

    public func pipelineRunIfPresent(_ id: Int) throws -> PipelineRun? {
        try database.query("SELECT \(Self.runColumns) FROM \(Self.runTables) WHERE r.id = ?", [SQLValue(id)]).first.map(Self.pipelineRun)
    }

    public func pipelineRun(_ id: Int) throws -> PipelineRun {
        guard let run = try pipelineRunIfPresent(id) else {
            throw WorkspaceError("no pipeline run \(id) — list them with `runs` (pipeline runs show the pipeline's name)")
        }
        return run
    }

    /// Pipeline runs, newest last; only `pipeline`'s when given.
    public func pipelineRuns(pipeline: String? = nil, limit: Int = 50) throws -> [PipelineRun] {
        let filter = pipeline == nil ? "" : "WHERE p.pipeline = ?"
        let parameters: [SQLValue] = (pipeline.map { [SQLValue.text($0)] } ?? []) + [SQLValue(limit)]
        return try database.query("SELECT \(Self.runColumns) FROM \(Self.runTables) \(filter) ORDER BY r.id DESC LIMIT ?", parameters)
            .map(Self.pipelineRun).reversed()
    }

    public func pipelineSteps(_ runID: Int) throws -> [PipelineStep] {
        try database.query("SELECT \(Self.stepColumns) FROM pipeline_steps WHERE run_id = ? ORDER BY step", [SQLValue(runID)])
            .map(Self.pipelineStep)
    }

    private static let runTables = "runs r JOIN pipeline_runs p ON p.run_id = r.id"
    private static let runColumns = """
        r.id, p.pipeline, p.pipeline_version, p.compute, p.reuse, p.trigger, r.parameters_json, r.status, r.error,
        p.queued_at, r.started_at, r.ended_at, p.executor_pid, p.worker_pid, p.attempt, p.cancel_requested, p.outputs_json,
        p.timeout_seconds
        """
    private static let stepColumns = """
        run_id, step, kind, statement, status, fingerprint, reused_from, started_at, duration_ms, values_json, state_json, log, error
        """

    private static func pipelineRun(_ row: [SQLValue]) throws -> PipelineRun {
        let status = try row.text(7, "runs.status")
        let parameters = JSONText.flatFields(row[6].string ?? "{}").map { field in
            (name: field.key, value: ((try? JSONSerialization.jsonObject(with: Data(field.value.utf8), options: .fragmentsAllowed)) as? String) ?? field.value)
        }
        return PipelineRun(
            id: try row.integer(0, "pipeline_runs.id"), pipeline: try row.text(1, "pipeline_runs.pipeline"), pipelineVersion: try row.integer(2, "pipeline_runs.pipeline_version"), compute: try row.text(3, "pipeline_runs.compute"),
            reuse: row[4].int == 1, trigger: row[5].string ?? "", parameters: parameters, status: status, error: row[8].string,
            queuedAt: row[9].string ?? "", startedAt: status == "queued" ? nil : row[10].string, endedAt: row[11].string,
            executorPID: row[12].int, workerPID: row[13].int, attempt: row[14].int ?? 0, cancelRequested: row[15].int == 1,
            outputsJSON: row[16].string ?? "{}", timeoutSeconds: row[17].double ?? PipelineRun.defaultTimeoutSeconds)
    }

    private static func pipelineStep(_ row: [SQLValue]) throws -> PipelineStep {
        PipelineStep(runID: try row.integer(0, "pipeline_steps.run_id"), step: try row.integer(1, "pipeline_steps.step"), kind: try row.text(2, "pipeline_steps.kind"), statement: try row.text(3, "pipeline_steps.statement"), status: try row.text(4, "pipeline_steps.status"),
                     fingerprint: row[5].string, reusedFrom: row[6].int, startedAt: row[7].string, durationMilliseconds: row[8].double,
                     valuesJSON: row[9].string ?? "{}", stateJSON: row[10].string, log: row[11].string, error: row[12].string)
    }
}
