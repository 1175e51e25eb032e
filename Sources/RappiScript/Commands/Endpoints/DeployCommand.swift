import RappiDeploy
import RappiWorkspace

/// `deploy [MODEL[:vN|:stage]] local|aci [as NAME] [port=N] [auth=key|none] [tls-cert=FILE tls-key=FILE]`
public enum DeployCommand: RappiCommand {
    public static let signature = CommandSignature(
        "deploy", area: "endpoints",
        summary: "Deploy a registered model as an HTTP service: local (a process) or aci (a container instance).",
        pattern: [
            .argument(ArgumentSpec("model", .text, help: "MODEL, MODEL:v2 or MODEL:production — or the target, to deploy the model just registered")),
            .optional([.argument(ArgumentSpec("target", .choice(["local", "aci"]), help: "local or aci"))]),
            .optional([.keyword("as"), .argument(ArgumentSpec("name", .name, help: "the endpoint's name (default: the model's)"))]),
        ],
        options: ServerOptions.specs,
        publishes: ["endpoint", "url", "port", "replaced"],
        examples: ["deploy local", "deploy titanic_rf:v2 aci as titanic port=8080", "deploy titanic_linsvc local auth=none",
                   "deploy titanic_rf local tls-cert=server.pem tls-key=server.key"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let first = try call.string("model")!
        var modelText: String? = first
        var target = try call.string("target")
        if target == nil {
            guard first == "local" || first == "aci" else {
                throw call.error("deploy needs a target after the model: local or aci, as in `deploy \(first) local`", at: "model")
            }
            target = first
            modelText = nil
        }
        // The name first: nothing may be written, started or stopped under a name that is refused.
        let name = try call.string("name")
        if let name {
            do { try Workspace.validateName(name, kind: "endpoint") } catch { throw call.error("\(error)", at: "name") }
        }
        let version = try ModelReference.resolve(modelText, in: context, for: "deploy")
        let endpointName = name ?? version.name
        let authenticated = try call.value(ServerOptions.auth) == .key
        let tls = try ServerOptions.tls(call)
        if tls != nil && target == "aci" {
            throw call.error("tls-cert= is for local endpoints: a container endpoint serves plain HTTP on the host's loopback (terminate TLS in front of it)", at: ServerOptions.tlsCert.name)
        }
        let deployer = Deployer(workspace: try context.workspace())
        let deployment = try deployer.deploy(version, as: endpointName, from: try ModelReference.follows(modelText), target: target!,
                                             port: try call.value(ServerOptions.port), authenticated: authenticated, tls: tls)
        let endpoint = deployment.endpoint
        var lines = ["deployed \(version.name) v\(version.version) as \(endpointName) (\(target!)" +
                     (endpoint.pid.map { ", pid \($0)" } ?? "") + (endpoint.image.map { ", image \($0)" } ?? "") + ")"]
        if let replaced = deployment.replaced { lines.append("  replaced  " + Self.replacement(of: replaced, by: endpoint)) }
        lines.append("  url   \(endpoint.url)/score")
        if let keys = deployment.keys {
            lines.append("  key   \(keys.primary)")
            lines.append("  use   curl -H 'Authorization: Bearer \(keys.primary)' -H 'Content-Type: application/json' -d '{\"data\": [{…}]}' \(endpoint.url)/score")
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
        if old.url != new.url { changes.append("url \(old.url) → \(new.url) (the old one no longer answers)") }
        if new.auth == "key" {
            changes.append("a new API key (the old keys no longer work)")
        } else if old.auth == "key" {
            changes.append("no API key any more (auth=none)")
        }
        return "the previous \(new.name), deployed \(Timestamp.short(old.createdAt)): " + changes.joined(separator: ", ")
    }
}
