import Foundation
import RappiWorkspace

/// The manifest set `deploy … kubernetes` writes into `endpoints/NAME/kubernetes/`: a Secret with
/// the API keys (mounted as the file the server re-reads, so rotating a key is a Secret update,
/// not a restart), then either a Deployment, a Service and a HorizontalPodAutoscaler, or
/// (`serving=kserve`) a KServe InferenceService in raw-deployment mode; and a PodDisruptionBudget.
///
/// The pod runs the endpoint image as the numeric non-root user of `BuildContext`, read-only,
/// with every capability dropped, seccomp RuntimeDefault and no service-account token; only
/// `/tmp` and the log folder are writable (emptyDir volumes).
public struct KubernetesManifests: Sendable, Codable {
    public enum Serving: String, Sendable, CaseIterable, Codable { case deployment, kserve }

    public var endpoint: String
    public var namespace: String
    public var image: String
    public var replicas: Int
    public var minReplicas: Int
    public var maxReplicas: Int
    public var cpu: String
    public var memory: String
    public var serving: Serving
    public var modelName: String
    public var modelVersion: Int
    /// The key file's lines (primary, secondary); nil for `auth=none`.
    public var keys: [String]?

    public init(endpoint: String, namespace: String, image: String, replicas: Int, minReplicas: Int, maxReplicas: Int,
                cpu: String, memory: String, serving: Serving, modelName: String, modelVersion: Int, keys: [String]?) {
        self.endpoint = endpoint; self.namespace = namespace; self.image = image; self.replicas = replicas
        self.minReplicas = minReplicas; self.maxReplicas = maxReplicas; self.cpu = cpu; self.memory = memory
        self.serving = serving; self.modelName = modelName; self.modelVersion = modelVersion; self.keys = keys
    }

    /// Scale-out starts when the pods' CPU use averages this share of their request.
    public static let targetCPUUtilization = 70
    public static let servicePort = 80

    /// The endpoint's name as Kubernetes accepts it (a DNS-1123 label of at most 50 characters,
    /// leaving room for suffixes): lowercase letters, digits and `-`. A name that had to change
    /// gets 8 characters of its hash, so `Titanic_RF` and `titanic-rf` stay two names.
    public var resourceName: String { Self.resourceName(endpoint) }

