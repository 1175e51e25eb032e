import Foundation
import RappiML
import RappiWorkspace

/// Starts and stops endpoints on their targets: `local` (a detached `rappi serve-model`
/// process) and `aci` (a container built from staged files, run by podman or docker); the
/// `kubernetes` target builds its image here and does the rest in `KubernetesEndpoints`.
///
/// What it guarantees: the endpoint's name is checked before any file, process or container is
/// touched; a busy `port=` is an error before anything is stopped or started; success means the
/// server just started answered `/health/ready` with this deployment's nonce and the model's
/// hash (not merely that something answers on the port); containers and images carry the
/// workspace's id in their names, and only what this workspace recorded is ever stopped.
public struct Deployer {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// The running rappi binary: what a local endpoint runs and what a container image holds.
    public static var executable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }

    public static let readinessTimeout = 60.0

    public struct Deployment {
        public let endpoint: EndpointRecord
        public let keys: EndpointKeys?
        /// The endpoint of the same name this deployment replaced.
        public let replaced: EndpointRecord?
    }

    public func deploy(_ version: ModelVersion, as name: String, from deployedFrom: String?, target: String, port: Int?,
                authenticated: Bool, tls: ServerTLS? = nil) throws -> Deployment {
        try Workspace.validateName(name, kind: "endpoint")
        let existing = try workspace.endpoints().first { $0.name == name }
        let engine: ContainerEngine?
        if target == "aci" {
            guard let found = ContainerEngine.detect() else { throw ContainerEngine.unavailableError }
            engine = found
        } else {
            engine = nil
        }
        if let port {
            // The endpoint being replaced may hold the port itself; anyone else holding it is an error.
            let heldByReplaced = existing.map { $0.port == port && health($0).isLive } ?? false
            if !heldByReplaced { try FreePort.checkAvailable(port) }
        }

        // Build the image before stopping the endpoint it replaces: less time without a server.
        var image: (tag: String, container: String)?
        if let engine {
            image = try buildImage(version, endpoint: name, engine: engine, replacing: existing, authenticated: authenticated)
        }
        if let existing {
            let stopped = stop(existing, keepingImage: image?.tag)
            if stopped.failed { throw DeployError("cannot replace \(name): \(stopped.summary)") }
        }

        let keys = authenticated ? EndpointKeys.generate() : nil
        try keys?.write(workspace, endpoint: name)
        if !authenticated { try? FileManager.default.removeItem(at: EndpointKeys.file(workspace, endpoint: name)) }
        let hostPort = try port ?? FreePort.pick()
        let proof = ReadinessProof.fresh(modelHash: version.contentHash)
        let started: (pid: Int32?, container: String?)
        if let engine, let image {
            started = (nil, try runContainer(name: name, image: image, engine: engine, port: hostPort, proof: proof,
                                             authenticated: authenticated))
        } else {
            started = (try runLocal(version, name: name, port: hostPort, proof: proof, authenticated: authenticated, tls: tls), nil)
        }
        let record = EndpointRecord(name: name, model: version.name, modelVersion: version.version, modelHash: version.contentHash,
                                    target: target, url: "\(ServerTLS.scheme(tls))://127.0.0.1:\(hostPort)", port: hostPort, pid: started.pid.map(Int.init),
                                    container: started.container, image: image?.tag, auth: authenticated ? "key" : "none",
                                    deployedFrom: deployedFrom)
        try workspace.saveEndpoint(record)
        return Deployment(endpoint: record, keys: keys, replaced: existing)
    }

    /// Starts the local server and returns its pid once it has proved it is ready.
    private func runLocal(_ version: ModelVersion, name: String, port: Int, proof: ReadinessProof, authenticated: Bool,
                          tls: ServerTLS?) throws -> Int32 {
        let logs = try logDirectory(name)
        var arguments = ["serve-model", "--model", workspace.artifacts.url(for: version.contentHash).path,
                         "--name", version.name, "--version", String(version.version),
                         "--host", "127.0.0.1", "--port", String(port),
                         "--access-log", logs.appendingPathComponent("access.log").path]
        if authenticated { arguments += ["--keys-file", try EndpointKeys.file(workspace, endpoint: name).path] }
        arguments += tls?.arguments ?? []
        return try Self.startLocalServer(arguments: arguments, log: logs.appendingPathComponent("server.log"),
                                         url: "\(ServerTLS.scheme(tls))://127.0.0.1:\(port)", proof: proof)
    }

    /// Writes the build context and builds the image, after checking that the container name is
    /// free or taken by the very endpoint being replaced — never by anyone else's container.
    public func buildImage(_ version: ModelVersion, endpoint name: String, engine: ContainerEngine, replacing existing: EndpointRecord?,
                            authenticated: Bool) throws -> (tag: String, container: String) {
        let workspaceID = try workspace.identifier()
        let containerName = ContainerNames.container(workspaceID: workspaceID, endpoint: name)
        if let found = engine.containerID(containerName), found != existing?.container {
            throw DeployError("""
                a container named \(containerName) exists but is not the one this workspace recorded for \(name) — \
                it is left alone; remove it with `\(engine.commandLine(["rm", "-f", containerName]).joined(separator: " "))` \
                if it is not in use, or deploy under another name
                """)
        }
        let contextDirectory = try workspace.endpointDirectory(name).appendingPathComponent("context")
        try? FileManager.default.removeItem(at: contextDirectory)
        let context = try BuildContext.write(modelBytes: try workspace.loadModelBytes(version), modelName: version.name,
                                             modelVersion: version.version, binary: Self.executable,
                                             authenticated: authenticated, into: contextDirectory)
        let tag = ContainerNames.image(workspaceID: workspaceID, endpoint: name, modelVersion: version.version,
                                       contextHash: context.contextHash)
        try engine.build(context: contextDirectory, tag: tag)
        return (tag, containerName)
    }

    /// Runs the container and returns its id once the server in it has proved it is ready.
    private func runContainer(name: String, image: (tag: String, container: String), engine: ContainerEngine,
                              port: Int, proof: ReadinessProof, authenticated: Bool) throws -> String {
        let url = "http://127.0.0.1:\(port)"
        let keysFolder = authenticated ? try EndpointKeys.folder(workspace, endpoint: name) : nil
        let id = try engine.run(image: image.tag, name: image.container, hostPort: port, keysDirectory: keysFolder,
                                logsDirectory: try logDirectory(name),
                                labels: [ContainerNames.workspaceLabel: try workspace.identifier(), ContainerNames.endpointLabel: name],
                                environmentValues: [ReadinessProof.nonceVariable: proof.nonce])
        do {
            try Readiness.wait(url: url + "/health/ready", timeout: Self.readinessTimeout, proof: proof) {
                "container logs:\n" + engine.logs(name: id, tail: 20)
            }
        } catch {
            try? engine.stop(name: id)
            throw error
        }
        return id
    }

    /// Starts `rappi ARGUMENTS…` detached (its output appended to `log`) and waits until
    /// `url/health/ready` answers 200 — carrying `proof`, when given, which the server gets
    /// through its environment; stops it again if it never does.
    public static func startLocalServer(arguments: [String], log: URL, url: String, proof: ReadinessProof? = nil) throws -> Int32 {
        let environment = proof.map { ["\(ReadinessProof.nonceVariable)=\($0.nonce)"] } ?? []
        let pid = try LocalProcess.spawnDetached(executable: executable, arguments: arguments, logFile: log,
                                                 extraEnvironment: environment)
        do {
            try Readiness.wait(url: url + "/health/ready", timeout: readinessTimeout, proof: proof,
                               alive: { LocalProcess.isAlive(pid: pid) }) {
                "see \(log.path):\n" + tail(of: log)
            }
        } catch {
            _ = LocalProcess.terminate(pid: pid, timeout: 2)
            throw error
        }
        return pid
    }

    /// `logs/endpoint-NAME/`: the server's output and its access log, whatever the target.
    public func logDirectory(_ name: String) throws -> URL {
        try Workspace.validateName(name, kind: "endpoint")
        let url = workspace.logsDirectory.appendingPathComponent("endpoint-\(name)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// What `stop` did, in a phrase (`stopped pid 4242`, `pid 4242 is now another program's — not
    /// signalled`, …); `failed` when the server may still be running.
    public struct StopOutcome {
        public let summary: String
        public var failed = false

        public init(summary: String, failed: Bool = false) { self.summary = summary; self.failed = failed }
    }

    /// Stops the process or container behind an endpoint — only when it is still that
    /// endpoint's: a pid must still be a `rappi serve-model` for this model and port (pids are
    /// reused), a container is addressed by the id recorded when it started. The image is
    /// removed unless it is `keepingImage`.
    @discardableResult
    public func stop(_ endpoint: EndpointRecord, keepingImage: String? = nil) -> StopOutcome {
        if endpoint.target == "kubernetes" {
            return KubernetesEndpoints(workspace: workspace).stop(endpoint, keepingImage: keepingImage)
        }
        if endpoint.target == "aci" {
            let reference = Self.containerReference(endpoint)
            guard let engine = ContainerEngine.detect() else {
                return StopOutcome(summary: "no container engine answers, so container \(reference.prefix(12)) could not be stopped", failed: true)
            }
            guard engine.containerID(reference) != nil else { return StopOutcome(summary: "its container was gone already") }
            do { try engine.stop(name: reference) } catch { return StopOutcome(summary: "\(error)", failed: true) }
            if let image = endpoint.image, image != keepingImage { engine.removeImage(image) }
            return StopOutcome(summary: "stopped and removed container \(reference.prefix(12))")
        }
        guard let pid = endpoint.pid.map(Int32.init) else { return StopOutcome(summary: "no process was recorded") }
        guard LocalProcess.isAlive(pid: pid) else { return StopOutcome(summary: "its process (pid \(pid)) had exited already") }
        guard Self.isServer(pid: pid, of: endpoint) else {
            return StopOutcome(summary: "its process had exited; pid \(pid) now belongs to another program and was not signalled")
        }
        guard LocalProcess.terminate(pid: pid, timeout: 5) else {
            return StopOutcome(summary: "pid \(pid) survived SIGTERM and SIGKILL", failed: true)
        }
        return StopOutcome(summary: "stopped pid \(pid)")
    }

    /// How a command addresses an endpoint's container: the id recorded when it started, else
    /// (rows written by older releases without one) the name those releases gave it.
    public static func containerReference(_ endpoint: EndpointRecord) -> String {
        endpoint.container ?? "rappi-\(endpoint.name)"
    }

    /// Whether `pid` is this endpoint's `rappi serve-model`: its command line serves this model
    /// file (named by its hash) on this port. The executable's name is not checked: the binary
    /// may have been installed under another name.
    public static func isServer(pid: Int32, of endpoint: EndpointRecord) -> Bool {
        guard LocalProcess.isAlive(pid: pid), let argv = ProcessTable.commandLine(pid),
              argv.count > 1, argv[1] == "serve-model" else { return false }
        func value(_ option: String) -> String? {
            argv.firstIndex(of: option).flatMap { $0 + 1 < argv.count ? argv[$0 + 1] : nil }
        }
        return value("--port") == String(endpoint.port)
            && value("--model").map { URL(fileURLWithPath: $0).lastPathComponent } == endpoint.modelHash
    }

    public enum Health {
        case live
        case down(String)

        public var isLive: Bool { if case .live = self { return true }; return false }
    }

    /// Whether the endpoint is up now, and if not, why: its process or container is gone (or the
    /// pid is another program's now), nothing answers, or what answers serves another model.
    public func health(_ endpoint: EndpointRecord) -> Health {
        if endpoint.target == "local" {
            guard let pid = endpoint.pid.map(Int32.init), LocalProcess.isAlive(pid: pid) else {
                return .down("its process (pid \(endpoint.pid.map(String.init) ?? "none")) has exited")
            }
            guard Self.isServer(pid: pid, of: endpoint) else {
                return .down("its process has exited (pid \(pid) now belongs to another program)")
            }
        } else if endpoint.target == "kubernetes" {
            if let verdict = KubernetesEndpoints(workspace: workspace).health(endpoint) { return verdict }
        } else if let engine = ContainerEngine.detect(), !engine.isRunning(name: Self.containerReference(endpoint)) {
            // While its container runs, the engine holds the port: nobody else can answer there.
            return .down("its container \(Self.containerReference(endpoint).prefix(12)) is not running")
        }
        let response: HTTPResponse
        do {
            // The answer must name the endpoint's model hash (below), which proves the server is ours.
            response = try HTTPClient(trust: .proven).get(endpoint.url + "/health/ready", timeout: 2)
        } catch {
            return .down("nothing answers at \(endpoint.url) (\(error))")
        }
        guard response.status == 200 else { return .down("\(endpoint.url)/health/ready answers HTTP \(response.status)") }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        if let hash = object?["model_sha256"] as? String {
            if hash != endpoint.modelHash { return .down("\(endpoint.url) serves another model (sha256 \(hash.prefix(12)))") }
        } else if object?["model"] as? String != endpoint.model || (object?["version"] as? NSNumber)?.intValue != endpoint.modelVersion {
            // Servers from before the hash was echoed say only the model's name and version.
            return .down("\(endpoint.url) answers, but not as \(endpoint.model) v\(endpoint.modelVersion)")
        }
        return .live
    }

    public static func tail(of file: URL, lines: Int = 15) -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

import RappiClient

/// One quick GET, for liveness checks of a server rappi started (whose process was checked first).
public enum HTTPProbe {
    public static func get(_ url: String, timeout: Double) throws -> Int {
        try HTTPClient(trust: .proven).get(url, timeout: timeout).status
    }
}
