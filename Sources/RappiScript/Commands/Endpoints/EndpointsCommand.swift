import RappiDeploy
import RappiWorkspace

/// `endpoints` — every endpoint with its status, checked now: live (its own server answers for
/// its model), down (and why), and behind when the stage or `latest` it was deployed from has
/// moved on to another version since.
public enum EndpointsCommand: RappiCommand {
    public static let signature = CommandSignature(
        "endpoints", area: "endpoints",
        summary: "List deployed endpoints: model, target, URL, whether each answers now and whether its stage moved on.",
        publishes: ["endpoints", "endpoints_live", "endpoints_behind"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let endpoints = try workspace.endpoints()
        guard !endpoints.isEmpty else {
            return CommandResult("no endpoints — deploy a model with `deploy MODEL local`",
                                 values: [("endpoints", .int(0)), ("endpoints_live", .int(0)), ("endpoints_behind", .int(0))])
        }
        let deployer = Deployer(workspace: workspace)
        var table = TextTable(["name", "model", "follows", "target", "url", "auth", "status", "deployed"])
        var notes: [String] = []
        var live = 0, behind = 0
        for endpoint in endpoints {
            var status: String
            switch deployer.health(endpoint) {
            case .live:
                live += 1
                status = "live"
            case .down(let why):
                status = "down"
                notes.append("\(endpoint.name) is down: \(why)")
            }
            if let lag = Self.lag(endpoint, in: workspace) {
                behind += 1
                status += ", behind"
                notes.append(lag)
            }
            table.add([endpoint.name, "\(endpoint.model) v\(endpoint.modelVersion)", endpoint.deployedFrom ?? "v\(endpoint.modelVersion)",
                       endpoint.target, endpoint.url, endpoint.auth, status, Timestamp.short(endpoint.createdAt)])
        }
        let text = ([table.render()] + notes).joined(separator: "\n")
        return CommandResult(text, values: [("endpoints", .int(endpoints.count)), ("endpoints_live", .int(live)),
                                            ("endpoints_behind", .int(behind))])
    }

    /// A sentence when the endpoint follows `latest` or a stage that names another version now.
    static func lag(_ endpoint: EndpointRecord, in workspace: Workspace) -> String? {
        guard let follows = endpoint.deployedFrom, let selector = ModelSelector(follows) else { return nil }
        let redeploy = "`deploy \(endpoint.model):\(follows) \(endpoint.target) as \(endpoint.name)`"
        guard let current = try? workspace.modelVersion(endpoint.model, selector) else {
            return "\(endpoint.name) serves \(endpoint.model) v\(endpoint.modelVersion), deployed from \(follows), which names no version now"
        }
        guard current.version != endpoint.modelVersion else { return nil }
        return "\(endpoint.name) is behind: it serves \(endpoint.model) v\(endpoint.modelVersion), \(follows) is v\(current.version) now — \(redeploy) to catch up"
    }
}
