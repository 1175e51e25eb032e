import Foundation
import RappiWorkspace

/// Endpoints on Kubernetes (`deploy … kubernetes`): the image built as for `aci`, the manifests
/// written into `endpoints/NAME/kubernetes/`, then one of three outcomes, which the endpoint's
/// record tells apart (no schema change):
///
/// - applied to the cluster of kubectl's current context: `container` is `kubectl:NAMESPACE`,
///   `pid` a `kubectl port-forward` to the Service, `url` its local address;
/// - rehearsed (`rehearse=true`): the Deployment's pod run by `podman kube play`; `container` is
///   `podman-kube:POD`, `url` the published loopback port;
/// - not applied (no cluster answers): `url` is `not applied`, port 0 — listed honestly by
///   `endpoints`, removed by `undeploy`.
public struct KubernetesEndpoints {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    public struct Settings {
        public var namespace: String
        public var replicas: Int
        public var minReplicas: Int
        public var maxReplicas: Int
        public var cpu: String
        public var memory: String
        public var serving: KubernetesManifests.Serving
        public var registry: String?
        public var rehearse: Bool
        public var port: Int?
        public var authenticated: Bool

        public init(namespace: String, replicas: Int, minReplicas: Int, maxReplicas: Int, cpu: String, memory: String,
                    serving: KubernetesManifests.Serving, registry: String?, rehearse: Bool, port: Int?, authenticated: Bool) {
            self.namespace = namespace; self.replicas = replicas; self.minReplicas = minReplicas; self.maxReplicas = maxReplicas
            self.cpu = cpu; self.memory = memory; self.serving = serving; self.registry = registry; self.rehearse = rehearse
            self.port = port; self.authenticated = authenticated
        }
    }

    public enum State {
        case applied(namespace: String, portForward: Int32?)
        case rehearsed(file: URL)
        case notApplied
    }

    public struct Outcome {
        public let deployment: Deployer.Deployment
        public let manifests: URL
        public let files: [String]
        public let state: State
        /// Why no cluster was used, when none was.
        public let clusterNote: String
        /// The commands that apply the manifests by hand (push included).
        public let commands: [String]
        public let imageBytes: Int?
    }

    public static let notAppliedURL = "not applied"
    public static let rehearsalPrefix = "podman-kube:"
    public static let clusterPrefix = "kubectl:"

    public func manifestsDirectory(_ name: String) throws -> URL {
        try workspace.endpointDirectory(name).appendingPathComponent("kubernetes")
    }

    /// The settings the manifests were written with, kept beside them (not in the folder
    /// `kubectl apply -f` reads) so the Secret can be written again when a key rotates.
    private func specFile(_ name: String) throws -> URL {
        try workspace.endpointDirectory(name).appendingPathComponent("kubernetes.json")
    }

    private func rehearsalDirectory(_ name: String) throws -> URL {
        try workspace.endpointDirectory(name).appendingPathComponent("kubernetes-rehearsal")
    }

    public func state(of endpoint: EndpointRecord) -> State {
        if let container = endpoint.container, container.hasPrefix(Self.rehearsalPrefix),
           let directory = try? rehearsalDirectory(endpoint.name) {
            return .rehearsed(file: directory.appendingPathComponent("deployment.yaml"))
        }
        if let container = endpoint.container, container.hasPrefix(Self.clusterPrefix) {
            return .applied(namespace: String(container.dropFirst(Self.clusterPrefix.count)), portForward: endpoint.pid.map(Int32.init))
        }
        return .notApplied
    }

