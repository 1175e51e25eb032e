import Foundation
import RappiWorkspace
#if canImport(Glibc)
import Glibc
#endif

/// Executes one claimed pipeline run in its own worker process (`rappi pipeline-worker`) on a
/// compute target: the worker gets the target's thread count and caps its own data segment at
/// the target's memory (RLIMIT_DATA); this side also watches its resident memory and kills it
/// past the limit, follows `run cancel`, and records why a worker that died without finishing
/// its run stopped — so no run is left `running`. An attempt that runs past the run's timeout is
/// killed and failed, so no run holds a compute slot forever. A run on a Ray target is handed to
/// `RayRunExecutor` (a Ray job whose worker talks to the workspace server); with
/// `localWorkersOverHTTP` a local worker does too, and one that stops sending heartbeats is
/// treated like a worker whose executor died (requeued, failed after three attempts).
public struct PipelineRunExecutor: Sendable {
    public enum Stop: Sendable {
        /// End the run as cancelled (`run cancel`, Ctrl-C).
        case cancel(String)
        /// Put the run back in the queue (the server is stopping).
        case requeue(String)
        /// Fail the run: it ran past its timeout.
        case timeout
    }

    /// The workspace server remote workers talk to (`rappi serve` runs executors with one).
    public struct ControlPlane: Sendable {
        /// The URL workers reach the server at.
        public let server: String
        public let tokens: WorkerTokens
        /// A worker silent this many seconds counts as dead.
        public let heartbeatTimeout: Double
        public init(server: String, tokens: WorkerTokens, heartbeatTimeout: Double) {
            self.server = server; self.tokens = tokens; self.heartbeatTimeout = heartbeatTimeout
        }
    }

    public let workspaceDirectory: URL
    /// The rappi binary that runs `pipeline-worker`.
    public let executable: String
    /// Where runs triggered over REST may read and write (empty: the workspace's `data/`).
    public let dataRoots: [URL]
    /// Nil: runs on Ray targets cannot execute here (no server for their workers).
    public let controlPlane: ControlPlane?
    /// Workers of local targets, too, reach the workspace only over HTTP (`rappi serve --remote-workers`).
    public let localWorkersOverHTTP: Bool

    public init(workspaceDirectory: URL, executable: String = PipelineRunExecutor.currentExecutable, dataRoots: [URL] = [],
                controlPlane: ControlPlane? = nil, localWorkersOverHTTP: Bool = false) {
        self.workspaceDirectory = workspaceDirectory
        self.executable = executable
        self.dataRoots = dataRoots
        self.controlPlane = controlPlane
        self.localWorkersOverHTTP = localWorkersOverHTTP
    }

