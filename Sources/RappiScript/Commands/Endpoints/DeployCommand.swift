import RappiDeploy
import RappiWorkspace

/// `deploy [MODEL[:vN|:stage]] local|aci [as NAME] [port=N] [auth=key|none]`
public enum DeployCommand: RappiCommand {
    public static let signature = CommandSignature(
        "deploy", area: "endpoints",
        summary: "Deploy a registered model as an HTTP service: local (a process) or aci (a container instance).",
        pattern: [
            .argument(ArgumentSpec("model", .text, help: "MODEL, MODEL:v2 or MODEL:production — or the target, to deploy the model just registered")),
            .optional([.argument(ArgumentSpec("target", .choice(["local", "aci"]), help: "local or aci"))]),
            .optional([.keyword("as"), .argument(ArgumentSpec("name", .name, help: "the endpoint's name (default: the model's)"))]),
        ],
        options: [
            OptionSpec("port", .integer, help: "host port (default: a free one)"),
            OptionSpec("auth", .choice(["key", "none"]), default: "key", help: "require an API key (Authorization: Bearer KEY)"),
        ],
        publishes: ["endpoint", "url", "port"],
        examples: ["deploy local", "deploy titanic_rf:v2 aci as titanic port=8080", "deploy titanic_linsvc local auth=none"])

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
        let version = try ModelReference.resolve(modelText, in: context, for: "deploy")
        let name = try call.string("name") ?? version.name
        if let port = try call.int("port"), !(1...65535).contains(port) {
            throw call.error("option 'port' must be between 1 and 65535, got \(port)", at: "port")
        }
        let authenticated = try call.string("auth") == "key"
        let deployer = Deployer(workspace: try context.workspace())
        let (endpoint, keys) = try deployer.deploy(version, as: name, target: target!, port: try call.int("port"),
                                                   authenticated: authenticated)
        var lines = ["deployed \(version.name) v\(version.version) as \(name) (\(target!)" +
                     (endpoint.pid.map { ", pid \($0)" } ?? "") + (endpoint.image.map { ", image \($0)" } ?? "") + ")",
                     "  url   \(endpoint.url)/score"]
        if let keys {
            lines.append("  key   \(keys.primary)")
            lines.append("  use   curl -H 'Authorization: Bearer \(keys.primary)' -H 'Content-Type: application/json' -d '{\"data\": [{…}]}' \(endpoint.url)/score")
        } else {
            lines.append("  auth  none")
        }
        var result = CommandResult(lines.joined(separator: "\n"), values: [
            ("endpoint", .string(name)), ("url", .string(endpoint.url)), ("port", .int(endpoint.port)),
        ])
        result.secrets = keys.map { [$0.primary] } ?? []  // kept out of run records and step logs
        return result
    }
}