    public func deploy(_ version: ModelVersion, as name: String, from deployedFrom: String?, settings: Settings) throws -> Outcome {
        try Workspace.validateName(name, kind: "endpoint")
        let existing = try workspace.endpoints().first { $0.name == name }
        guard let engine = ContainerEngine.detect() else { throw ContainerEngine.unavailableError }
        if settings.rehearse && engine.kind != .podman {
            throw DeployError("rehearse=true runs the pod with `podman kube play`, and this machine's container engine is \(engine.kind.rawValue)")
        }
        if let port = settings.port {
            let heldByReplaced = existing.map { $0.port == port } ?? false
            if !heldByReplaced { try FreePort.checkAvailable(port) }
        }
        let deployer = Deployer(workspace: workspace)
        let image = try deployer.buildImage(version, endpoint: name, engine: engine, replacing: existing,
                                            authenticated: settings.authenticated)
        if let existing {
            let stopped = deployer.stop(existing, keepingImage: image.tag)
            if stopped.failed { throw DeployError("cannot replace \(name): \(stopped.summary)") }
        }
        let keys = settings.authenticated ? EndpointKeys.generate() : nil
        try keys?.write(workspace, endpoint: name)
        if !settings.authenticated { try? FileManager.default.removeItem(at: EndpointKeys.file(workspace, endpoint: name)) }

        // A registry gets the image under its own name; without one the manifests name the local
        // tag, which a cluster can run once the image is loaded into its nodes.
        let localTag = image.tag
        let imageReference = settings.registry.map { "\($0)/\(localTag.hasPrefix("localhost/") ? String(localTag.dropFirst(10)) : localTag)" } ?? localTag
        let manifests = KubernetesManifests(
            endpoint: name, namespace: settings.namespace, image: imageReference, replicas: settings.replicas,
            minReplicas: settings.minReplicas, maxReplicas: settings.maxReplicas, cpu: settings.cpu, memory: settings.memory,
            serving: settings.serving, modelName: version.name, modelVersion: version.version,
            keys: keys.map { [$0.primary, $0.secondary] })
        let directory = try manifestsDirectory(name)
        try manifests.write(into: directory)
        try JSONEncoder().encode(manifests.withoutKeys).write(to: try specFile(name))
        let commands = applyCommands(manifests, engine: engine, localTag: localTag, directory: directory)

        var state = State.notApplied
        var url = Self.notAppliedURL, port = 0, pid: Int?, container: String?
        var note: String
        if settings.rehearse {
            let hostPort = try settings.port ?? FreePort.pick()
            let file = try rehearse(manifests, name: name, engine: engine, hostPort: hostPort, modelHash: version.contentHash)
            state = .rehearsed(file: file)
            url = "http://127.0.0.1:\(hostPort)"; port = hostPort
            container = Self.rehearsalPrefix + Self.rehearsalName(workspaceID: try workspace.identifier(), manifests: manifests)
            note = "rehearsed with podman kube play: no cluster was asked"
        } else {
            let cluster = Kubectl.cluster()
            note = cluster.why
            if let kubectl = cluster.kubectl {
                if settings.registry != nil {
                    try engine.push(localTag, as: imageReference)
                }
                try kubectl.apply(directory)
                let kind = settings.serving == .kserve ? "inferenceservice" : "deployment"
                try kubectl.waitForRollout(kind: kind, name: manifests.resourceName, namespace: settings.namespace)
                let localPort = try settings.port ?? FreePort.pick()
                let logs = try deployer.logDirectory(name)
                let forward = try LocalProcess.spawnDetached(
                    executable: kubectl.executable,
                    arguments: kubectl.portForwardArguments(service: settings.serving == .kserve ? manifests.resourceName + "-predictor" : manifests.resourceName,
                                                            namespace: settings.namespace, localPort: localPort,
                                                            servicePort: settings.serving == .kserve ? 80 : KubernetesManifests.servicePort),
                    logFile: logs.appendingPathComponent("port-forward.log"))
                url = "http://127.0.0.1:\(localPort)"; port = localPort; pid = Int(forward)
                container = Self.clusterPrefix + settings.namespace
                state = .applied(namespace: settings.namespace, portForward: forward)
                try Readiness.wait(url: url + "/health/ready", timeout: Deployer.readinessTimeout,
                                   alive: { LocalProcess.isAlive(pid: forward) }) {
                    "see \(logs.appendingPathComponent("port-forward.log").path)"
                }
            }
        }
        let record = EndpointRecord(name: name, model: version.name, modelVersion: version.version, modelHash: version.contentHash,
                                    target: "kubernetes", url: url, port: port, pid: pid, container: container, image: localTag,
                                    auth: settings.authenticated ? "key" : "none", deployedFrom: deployedFrom)
        try workspace.saveEndpoint(record)
        return Outcome(deployment: Deployer.Deployment(endpoint: record, keys: keys, replaced: existing), manifests: directory,
                       files: manifests.files.map(\.name), state: state, clusterNote: note, commands: commands,
                       imageBytes: engine.imageSize(localTag))
    }

