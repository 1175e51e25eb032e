import RappiDeploy
import RappiWorkspace

/// `deploy [MODEL[:vN|:stage]] local|aci|kubernetes [as NAME] [port=N] [auth=key|none]
/// [tls-cert=FILE tls-key=FILE]`, and for kubernetes `[replicas=N] [namespace=NS] [cpu=…]
/// [memory=…] [min=N max=N] [serving=kserve] [registry=…] [rehearse=true]`.
public enum DeployCommand: RappiCommand {
    static let model = CommandArgument<String>("model", help: "MODEL, MODEL:v2 or MODEL:production — or the target, to deploy the model just registered")
    static let target = CommandArgument<String?>("target", kind: .choice(targets), help: "local, aci or kubernetes")
    static let name = CommandArgument<String?>("name", kind: .name, help: "the endpoint's name (default: the model's)")

    public static let signature = CommandSignature(
        "deploy", area: "endpoints",
        summary: "Deploy a registered model as an HTTP service: local (a process), aci (a container instance) or kubernetes (manifests, applied when a cluster answers).",
        pattern: [
            model.spec,
            .optional([target.spec]),
            .optional([.keyword("as"), name.spec]),
        ],
        options: ServerOptions.specs + KubernetesOptions.specs,
        publishes: ["endpoint", "url", "port", "replaced"],
        examples: ["deploy local", "deploy titanic_rf:v2 aci as titanic port=8080", "deploy titanic_linsvc local auth=none",
                   "deploy titanic_rf kubernetes replicas=3 namespace=ml cpu=500m memory=256Mi min=2 max=8",
                   "deploy titanic_rf kubernetes serving=kserve", "deploy titanic_rf kubernetes rehearse=true",
                   "deploy titanic_rf local tls-cert=server.pem tls-key=server.key"])

