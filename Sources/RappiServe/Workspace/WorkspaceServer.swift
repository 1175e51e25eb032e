import Foundation
import Hummingbird
import Logging
import NIOCore
import RappiWorkspace

/// `rappi serve`: the workspace's REST API on host:port until SIGTERM/SIGINT. While it runs,
/// `DIR/server.json` says where it listens (for `invoke pipeline` and `run pipeline`).
public enum WorkspaceServer {
    public struct Configuration: Sendable {
        public var workspaceDirectory: URL
        public var host = "127.0.0.1"
        public var port = 8321
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
        let api = WorkspaceAPI(store: LockedWorkspace(workspace), baseURL: baseURL, onEnqueue: onEnqueue)
        var logger = Logger(label: "rappi.workspace")
        logger.logLevel = .warning
        let directory = configuration.workspaceDirectory
        let record = WorkspaceServerRecord(pid: getpid(), port: configuration.port, host: configuration.host)
        let application = Application(
            router: api.router(),
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
