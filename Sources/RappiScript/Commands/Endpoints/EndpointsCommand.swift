import RappiWorkspace

/// `endpoints` — every endpoint with its live status, checked now.
public enum EndpointsCommand: RappiCommand {
    public static let signature = CommandSignature(
        "endpoints", area: "endpoints", summary: "List deployed endpoints: model, target, URL and whether each answers now.",
        publishes: ["endpoints", "endpoints_live"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let endpoints = try workspace.endpoints()
        guard !endpoints.isEmpty else {
            return CommandResult("no endpoints — deploy a model with `deploy MODEL local`",
                                 values: [("endpoints", .int(0)), ("endpoints_live", .int(0))])
        }
        let deployer = Deployer(workspace: workspace)
        var table = TextTable(["name", "model", "target", "url", "auth", "status", "deployed"])
        var live = 0
        for endpoint in endpoints {
            let up = deployer.isLive(endpoint)
            if up { live += 1 }
            table.add([endpoint.name, "\(endpoint.model) v\(endpoint.modelVersion)", endpoint.target, endpoint.url,
                       endpoint.auth, up ? "live" : "down", Timestamp.short(endpoint.createdAt)])
        }
        return CommandResult(table.render(), values: [("endpoints", .int(endpoints.count)), ("endpoints_live", .int(live))])
    }
}