    static let targets = ["local", "aci", "kubernetes"]

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let first = try call.value(Self.model)
        var modelText: String? = first
        var target = try call.value(Self.target)
        if target == nil {
            guard targets.contains(first) else {
                throw call.error("deploy needs a target after the model: local, aci or kubernetes, as in `deploy \(first) local`", at: "model")
            }
            target = first
            modelText = nil
        }
        // The name first: nothing may be written, started or stopped under a name that is refused.
        let name = try call.value(Self.name)
        if let name {
            do { try Workspace.validateName(name, kind: "endpoint") } catch { throw call.error("\(error)", at: "name") }
        }
        if target != "kubernetes", let option = KubernetesOptions.names.first(where: { call.has($0) }) {
            throw call.error("option '\(option)' is for the kubernetes target; `deploy … \(target!)` does not take it", at: option)
        }
        let settings = target == "kubernetes" ? try kubernetesSettings(call) : nil
        let version = try ModelReference.resolve(modelText, in: context, for: "deploy")
        let endpointName = name ?? version.name
        let authenticated = try call.value(ServerOptions.auth) == .key
        let tls = try ServerOptions.tls(call)
        if tls != nil && target != "local" {
            throw call.error("tls-cert= is for local endpoints: a \(target!) endpoint serves plain HTTP inside its container (terminate TLS in front of it: an ingress or load balancer)", at: ServerOptions.tlsCert.name)
        }
        if var settings {
            settings.authenticated = authenticated
            let outcome = try KubernetesEndpoints(workspace: try context.workspace())
                .deploy(version, as: endpointName, from: try ModelReference.follows(modelText), settings: settings)
            return result(outcome.deployment, version: version, target: target!, kubernetes: outcome)
        }
        let deployer = Deployer(workspace: try context.workspace())
        let deployment = try deployer.deploy(version, as: endpointName, from: try ModelReference.follows(modelText), target: target!,
                                             port: try call.value(ServerOptions.port), authenticated: authenticated, tls: tls)
        return result(deployment, version: version, target: target!, kubernetes: nil)
    }

    /// The kubernetes options, checked together (min ≤ replicas ≤ max).
    static func kubernetesSettings(_ call: BoundCall) throws -> KubernetesEndpoints.Settings {
        let replicas = try call.value(KubernetesOptions.replicas)
        let minimum = try call.value(KubernetesOptions.min) ?? replicas
        let maximum = try call.value(KubernetesOptions.max) ?? Swift.max(minimum, replicas) * 3
        if minimum > replicas {
            throw call.error("option 'min' is \(minimum), more than replicas=\(replicas): the autoscaler's range must hold the starting replicas", at: "min")
        }
        if maximum < Swift.max(minimum, replicas) {
            throw call.error("option 'max' is \(maximum), less than \(maximum < minimum ? "min=\(minimum)" : "replicas=\(replicas)"): the autoscaler's range must hold the starting replicas", at: "max")
        }
        return KubernetesEndpoints.Settings(
            namespace: try call.value(KubernetesOptions.namespace), replicas: replicas, minReplicas: minimum, maxReplicas: maximum,
            cpu: try call.value(KubernetesOptions.cpu), memory: try call.value(KubernetesOptions.memory),
            serving: try call.value(KubernetesOptions.serving).manifests, registry: try call.value(KubernetesOptions.registry),
            rehearse: try call.value(KubernetesOptions.rehearse), port: try call.value(ServerOptions.port), authenticated: true)
    }

    static func result(_ deployment: Deployer.Deployment, version: ModelVersion, target: String,
                       kubernetes: KubernetesEndpoints.Outcome?) -> CommandResult {
        let endpoint = deployment.endpoint
        let endpointName = endpoint.name
        var lines = ["deployed \(version.name) v\(version.version) as \(endpointName) (\(target)" +
                     (endpoint.pid.map { ", pid \($0)" } ?? "") + (endpoint.image.map { ", image \($0)" } ?? "") + ")"]
        if let replaced = deployment.replaced { lines.append("  replaced  " + Self.replacement(of: replaced, by: endpoint)) }
        if let kubernetes {
            lines.append("  manifests  \(kubernetes.manifests.path)/ (\(kubernetes.files.joined(separator: ", ")))")
            if let bytes = kubernetes.imageBytes { lines.append("  image size \(ByteSize.describe(bytes))") }
            switch kubernetes.state {
            case .applied(let namespace, _):
                lines.append("  applied    to namespace \(namespace) (\(kubernetes.clusterNote)); the url is a kubectl port-forward to the Service")
            case .rehearsed:
                lines.append("  rehearsed  the Deployment's pod runs here under podman kube play (no cluster was used)")
            case .notApplied:
                lines.append("  not applied: \(kubernetes.clusterNote), so the manifests are written and nothing runs. To apply them:")
                for command in kubernetes.commands { lines.append("    \(command)") }
            }
        }
        if endpoint.url != KubernetesEndpoints.notAppliedURL {
            lines.append("  url   \(endpoint.url)/score")
        }
        if let keys = deployment.keys {
            lines.append("  key   \(keys.primary)")
            if endpoint.url != KubernetesEndpoints.notAppliedURL {
                lines.append("  use   curl -H 'Authorization: Bearer \(keys.primary)' -H 'Content-Type: application/json' -d '{\"data\": [{…}]}' \(endpoint.url)/score")
            }
        } else {
            lines.append("  auth  none")
        }
        var result = CommandResult(lines.joined(separator: "\n"), values: [
            ("endpoint", .string(endpointName)), ("url", .string(endpoint.url)), ("port", .int(endpoint.port)),
            ("replaced", .string(deployment.replaced.map { "\($0.model) v\($0.modelVersion)" } ?? "")),
        ])
        result.secrets = deployment.keys.map { [$0.primary] } ?? []  // kept out of run records and step logs
        return result
    }

    /// What changed for the endpoint's clients when `new` took the place of `old`.
    static func replacement(of old: EndpointRecord, by new: EndpointRecord) -> String {
        var changes: [String] = []
        if old.model != new.model || old.modelVersion != new.modelVersion {
            changes.append("model \(old.model) v\(old.modelVersion) → \(new.model) v\(new.modelVersion)")
        } else {
            changes.append("same model \(new.model) v\(new.modelVersion)")
        }
        if old.target != new.target { changes.append("target \(old.target) → \(new.target)") }
        if old.url != new.url && old.url != KubernetesEndpoints.notAppliedURL { changes.append("url \(old.url) → \(new.url) (the old one no longer answers)") }
        if new.auth == "key" {
            changes.append("a new API key (the old keys no longer work)")
        } else if old.auth == "key" {
            changes.append("no API key any more (auth=none)")
        }
        return "the previous \(new.name), deployed \(Timestamp.short(old.createdAt)): " + changes.joined(separator: ", ")
    }
}