    /// The commands that put the image where a cluster can pull it and apply the manifests.
    private func applyCommands(_ manifests: KubernetesManifests, engine: ContainerEngine, localTag: String, directory: URL) -> [String] {
        var commands: [String] = []
        if manifests.image != localTag {
            commands.append(engine.commandLine(["tag", localTag, manifests.image]).joined(separator: " "))
            commands.append(engine.commandLine(["push", manifests.image]).joined(separator: " "))
        } else {
            commands.append("# the manifests name the local image \(localTag): load it into the cluster's nodes")
            commands.append("# (kind load docker-image / minikube image load), or deploy again with registry=HOST/PATH to push it")
        }
        if manifests.namespace != "default" { commands.append("kubectl create namespace \(manifests.namespace)") }
        commands.append("kubectl apply -f \(directory.path)")
        commands.append(manifests.serving == .kserve
            ? "kubectl wait --for=condition=Ready -n \(manifests.namespace) inferenceservice/\(manifests.resourceName) --timeout=300s"
            : "kubectl rollout status -n \(manifests.namespace) deployment/\(manifests.resourceName) --timeout=300s")
        return commands
    }

    // MARK: - Rehearsal

    /// The pod's name in the rehearsal: the workspace's id keeps two workspaces apart.
    public static func rehearsalName(workspaceID: String, manifests: KubernetesManifests) -> String {
        String("rappi-\(workspaceID.prefix(8))-\(manifests.resourceName)".prefix(53))
    }

    /// Plays the Deployment's pod with podman and waits until it proves it serves this model.
    private func rehearse(_ manifests: KubernetesManifests, name: String, engine: ContainerEngine, hostPort: Int,
                          modelHash: String) throws -> URL {
        let directory = try rehearsalDirectory(name)
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        var keysFolder: String?
        if let keys = manifests.keys {
            keysFolder = try writeRehearsalKeys(keys, name: name).path
        }
        let proof = ReadinessProof.fresh(modelHash: modelHash)
        let rehearsal = KubernetesManifests.Rehearsal(
            name: Self.rehearsalName(workspaceID: try workspace.identifier(), manifests: manifests), hostPort: hostPort,
            keysDirectory: keysFolder, environment: [(ReadinessProof.nonceVariable, proof.nonce)])
        let file = directory.appendingPathComponent("deployment.yaml")
        try Data(manifests.deployment(rehearsal: rehearsal).text.utf8).write(to: file)
        try engine.kubePlay(file)
        do {
            try Readiness.wait(url: "http://127.0.0.1:\(hostPort)/health/ready", timeout: Deployer.readinessTimeout, proof: proof) {
                "pod logs:\n" + engine.logs(name: rehearsal.name + "-pod-0-server", tail: 20)
            }
        } catch {
            try? engine.kubeDown(file)
            throw error
        }
        return file
    }

    /// The rehearsal's copy of the keys, readable by the pod's non-root user (which the
    /// workspace's private 0600 file is not): what the Secret's volume is in a cluster.
    private func writeRehearsalKeys(_ keys: [String], name: String) throws -> URL {
        let folder = try rehearsalDirectory(name).appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let temporary = folder.appendingPathComponent(".keys.\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(keys.map { $0 + "\n" }.joined().utf8),
                                             attributes: [.posixPermissions: 0o644]),
              rename(temporary.path, folder.appendingPathComponent("keys").path) == 0 else {
            throw DeployError("cannot write the rehearsal's keys into \(folder.path)")
        }
        return folder
    }

    // MARK: - Keys, health, stop

