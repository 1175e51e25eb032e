import RappiWorkspace

/// `endpoint rotate-key NAME` — a new primary key; the old primary keeps working as the
/// secondary until the next rotation, so clients can move over without downtime.
public enum RotateKeyCommand: RappiCommand {
    public static let signature = CommandSignature(
        "endpoint rotate-key", area: "endpoints",
        summary: "Give an endpoint a new primary API key; the previous primary becomes the secondary.",
        pattern: [.argument(ArgumentSpec("name", .name, help: "an endpoint from `endpoints`"))],
        examples: ["endpoint rotate-key titanic_rf"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.string("name")!
        let workspace = try context.workspace()
        let endpoint = try workspace.endpoint(name)
        guard endpoint.auth == "key", let keys = try EndpointKeys.read(workspace, endpoint: name) else {
            throw call.error("\(name) was deployed with auth=none — redeploy it with auth=key to use keys", at: "name")
        }
        let rotated = keys.rotated()
        try rotated.write(workspace, endpoint: name)
        var result = CommandResult("\(name): new primary key \(rotated.primary)\n  the previous key still works as the secondary until the next rotation")
        result.secrets = [rotated.primary]  // kept out of run records and step logs
        return result
    }
}
