import Foundation
import RappiClient
import RappiWorkspace

/// Starts and stops an experiment's router: `rappi serve-router`, detached like a local endpoint.
public struct ExperimentRouterProcess {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Spawns the router for a saved experiment and waits until it is ready; returns its pid.
    public func start(_ experiment: ExperimentRecord, port: Int, authenticated: Bool, tls: ServerTLS? = nil) throws -> Int32 {
        let logs = workspace.logsDirectory.appendingPathComponent("abtest-\(experiment.name)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var arguments = ["serve-router", "--workspace", workspace.directory.path, "--experiment", experiment.name,
                         "--host", "127.0.0.1", "--port", String(port),
                         "--access-log", logs.appendingPathComponent("access.log").path]
        if authenticated { arguments += ["--keys-file", try keysFile(experiment.name).path] }
        arguments += tls?.arguments ?? []
        return try Deployer.startLocalServer(arguments: arguments, log: logs.appendingPathComponent("server.log"),
                                             url: "\(ServerTLS.scheme(tls))://127.0.0.1:\(port)")
    }

    /// SIGTERM, and wait while the router drains and writes what it buffered.
    public func stop(_ experiment: ExperimentRecord) throws {
        guard let pid = experiment.pid, LocalProcess.isAlive(pid: Int32(pid)) else { return }
        guard LocalProcess.terminate(pid: Int32(pid), timeout: 60) else {
            throw DeployError("the router of \(experiment.name) (pid \(pid)) did not stop — kill it with `kill -9 \(pid)`")
        }
    }

    public func isLive(_ experiment: ExperimentRecord) -> Bool {
        guard experiment.status == "running", let pid = experiment.pid, LocalProcess.isAlive(pid: Int32(pid)),
              let url = experiment.url else { return false }
        return (try? HTTPProbe.get(url + "/health/live", timeout: 1)) == 200
    }

    public func keysFile(_ name: String) throws -> URL { try EndpointKeys.file(in: workspace.experimentDirectory(name)) }

    /// The router's primary key as a header, when it requires one.
    public func authorization(_ experiment: ExperimentRecord) -> [String: String] {
        guard experiment.auth == "key", let file = try? keysFile(experiment.name),
              let keys = try? EndpointKeys.read(file) else { return [:] }
        return ["Authorization": "Bearer \(keys.primary)"]
    }
}
