import Foundation
import RappiDeploy
import RappiML
import RappiWorkspace

/// Starts and stops endpoints on their targets: `local` (a detached `rappi serve-model`
/// process) and `aci` (a container built from staged files, run by podman or docker).
struct Deployer {
    let workspace: Workspace

    /// The running rappi binary: what a local endpoint runs and what a container image holds.
    static var executable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }

    static let readinessTimeout = 60.0

    func deploy(_ version: ModelVersion, as name: String, target: String, port: Int?, authenticated: Bool) throws -> (EndpointRecord, EndpointKeys?) {
        if let existing = try? workspace.endpoint(name) { try stop(existing) }  // deploying a name again replaces it
        let keys = authenticated ? EndpointKeys.generate() : nil
        try keys?.write(workspace, endpoint: name)
        if !authenticated { try? FileManager.default.removeItem(at: EndpointKeys.file(workspace, endpoint: name)) }
        let hostPort = try port ?? FreePort.pick()
        let url = "http://127.0.0.1:\(hostPort)"
        let record: EndpointRecord
        switch target {
        case "local":
            record = try deployLocal(version, name: name, port: hostPort, url: url, authenticated: authenticated)
        default:
            record = try deployContainer(version, name: name, port: hostPort, url: url, authenticated: authenticated)
        }
        try workspace.saveEndpoint(record)
        return (record, keys)
    }

    private func deployLocal(_ version: ModelVersion, name: String, port: Int, url: String, authenticated: Bool) throws -> EndpointRecord {
        let logs = try logDirectory(name)
        var arguments = ["serve-model", "--model", workspace.artifacts.url(for: version.contentHash).path,
                         "--name", version.name, "--version", String(version.version),
                         "--host", "127.0.0.1", "--port", String(port),
                         "--access-log", logs.appendingPathComponent("access.log").path]
        if authenticated { arguments += ["--keys-file", try EndpointKeys.file(workspace, endpoint: name).path] }
        let pid = try Self.startLocalServer(arguments: arguments, log: logs.appendingPathComponent("server.log"), url: url)
        return EndpointRecord(name: name, model: version.name, modelVersion: version.version, modelHash: version.contentHash,
                              target: "local", url: url, port: port, pid: Int(pid), container: nil, image: nil,
                              auth: authenticated ? "key" : "none")
    }

    private func deployContainer(_ version: ModelVersion, name: String, port: Int, url: String, authenticated: Bool) throws -> EndpointRecord {
        guard let engine = ContainerEngine.detect() else { throw ContainerEngine.unavailableError }
        let contextDirectory = try workspace.endpointDirectory(name).appendingPathComponent("context")
        try? FileManager.default.removeItem(at: contextDirectory)
        let context = try BuildContext.write(modelBytes: try workspace.loadModelBytes(version), modelName: version.name,
                                             modelVersion: version.version, binary: Self.executable,
                                             authenticated: authenticated, into: contextDirectory)
        let tag = "localhost/rappi-\(name.lowercased()):v\(version.version)-\(context.contextHash.prefix(12))"
        try engine.build(context: contextDirectory, tag: tag)
        let containerName = "rappi-\(name)"
        let keysFolder = authenticated ? try EndpointKeys.folder(workspace, endpoint: name) : nil
        let id = try engine.run(image: tag, name: containerName, hostPort: port, keysDirectory: keysFolder,
                                logsDirectory: try logDirectory(name))
        do {
            try Readiness.wait(url: url + "/health/ready", timeout: Self.readinessTimeout) {
                "container logs:\n" + engine.logs(name: containerName, tail: 20)
            }
        } catch {
            try? engine.stop(name: containerName)
            throw error
        }
        return EndpointRecord(name: name, model: version.name, modelVersion: version.version, modelHash: version.contentHash,
                              target: "aci", url: url, port: port, pid: nil, container: id, image: tag,
                              auth: authenticated ? "key" : "none")
    }

    /// Starts `rappi ARGUMENTS…` detached (its output appended to `log`) and waits until
    /// `url/health/ready` answers 200; stops it again if it never does.
    static func startLocalServer(arguments: [String], log: URL, url: String) throws -> Int32 {
        let pid = try LocalProcess.spawnDetached(executable: executable, arguments: arguments, logFile: log)
        do {
            try Readiness.wait(url: url + "/health/ready", timeout: readinessTimeout, alive: { LocalProcess.isAlive(pid: pid) }) {
                "see \(log.path):\n" + tail(of: log)
            }
        } catch {
            _ = LocalProcess.terminate(pid: pid, timeout: 2)
            throw error
        }
        return pid
    }

    /// `logs/endpoint-NAME/`: the server's output and its access log, whatever the target.
    func logDirectory(_ name: String) throws -> URL {
        let url = workspace.logsDirectory.appendingPathComponent("endpoint-\(name)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Stops the process or container behind an endpoint (already gone is fine).
    func stop(_ endpoint: EndpointRecord) throws {
        if let pid = endpoint.pid, LocalProcess.isAlive(pid: Int32(pid)) {
            _ = LocalProcess.terminate(pid: Int32(pid), timeout: 5)
        }
        if endpoint.target == "aci", let engine = ContainerEngine.detect() {
            try engine.stop(name: "rappi-\(endpoint.name)")
            if let image = endpoint.image { engine.removeImage(image) }
        }
    }

    /// Whether the endpoint answers now (and, for a local one, whether its process lives).
    func isLive(_ endpoint: EndpointRecord) -> Bool {
        if let pid = endpoint.pid, !LocalProcess.isAlive(pid: Int32(pid)) { return false }
        return (try? HTTPProbe.get(endpoint.url + "/health/live", timeout: 1)) == 200
    }

    static func tail(of file: URL, lines: Int = 15) -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

import RappiClient

/// One quick GET, for liveness checks.
enum HTTPProbe {
    static func get(_ url: String, timeout: Double) throws -> Int {
        try HTTPClient().get(url, timeout: timeout).status
    }
}
