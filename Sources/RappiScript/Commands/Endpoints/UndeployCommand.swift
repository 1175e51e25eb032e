import Foundation
import RappiDeploy
import RappiWorkspace

/// `undeploy NAME` — stops the process or container and forgets the endpoint. Only what is still
/// that endpoint's is stopped: a recorded pid that now names another program is left alone.
public enum UndeployCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.endpoint), help: "an endpoint from `endpoints`")

    public static let signature = CommandSignature(
        "undeploy", area: "endpoints", summary: "Stop an endpoint's process or container and remove it.",
        pattern: [name.spec],
        examples: ["undeploy titanic_rf"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let workspace = try context.workspace()
        let endpoint = try workspace.endpoint(name)
        let stopped = Deployer(workspace: workspace).stop(endpoint)
        guard !stopped.failed else {
            throw CommandFailure("cannot undeploy \(name): \(stopped.summary) — it is still listed in `endpoints`; try again")
        }
        try workspace.removeEndpoint(name)
        try? FileManager.default.removeItem(at: workspace.endpointDirectory(name))
        return CommandResult("undeployed \(name) (\(endpoint.target), \(endpoint.url)): \(stopped.summary)")
    }
}