    public static var currentExecutable: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path }

    public static func logFile(workspace: URL, run: Int) -> URL {
        workspace.appendingPathComponent("logs/runs/run-\(run).log")
    }

    /// Runs `run` to its end and returns its final status (`queued` when it was requeued).
    /// `poll` is called about every 50 ms while the worker runs; a non-nil answer stops it.
    public func execute(_ run: PipelineRun, on target: ComputeTarget, poll: () -> Stop? = { nil }) throws -> String {
        let workspace = try Workspace(directory: workspaceDirectory)
        if let cluster = target.cluster {
            guard let controlPlane else {
                try workspace.finishPipelineRun(run.id, status: "failed", error: """
                    compute '\(target.name)' is a Ray cluster: its workers reach the workspace through the workspace server — \
                    start `rappi serve` (reachable from the cluster's nodes) and run the pipeline again
                    """, outputsJSON: "{}")
                return "failed"
            }
            return try RayRunExecutor(workspaceDirectory: workspaceDirectory, controlPlane: controlPlane)
                .execute(run, on: target, cluster: cluster, executable: executable, poll: poll)
        }
        let log = Self.logFile(workspace: workspaceDirectory, run: run.id)
        var arguments = [
            "pipeline-worker", "--run", String(run.id),
            "--threads", String(target.threads), "--memory", String(target.memoryBytes), "--parent", String(getpid()),
        ]
        let heartbeat = localWorkersOverHTTP ? controlPlane : nil
        var environment = ["SWIFT_BACKTRACE": "enable=no"]
        if let heartbeat {
            arguments += ["--server", heartbeat.server] + heartbeat.workerArguments
            environment[ControlPlane.tokenVariable] = heartbeat.tokens.issue(for: run.id)
        } else {
            arguments += ["--workspace", workspaceDirectory.path] + dataRoots.flatMap { ["--data-root", $0.path] }
        }
        defer { heartbeat?.tokens.revoke(run.id) }
        let pid: Int32
        do {
            pid = try LocalProcess.spawnDetached(executable: executable, arguments: arguments, logFile: log,
                                                 extraEnvironment: environment.map { "\($0.key)=\($0.value)" })
        } catch {
            try workspace.finishPipelineRun(run.id, status: "failed", error: "could not start a worker: \(error)", outputsJSON: "{}")
            return "failed"
        }
        try workspace.setWorkerPID(run.id, Int(pid))

        var peak = 0
        var stopped: Stop?
        var silentFor: Double?
        var memoryExceeded = false
        var waitStatus: Int32 = 0
        var ticks = 0
        let deadline = Date().addingTimeInterval(run.timeoutSeconds)
        while waitpid(pid, &waitStatus, WNOHANG) == 0 {
            if let rss = ProcessTable.residentBytes(pid) {
                peak = max(peak, rss)
                if target.memoryBytes > 0, rss > target.memoryBytes, !memoryExceeded {
                    memoryExceeded = true
                    kill(pid, SIGKILL)
                }
            }
            ticks += 1
            if stopped == nil, !memoryExceeded {
                if let stop = poll() {
                    stopped = stop
                    kill(pid, SIGKILL)
                } else if ticks % 5 == 0, (try? workspace.pipelineRun(run.id).cancelRequested) == true {
                    stopped = .cancel("cancelled by `run cancel`")
                    kill(pid, SIGKILL)
                } else if Date() > deadline {
                    stopped = .timeout
                    kill(pid, SIGKILL)
                } else if let heartbeat, let last = heartbeat.tokens.lastSeen(run.id),
                          Date().timeIntervalSince(last) > heartbeat.heartbeatTimeout {
                    silentFor = Date().timeIntervalSince(last)
                    kill(pid, SIGKILL)
                }
            }
            usleep(50_000)
        }

        let current = try workspace.pipelineRun(run.id)
        guard current.status == "running" else { return current.status }  // the worker recorded the end itself
        let logText = Self.text(of: log)
        if let silentFor, stopped == nil {
            try Self.retryOrFail(current, because: "its worker stopped reporting (no heartbeat for \(Self.describeSeconds(silentFor)))", in: workspace)
            return try workspace.pipelineRun(run.id).status
        }
        if memoryExceeded || logText.contains("failed to allocate") {
            let peakText = peak > 0 ? " (resident memory reached \(ByteSize.describe(peak)))" : ""
            try workspace.finishPipelineRun(run.id, status: "failed", error: """
                exceeded the memory limit of \(ByteSize.describe(target.memoryBytes)) on compute '\(target.name)'\(peakText) — \
                create a target with more memory (`compute create NAME cores=N memory=SIZE`) and run it there
                """, outputsJSON: "{}")
            return "failed"
        }
        switch stopped {
        case .cancel(let reason):
            try workspace.finishPipelineRun(run.id, status: "cancelled", error: reason, outputsJSON: "{}")
            return "cancelled"
        case .requeue(let reason):
            try workspace.requeuePipelineRun(run.id, reason: reason)
            return "queued"
        case .timeout:
            try workspace.finishPipelineRun(run.id, status: "failed", error: """
                timed out after \(Self.describeSeconds(run.timeoutSeconds)) — the run was stopped; give it longer with \
                `run pipeline \(run.pipeline) timeout=SECONDS` (over REST: "timeout_seconds")
                """, outputsJSON: "{}")
            return "failed"
        case nil:
            let how = Self.describe(waitStatus)
            let lines = logText.split(separator: "\n")
            let detail = (lines.first { $0.hasPrefix("Fatal error") } ?? lines.last).map { ": \($0)" } ?? ""
            try workspace.finishPipelineRun(run.id, status: "failed", error: """
                the worker \(how) before finishing\(detail) — see \(log.path)
                """, outputsJSON: "{}")
            return "failed"
        }
    }

    /// A run whose attempt died without finishing it: back in the queue for another attempt
    /// (finished steps are reused), or failed with `reason` after three attempts.
    public static func retryOrFail(_ run: PipelineRun, because reason: String, in workspace: Workspace) throws {
        if run.attempt >= 3 {
            try workspace.finishPipelineRun(run.id, status: "failed",
                error: "interrupted \(run.attempt) times: \(reason) — not retried again; start a new run", outputsJSON: "{}")
        } else {
            try workspace.requeuePipelineRun(run.id, reason: "requeued after \(reason) (attempt \(run.attempt))")
        }
    }

    static func describeSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }

    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        return "was killed by signal \(signal)"
    }

    private static func text(of file: URL) -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else { return "" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension PipelineRunExecutor.ControlPlane {
    /// The environment variable a remote worker finds its token in (not on its command line,
    /// where `ps` would show it).
    public static let tokenVariable = "RAPPI_WORKER_TOKEN"

    /// Four heartbeats per timeout: one lost request is not a dead worker.
    var workerArguments: [String] { ["--heartbeat-seconds", String(heartbeatTimeout / 4)] }
}