    /// After `endpoint rotate-key`: the Secret manifest (and the rehearsal's keys file) get the
    /// new keys; on a cluster the Secret is applied. Returns what happened, in a sentence.
    public func publish(_ keys: EndpointKeys, endpoint: EndpointRecord) throws -> String {
        guard var manifests = try? JSONDecoder().decode(KubernetesManifests.self, from: Data(contentsOf: specFile(endpoint.name))) else {
            throw DeployError("cannot read \(try specFile(endpoint.name).path) — deploy \(endpoint.name) again to write its manifests")
        }
        manifests.keys = [keys.primary, keys.secondary]
        let secretFile = try manifestsDirectory(endpoint.name).appendingPathComponent("secret.yaml")
        guard FileManager.default.createFile(atPath: secretFile.path, contents: Data(manifests.secret.text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw DeployError("cannot write \(secretFile.path)")
        }
        switch state(of: endpoint) {
        case .rehearsed:
            _ = try writeRehearsalKeys([keys.primary, keys.secondary], name: endpoint.name)
            return "\(secretFile.path) updated; the rehearsal pod reads the new keys file"
        case .applied(let namespace, _):
            guard let kubectl = Kubectl.cluster().kubectl else {
                throw DeployError("\(secretFile.path) is updated but no cluster answers — apply it with `kubectl apply -n \(namespace) -f \(secretFile.path)`")
            }
            try kubectl.apply(secretFile)
            return "Secret \(manifests.secretName) applied; the pods see the new file when the kubelet syncs the volume (about a minute)"
        case .notApplied:
            return "\(secretFile.path) updated — apply it with `kubectl apply -f \(secretFile.path)`"
        }
    }

    public func health(_ endpoint: EndpointRecord) -> Deployer.Health? {
        switch state(of: endpoint) {
        case .notApplied:
            let folder = (try? manifestsDirectory(endpoint.name).path) ?? "endpoints/\(endpoint.name)/kubernetes"
            return .down("not applied — no cluster answered; its manifests are in \(folder)")
        case .rehearsed:
            return nil  // the HTTP check says it all
        case .applied(_, let forward):
            guard let forward, LocalProcess.isAlive(pid: forward), ProcessTable.commandLine(forward)?.contains("port-forward") == true else {
                return .down("its kubectl port-forward has exited — `deploy` it again for a new local URL, or port-forward the Service yourself")
            }
            return nil
        }
    }

    public func stop(_ endpoint: EndpointRecord, keepingImage: String?) -> Deployer.StopOutcome {
        var summary: String
        switch state(of: endpoint) {
        case .notApplied:
            summary = "its manifests were never applied"
        case .rehearsed(let file):
            guard let engine = ContainerEngine.detect() else {
                return Deployer.StopOutcome(summary: "no container engine answers, so the rehearsal pod could not be stopped", failed: true)
            }
            do { try engine.kubeDown(file) } catch { return Deployer.StopOutcome(summary: "\(error)", failed: true) }
            summary = "stopped the rehearsal pod (podman kube down)"
        case .applied(_, let forward):
            guard let kubectl = Kubectl.cluster().kubectl, let directory = try? manifestsDirectory(endpoint.name) else {
                return Deployer.StopOutcome(summary: "no cluster answers, so its resources could not be deleted", failed: true)
            }
            do { try kubectl.delete(directory) } catch { return Deployer.StopOutcome(summary: "\(error)", failed: true) }
            if let forward, ProcessTable.commandLine(forward)?.contains("port-forward") == true {
                _ = LocalProcess.terminate(pid: forward, timeout: 5)
            }
            summary = "deleted its resources from the cluster"
        }
        if let image = endpoint.image, image != keepingImage { ContainerEngine.detect()?.removeImage(image) }
        return Deployer.StopOutcome(summary: summary)
    }
}

extension KubernetesManifests {
    /// The settings without the keys (which stay in the workspace's keys file).
    public var withoutKeys: KubernetesManifests {
        var copy = self
        copy.keys = keys.map { _ in [] }
        return copy
    }
}
