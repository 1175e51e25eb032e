import Foundation
import RappiWorkspace

/// Executes one claimed pipeline run on a Ray cluster: submits a Ray job (Jobs REST API) whose
/// entrypoint is `rappi pipeline-worker --server URL --run ID` — the worker reaches the workspace
/// only through the workspace server, with a worker token scoped to the run (passed in the job's
/// environment, not its command line) — and follows it: `run cancel` and a stopping server stop
/// the job; a job Ray reports FAILED fails the run with its exit code and log tail; a job still
/// waiting for a node after the target's queue timeout is stopped and fails the run ("no node has
/// N cores …"); a running worker silent past the heartbeat timeout counts as dead (requeued, failed
/// after three attempts). The job's log becomes the run's log (`run show ID logs=true`).
struct RayRunExecutor {
    let workspaceDirectory: URL
    let controlPlane: PipelineRunExecutor.ControlPlane
    private var tokens: WorkerTokens { controlPlane.tokens }
    private var heartbeatTimeout: Double { controlPlane.heartbeatTimeout }
    /// How often the job's status is read.
    var pollSeconds = 0.25

    func execute(_ run: PipelineRun, on target: ComputeTarget, cluster: RayCluster, executable: String,
                 poll: () -> PipelineRunExecutor.Stop?) throws -> String {
        let workspace = try Workspace(directory: workspaceDirectory)
        let ray = RayJobs(address: cluster.address)
        let token = tokens.issue(for: run.id)
        defer { tokens.revoke(run.id) }
        let rappi = cluster.rappiPath ?? executable
        let entrypoint = ([Self.quote(rappi), "pipeline-worker", "--server", Self.quote(controlPlane.server), "--run", String(run.id),
                           "--threads", String(target.threads), "--memory", String(target.memoryBytes)] + controlPlane.workerArguments)
            .joined(separator: " ")
        var body: [String: Any] = [
            "entrypoint": entrypoint,
            // Unique across workspaces sharing a cluster: the workspace's id, the run, the attempt.
            "submission_id": "rappi-\((try? workspace.identifier()) ?? "ws")-run\(run.id)-attempt\(run.attempt)-\(Workspace.randomHex(bytes: 3))",
            "entrypoint_num_cpus": target.threads,
            "runtime_env": ["env_vars": [PipelineRunExecutor.ControlPlane.tokenVariable: token, "SWIFT_BACKTRACE": "enable=no"]],
            "metadata": ["rappi_run": String(run.id), "rappi_pipeline": run.pipeline, "rappi_compute": target.name,
                         "rappi_workspace": workspaceDirectory.path],
        ]
        if target.memoryBytes > 0 { body["entrypoint_memory"] = target.memoryBytes }
        if !cluster.resources.isEmpty { body["entrypoint_resources"] = cluster.resources }
        let job: String
        do { job = try ray.submit(body) } catch {
            try workspace.finishPipelineRun(run.id, status: "failed", error: "could not submit the run to Ray: \(error)", outputsJSON: "{}")
            return "failed"
        }
        let log = PipelineRunExecutor.logFile(workspace: workspaceDirectory, run: run.id)
        try? PrivateFiles.makeFolder(log.deletingLastPathComponent())
        try? PrivateFiles.touch(log)
        try? Data("Ray job \(job) on \(cluster.address)\n".utf8).write(to: log)

        let submitted = Date()
        let deadline = submitted.addingTimeInterval(run.timeoutSeconds)
        var runningSince: Date?
        var state = RayJobs.Job(status: "PENDING", message: nil, exitCode: nil)
        var ending: (status: String, reason: String)?
        var requeueReason: String?
        var ticks = 0
        var stopRequested: Date?
        while true {
            if let current = try? ray.job(job) { state = current }
            if state.isTerminal { break }
            // A job stopped while it waits for resources may stay PENDING (its supervisor never
            // started: nothing ran), and rappi waits at most 15 s for any stopped job to end.
            if let stopRequested, state.status == "PENDING" || Date().timeIntervalSince(stopRequested) > 15 { break }
            if state.status == "RUNNING", runningSince == nil { runningSince = Date() }
            ticks += 1
            if ending == nil, requeueReason == nil {
                var stop = poll()
                if stop == nil, ticks % 4 == 0, (try? workspace.pipelineRun(run.id).cancelRequested) == true {
                    stop = .cancel("cancelled by `run cancel`")
                }
                switch stop {
                case .cancel(let reason)?: ending = ("cancelled", reason)
                case .requeue(let reason)?: requeueReason = reason
                case .timeout?: ending = ("failed", "timed out")
                case nil:
                    if Date() > deadline {
                        ending = ("failed", "timed out after \(PipelineRunExecutor.describeSeconds(run.timeoutSeconds)) — the Ray job was stopped; give it longer with `run pipeline \(run.pipeline) timeout=SECONDS`")
                    } else if state.status == "PENDING", Date().timeIntervalSince(submitted) > cluster.queueTimeoutSeconds {
                        ending = ("failed", waitedTooLong(target, cluster, ray: ray, message: state.message))
                    } else if let since = runningSince, Date().timeIntervalSince(since) > heartbeatTimeout,
                              let last = tokens.lastSeen(run.id), Date().timeIntervalSince(last) > heartbeatTimeout {
                        let silence = PipelineRunExecutor.describeSeconds(Date().timeIntervalSince(last))
                        requeueReason = "its worker on Ray stopped reporting (no heartbeat for \(silence))"
                    }
                }
                if ending != nil || requeueReason != nil {
                    try? ray.stop(job)
                    stopRequested = Date()
                }
            }
            usleep(useconds_t(pollSeconds * 1_000_000))
        }
        if let logs = try? ray.logs(job) { try? Data("Ray job \(job) on \(cluster.address)\n\(logs)".utf8).write(to: log) }

        let current = try workspace.pipelineRun(run.id)
        guard current.status == "running" else { return current.status }  // the worker recorded the end itself
        if let ending {
            try workspace.finishPipelineRun(run.id, status: ending.status, error: ending.reason, outputsJSON: "{}")
            return ending.status
        }
        if let requeueReason {
            if requeueReason.hasPrefix("its worker") {
                try PipelineRunExecutor.retryOrFail(current, because: requeueReason, in: workspace)
            } else {
                try workspace.requeuePipelineRun(run.id, reason: requeueReason)
            }
            return try workspace.pipelineRun(run.id).status
        }
        let tail = Self.tail(of: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        let how: String
        switch state.status {
        case "FAILED": how = "failed" + (state.exitCode.map { " (exit code \($0))" } ?? "") + (state.message.map { ": \($0)" } ?? "")
        case "STOPPED": how = "was stopped outside rappi"
        default: how = "ended without recording the run's end"
        }
        try workspace.finishPipelineRun(run.id, status: "failed", error: """
            the Ray job \(job) \(how)\(tail.isEmpty ? "" : " — log tail: \(tail)")
            """, outputsJSON: "{}")
        return "failed"
    }

    /// "no node has 64 cores …": what the job asked for and what the cluster's nodes have.
    private func waitedTooLong(_ target: ComputeTarget, _ cluster: RayCluster, ray: RayJobs, message: String?) -> String {
        var asked = ["\(target.threads) core\(target.threads == 1 ? "" : "s")"]
        if target.memoryBytes > 0 { asked.append(ByteSize.describe(target.memoryBytes) + " of memory") }
        if !cluster.resources.isEmpty { asked.append("resources \(cluster.resourcesDescription)") }
        let nodes = (try? ray.nodes())?.filter(\.alive) ?? []
        let have = nodes.isEmpty ? "" : " (nodes: " + nodes.map { node in
            "\(node.address) \(RayCluster.describe(node.freeCPU))/\(RayCluster.describe(node.totalCPU)) CPU free"
                + (node.custom.isEmpty ? "" : ", " + node.custom.sorted { $0.key < $1.key }.map { "\($0.key):\(RayCluster.describe($0.value))" }.joined(separator: ","))
        }.joined(separator: "; ") + ")"
        return """
            no node has \(asked.joined(separator: ", ")) free — the Ray job waited longer than queue-timeout=\
            \(PipelineRunExecutor.describeSeconds(cluster.queueTimeoutSeconds))\(have); lower cores=/memory=/resources= \
            on compute '\(target.name)' or add nodes to the cluster
            """
    }

    /// The last lines of a log, on one line.
    static func tail(of text: String, lines: Int = 5) -> String {
        text.split(separator: "\n").suffix(lines).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " | ")
    }

    /// Single-quoted for the shell Ray runs the entrypoint with.
    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
