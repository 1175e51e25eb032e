import Foundation
import RappiWorkspace
import Synchronization

/// `rappi pipeline-worker --server URL --token T --run ID`: executes a run away from the
/// workspace, talking to it only over HTTP. It seeds a private scratch workspace with the rows
/// the run needs (`WorkspaceReplica`), downloads dataset and model files by content hash only
/// when a step reads them (verified against the hash), runs the steps with the same
/// `PipelineWorker` a local run uses, and records on the server as it goes (`HTTPRunRecorder`).
/// A background thread sends a heartbeat every `heartbeatSeconds`, so the executor can tell a
/// slow step from a dead worker. The scratch workspace is removed at the end.
public struct RemotePipelineWorker {
    public let server: String
    public let token: String
    public let runID: Int
    public let threads: Int
    public var heartbeatSeconds = 2.0

    public init(server: String, token: String, runID: Int, threads: Int) {
        self.server = server; self.token = token; self.runID = runID; self.threads = threads
    }

    public func run() throws -> Bool {
        let connection = WorkerConnection(server: server, token: token, runID: runID)
        // The server may be a moment from listening (it starts its executors first).
        var bundle: [String: Any] = [:]
        for attempt in 1...50 {
            do { bundle = try connection.object("GET", ""); break } catch let error as WorkerConnection.Unreachable {
                if attempt == 50 { throw WorkspaceError(error.message) }
                usleep(200_000)
            }
        }
        guard let replica = bundle["replica"] as? [String: Any] else {
            throw WorkspaceError("the workspace server at \(server) sent no run data for run \(runID)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-worker-run\(runID)-\(Workspace.randomHex(bytes: 6))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let workspace = try Workspace(directory: scratch)
        try WorkspaceReplica.seed(replica, into: workspace)
        let (server, token, runID) = (self.server, self.token, self.runID)
        workspace.fetchMissingArtifacts { hash in
            try WorkerConnection(server: server, token: token, runID: runID).send("GET", "/artifacts/\(hash)")
        }

        let heartbeat = Heartbeat()
        let interval = heartbeatSeconds
        let thread = Thread {
            let beats = WorkerConnection(server: server, token: token, runID: runID)
            while !heartbeat.isStopped {
                _ = try? beats.send("POST", "/heartbeat", timeout: 10)
                heartbeat.wait(seconds: interval)
            }
        }
        thread.start()
        defer { heartbeat.stop() }
        return try PipelineWorker(workspace: workspace, runID: runID, threads: threads,
                                  recorder: HTTPRunRecorder(connection: connection)).run()
    }
}

/// The heartbeat thread's stop signal: `wait` sleeps until the next beat or until `stop`.
private final class Heartbeat: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeUp.signal()
    }

    func wait(seconds: Double) {
        if !isStopped { _ = wakeUp.wait(timeout: .now() + seconds) }
    }
}