    public static func resourceName(_ name: String) -> String {
        var out = ""
        for scalar in name.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9": out.unicodeScalars.append(scalar)
            default: out += "-"
            }
        }
        out = String(out.drop { $0 == "-" })
        while out.hasSuffix("-") { out.removeLast() }
        if out.isEmpty { out = "model" }
        if out == name && out.count <= 50 { return out }
        let hash = String(Array(name.utf8).withUnsafeBytes { ArtifactStore.hash($0) }.prefix(8))
        return String(out.prefix(41)) + "-" + hash
    }

    public var secretName: String { resourceName + "-keys" }

    /// The selector: stable across model versions, so a new version is a rolling update.
    public var selectorLabels: [(String, YAMLNode)] {
        [("app.kubernetes.io/name", .string("rappi-endpoint")), ("app.kubernetes.io/instance", .string(resourceName))]
    }

    private var labels: [(String, YAMLNode)] {
        selectorLabels + [
            ("app.kubernetes.io/component", .string("model-server")),
            ("app.kubernetes.io/managed-by", .string("rappi")),
            ("rappi.dev/model", .string(Self.labelValue(modelName))),
            ("rappi.dev/model-version", .string(String(modelVersion))),
        ]
    }

    /// The files to write, in the order `kubectl apply` should meet them.
    public var files: [(name: String, document: YAMLNode)] {
        var out: [(name: String, document: YAMLNode)] = []
        if keys != nil { out.append(("secret.yaml", secret)) }
        switch serving {
        case .deployment:
            out += [("deployment.yaml", deployment), ("service.yaml", service), ("hpa.yaml", autoscaler)]
        case .kserve:
            out.append(("inferenceservice.yaml", inferenceService))
        }
        out.append(("pdb.yaml", disruptionBudget))
        return out
    }

    /// Writes the files into `directory` (replacing what was there), each one YAML document.
    public func write(into directory: URL) throws {
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: directory)
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (name, document) in files {
            // The Secret holds the keys: as private as the workspace's own keys file.
            let mode = name == "secret.yaml" ? 0o600 : 0o644
            guard fileManager.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data(document.text.utf8),
                                         attributes: [.posixPermissions: mode]) else {
                throw DeployError("cannot write \(directory.appendingPathComponent(name).path)")
            }
        }
    }

    private func metadata(_ name: String, extra: [(String, YAMLNode)] = []) -> YAMLNode {
        .map([("name", .string(name)), ("namespace", .string(namespace)), ("labels", .map(labels))] + extra)
    }

    // MARK: - Documents

    public var secret: YAMLNode {
        let text = (keys ?? []).map { $0 + "\n" }.joined()
        return .map([
            ("apiVersion", .string("v1")), ("kind", .string("Secret")),
            ("metadata", metadata(secretName)),
            ("type", .string("Opaque")),
            ("data", .map([("keys", .string(Data(text.utf8).base64EncodedString()))])),
        ])
    }

    public var deployment: YAMLNode { deployment(rehearsal: nil) }

    /// What `podman kube play` can run on this machine in place of a cluster: the Deployment
    /// with one replica named `rehearsal.name`, the keys from a host folder instead of the
    /// Secret, the port published on the loopback, and no httpGet probes (podman runs those
    /// inside the container, and a FROM-scratch image has nothing to run them with). Everything
    /// else — image, user, read-only root, dropped capabilities, volumes — is the real pod's.
    public struct Rehearsal: Sendable {
        public let name: String
        public let hostPort: Int
        public let keysDirectory: String?
        public let environment: [(name: String, value: String)]

        public init(name: String, hostPort: Int, keysDirectory: String?, environment: [(name: String, value: String)]) {
            self.name = name; self.hostPort = hostPort; self.keysDirectory = keysDirectory; self.environment = environment
        }
    }

    public func deployment(rehearsal: Rehearsal?) -> YAMLNode {
        .map([
            ("apiVersion", .string("apps/v1")), ("kind", .string("Deployment")),
            ("metadata", metadata(rehearsal?.name ?? resourceName)),
            ("spec", .map([
                ("replicas", .int(rehearsal == nil ? replicas : 1)),
                ("revisionHistoryLimit", .int(5)),
                ("selector", .map([("matchLabels", .map(selectorLabels))])),
                // A new version starts beside the old one; no replica is taken away before its
                // successor is ready.
                ("strategy", .map([("type", .string("RollingUpdate")),
                                   ("rollingUpdate", .map([("maxUnavailable", .int(0)), ("maxSurge", .int(1))]))])),
                ("template", .map([
                    ("metadata", .map([("labels", .map(labels)), ("annotations", .map(scrapeAnnotations))])),
                    ("spec", podSpec(containerName: "server", rehearsal: rehearsal)),
                ])),
            ])),
        ])
    }

    public var service: YAMLNode {
        .map([
            ("apiVersion", .string("v1")), ("kind", .string("Service")),
            ("metadata", metadata(resourceName)),
            ("spec", .map([
                ("type", .string("ClusterIP")),
                ("selector", .map(selectorLabels)),
                ("ports", .list([.map([("name", .string("http")), ("port", .int(Self.servicePort)),
                                       ("targetPort", .string("http")), ("protocol", .string("TCP"))])])),
            ])),
        ])
    }

    public var autoscaler: YAMLNode {
        .map([
            ("apiVersion", .string("autoscaling/v2")), ("kind", .string("HorizontalPodAutoscaler")),
            ("metadata", metadata(resourceName)),
            ("spec", .map([
                ("scaleTargetRef", .map([("apiVersion", .string("apps/v1")), ("kind", .string("Deployment")),
                                         ("name", .string(resourceName))])),
                ("minReplicas", .int(minReplicas)),
                ("maxReplicas", .int(maxReplicas)),
                ("metrics", .list([.map([
                    ("type", .string("Resource")),
                    ("resource", .map([("name", .string("cpu")),
                                       ("target", .map([("type", .string("Utilization")),
                                                        ("averageUtilization", .int(Self.targetCPUUtilization))]))])),
                ])])),
            ])),
        ])
    }

    /// At most one pod away at a time for voluntary disruptions (drains, upgrades): a node drain
    /// is never blocked, and with two replicas or more one always serves.
    public var disruptionBudget: YAMLNode {
        let selector: [(String, YAMLNode)] = serving == .kserve
            ? [("serving.kserve.io/inferenceservice", .string(resourceName))] : selectorLabels
        return .map([
            ("apiVersion", .string("policy/v1")), ("kind", .string("PodDisruptionBudget")),
            ("metadata", metadata(resourceName)),
            ("spec", .map([("maxUnavailable", .int(1)), ("selector", .map([("matchLabels", .map(selector))]))])),
        ])
    }

    /// KServe's raw-deployment mode: KServe makes the Deployment, Service and HPA from this.
    public var inferenceService: YAMLNode {
        var predictor: [(String, YAMLNode)] = [("minReplicas", .int(minReplicas)), ("maxReplicas", .int(maxReplicas)),
                                                ("scaleMetric", .string("cpu")), ("scaleTarget", .int(Self.targetCPUUtilization))]
        if case .map(let pod) = podSpec(containerName: "kserve-container") { predictor += pod }
        return .map([
            ("apiVersion", .string("serving.kserve.io/v1beta1")), ("kind", .string("InferenceService")),
            ("metadata", metadata(resourceName, extra: [("annotations", .map(
                [("serving.kserve.io/deploymentMode", .string("RawDeployment")),
                 ("serving.kserve.io/autoscalerClass", .string("hpa"))] + scrapeAnnotations))])),
            ("spec", .map([("predictor", .map(predictor))])),
        ])
    }

    private var scrapeAnnotations: [(String, YAMLNode)] {
        [("prometheus.io/scrape", .string("true")), ("prometheus.io/port", .string(String(BuildContext.containerPort))),
         ("prometheus.io/path", .string("/metrics"))]
    }

    // MARK: - The pod

    private func podSpec(containerName: String, rehearsal: Rehearsal? = nil) -> YAMLNode {
        let user = YAMLNode.int(BuildContext.serverUser)
        var mounts: [YAMLNode] = [
            .map([("name", .string("tmp")), ("mountPath", .string("/tmp"))]),
            .map([("name", .string("logs")), ("mountPath", .string(BuildContext.logDirectory))]),
        ]
        var volumes: [YAMLNode] = [
            .map([("name", .string("tmp")), ("emptyDir", .map([("sizeLimit", .string("64Mi"))]))]),
            .map([("name", .string("logs")), ("emptyDir", .map([]))]),
        ]
        if keys != nil {
            mounts.append(.map([("name", .string("keys")), ("mountPath", .string(BuildContext.keysMountDirectory)),
                                ("readOnly", .bool(true))]))
        }
        if keys != nil, let folder = rehearsal?.keysDirectory {
            volumes.append(.map([("name", .string("keys")),
                                 ("hostPath", .map([("path", .string(folder)), ("type", .string("Directory"))]))]))
        } else if keys != nil {
            // 0440 and the pod's fsGroup: readable by the server's group only.
            volumes.append(.map([("name", .string("keys")), ("secret", .map([
                ("secretName", .string(secretName)), ("defaultMode", .int(0o440)),
                ("items", .list([.map([("key", .string("keys")), ("path", .string("keys"))])])),
            ]))]))
        }
        func probe(_ path: String, period: Int, failures: Int) -> YAMLNode {
            .map([("httpGet", .map([("path", .string(path)), ("port", .string("http"))])),
                  ("periodSeconds", .int(period)), ("timeoutSeconds", .int(2)), ("failureThreshold", .int(failures))])
        }
        let resources: YAMLNode = .map([("cpu", .string(cpu)), ("memory", .string(memory))])
        var port: [(String, YAMLNode)] = [("name", .string("http")), ("containerPort", .int(BuildContext.containerPort)),
                                          ("protocol", .string("TCP"))]
        if let rehearsal { port += [("hostPort", .int(rehearsal.hostPort)), ("hostIP", .string("127.0.0.1"))] }
        var container: [(String, YAMLNode)] = [
            ("name", .string(containerName)),
            ("image", .string(image)),
            ("imagePullPolicy", .string("IfNotPresent")),
            ("ports", .list([.map(port)])),
            // Requests equal limits: the Guaranteed class, the last to be evicted.
            ("resources", .map([("requests", resources), ("limits", resources)])),
        ]
        if let rehearsal {
            container.append(("env", .list(rehearsal.environment.map { .map([("name", .string($0.name)), ("value", .string($0.value))]) })))
        } else {
            // Startup allows a minute to load the model; afterwards readiness takes a pod out of
            // the Service quickly and liveness restarts one only when the process stops answering.
            container += [
                ("startupProbe", probe("/health/ready", period: 2, failures: 30)),
                ("readinessProbe", probe("/health/ready", period: 5, failures: 2)),
                ("livenessProbe", probe("/health/live", period: 10, failures: 3)),
            ]
        }
        container += [
            ("securityContext", .map([
                ("runAsNonRoot", .bool(true)), ("runAsUser", user), ("runAsGroup", user),
                ("allowPrivilegeEscalation", .bool(false)), ("readOnlyRootFilesystem", .bool(true)),
                ("capabilities", .map([("drop", .list([.string("ALL")]))])),
            ])),
            ("volumeMounts", .list(mounts)),
        ]
        return .map([
            ("automountServiceAccountToken", .bool(false)),
            ("enableServiceLinks", .bool(false)),
            ("terminationGracePeriodSeconds", .int(30)),
            ("securityContext", .map([
                ("runAsNonRoot", .bool(true)), ("runAsUser", user), ("runAsGroup", user), ("fsGroup", user),
                ("seccompProfile", .map([("type", .string("RuntimeDefault"))])),
            ])),
            ("containers", .list([.map(container)])),
            ("volumes", .list(volumes)),
        ])
    }

    /// A label value (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends).
    static func labelValue(_ text: String) -> String {
        var out = String(text.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return Character(scalar)
            default: return "-"
            }
        }.prefix(63))
        while let c = out.first, !(c.isLetter || c.isNumber) { out.removeFirst() }
        while let c = out.last, !(c.isLetter || c.isNumber) { out.removeLast() }
        return out
    }
}
