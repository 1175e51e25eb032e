import Foundation
import Hummingbird
import Logging
import NIOCore
import RappiWorkspace
import ServiceLifecycle

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
        /// Serve HTTPS with this certificate and key (`--tls-cert`, `--tls-key`); nil: plain HTTP.
        public var tls: TLSFiles?
        /// Checks trigger parameters against how the pipeline uses them (422 with the message).
        public var checkParameters: @Sendable (PipelineDefinition, [(name: String, value: String)]) -> (parameter: String, message: String)? = { _, _ in nil }
        /// A pipeline's parameters as JSON Schema properties, for `/openapi.json` (default: any scalar).
        public var parameterSchemas: @Sendable (PipelineDefinition) -> [String: [String: Any]] = { definition in
            Dictionary(uniqueKeysWithValues: definition.parameters.map {
                ($0.name, ["anyOf": [["type": "string"], ["type": "number"], ["type": "boolean"]]] as [String: Any])
            })
        }
        /// Tokens of remote pipeline workers, shared with the executors that make them.
        public var workerTokens = WorkerTokens()
        /// Largest model file a remote worker may upload.
        public var maxWorkerUploadBytes = 1 << 30
        public init(workspaceDirectory: URL) { self.workspaceDirectory = workspaceDirectory }
    }

    /// Serves until a stop signal; `onEnqueue` runs after each REST trigger, `onReady` once listening.
    /// `services` run beside the HTTP server and are shut down before it on SIGTERM or SIGINT,
    /// each in turn (the pipeline scheduler drains its runs while their remote workers can still
    /// report here).
    public static func run(_ configuration: Configuration, services: [any Service] = [], onEnqueue: @escaping @Sendable () -> Void,
                           onReady: @escaping @Sendable (WorkspaceServerRecord) -> Void = { _ in }) async throws {
        guard (1...65535).contains(configuration.port) else {
            throw WorkspaceError("port \(configuration.port) is out of range (1–65535)")
        }
        let workspace = try Workspace(directory: configuration.workspaceDirectory)
        let record = WorkspaceServerRecord(pid: getpid(), port: configuration.port, host: configuration.host,
                                           scheme: configuration.tls == nil ? "http" : "https")
        let baseURL = record.baseURL
        let store = WorkspaceStore(workspace)
        let api = WorkspaceAPI(store: store, baseURL: baseURL, ownerToken: record.ownerToken,
                               bodies: InFlightLimiter(limit: configuration.maxConcurrentBodies),
                               maxBodyBytes: configuration.maxBodyBytes, checkParameters: configuration.checkParameters,
                               parameterSchemas: configuration.parameterSchemas,
                               onEnqueue: onEnqueue)
        var logger = Logger(label: "rappi.workspace")
        logger.logLevel = .warning
        let directory = configuration.workspaceDirectory
        var http = HTTPServerSettings()
        http.host = configuration.host
        http.port = configuration.port
        http.idleTimeoutSeconds = configuration.idleTimeoutSeconds
        http.tls = configuration.tls
        let application = try http.application(
            responder: api.router(workers: WorkerAPI(store: store, tokens: configuration.workerTokens,
                                                     maxUploadBytes: configuration.maxWorkerUploadBytes)).buildResponder(), requestTimeoutSeconds: configuration.requestTimeoutSeconds, logger: logger,
            onServerRunning: { _ in
                try? record.save(in: directory)
                onReady(record)
            })
        defer { WorkspaceServerRecord.remove(in: directory, pid: getpid()) }
        // A service group shuts its services down in reverse order, each after the one before
        // has finished: the given services first, the HTTP server last.
        let group = ServiceGroup(configuration: .init(services: [application] + services,
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
