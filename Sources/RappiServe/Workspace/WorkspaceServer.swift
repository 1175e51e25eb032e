import Foundation
import Hummingbird
import Logging
import NIOCore
import RappiWorkspace

/// `rappi serve`: the workspace's REST API on host:port until SIGTERM/SIGINT. While it runs,
/// `DIR/server.json` (0600) says where it listens and holds the owner's credential (for
/// `invoke pipeline` and `run pipeline`).
public enum WorkspaceServer {
    public struct Configuration: Sendable {
        public var workspaceDirectory: URL
        public var host = "127.0.0.1"
        public var port = 8321
        /// Largest accepted trigger body (413 above).
        public var maxBodyBytes = 1 << 20
        /// Bodies read at once (503 above): unauthenticated callers never get this far.
        public var maxConcurrentBodies = 16
        /// Idle connections are closed after this many seconds; a request must arrive whole
        /// within `requestTimeoutSeconds` (slow or half-sent requests are closed).
        public var idleTimeoutSeconds = 30
        public var requestTimeoutSeconds = 30
        /// Checks trigger parameters against how the pipeline uses them (422 with the message).
        public var checkParameters: @Sendable (PipelineDefinition, [(name: String, value: String)]) -> (parameter: String, message: String)? = { _, _ in nil }
        /// Tokens of remote pipeline workers, shared with the executors that make them.
        public var workerTokens = WorkerTokens()
        /// Largest model file a remote worker may upload.
        public var maxWorkerUploadBytes = 1 << 30
        public init(workspaceDirectory: URL) { self.workspaceDirectory = workspaceDirectory }
    }

    /// Serves until a stop signal; `onEnqueue` runs after each REST trigger, `onReady` once listening.
    public static func run(_ configuration: Configuration, onEnqueue: @escaping @Sendable () -> Void,
                           onReady: @escaping @Sendable (WorkspaceServerRecord) -> Void = { _ in }) async throws {
        guard (1...65535).contains(configuration.port) else {
            throw WorkspaceError("port \(configuration.port) is out of range (1–65535)")
        }
        let workspace = try Workspace(directory: configuration.workspaceDirectory)
        let baseURL = "http://\(configuration.host):\(configuration.port)"
        let record = WorkspaceServerRecord(pid: getpid(), port: configuration.port, host: configuration.host)
        let store = WorkspaceStore(workspace)
        let api = WorkspaceAPI(store: store, baseURL: baseURL, ownerToken: record.ownerToken,
                               bodies: InFlightLimiter(limit: configuration.maxConcurrentBodies),
                               maxBodyBytes: configuration.maxBodyBytes, checkParameters: configuration.checkParameters,
                               onEnqueue: onEnqueue)
        var logger = Logger(label: "rappi.workspace")
        logger.logLevel = .warning
        let directory = configuration.workspaceDirectory
        let application = Application(
            router: api.router(workers: WorkerAPI(store: store, tokens: configuration.workerTokens,
                                                  maxUploadBytes: configuration.maxWorkerUploadBytes)),
            server: GuardedHTTP1Channel.builder(idleTimeout: configuration.idleTimeoutSeconds,
                                                requestTimeout: configuration.requestTimeoutSeconds),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { _ in
                try? record.save(in: directory)
                onReady(record)
            },
            logger: logger)
        defer { WorkspaceServerRecord.remove(in: directory, pid: getpid()) }
        try await application.runService()
    }
}
