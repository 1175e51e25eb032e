import Foundation
import RappiML
import RappiWorkspace

/// Where published pipelines are reached: the running workspace server, else the port
/// `rappi serve` uses by default.
enum PublishedAddress {
    static let defaultPort = 8321

    static func baseURL(_ workspace: Workspace) -> (url: String, live: Bool) {
        if let server = WorkspaceServerRecord.live(in: workspace.directory) { return (server.baseURL, true) }
        return ("http://127.0.0.1:\(defaultPort)", false)
    }

    static func runsURL(_ base: String, _ name: String) -> String { "\(base)/api/pipelines/\(name)/runs" }
}

/// `publish pipeline NAME`
public enum PublishPipelineCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.pipeline), help: "a pipeline")
    static let newToken = CommandOption("new-token", default: false,
                                        help: "make a new bearer token (the old one stops working) — tokens are shown once and stored only as hashes")

    public static let signature = CommandSignature(
        "publish pipeline", area: "pipelines",
        summary: "Publish a pipeline's latest version for REST triggering: prints its id, URL and (once) its bearer token.",
        pattern: [name.spec],
        options: [newToken.spec],
        publishes: ["published_id", "published_url", "published_token"],
        examples: ["publish pipeline titanic_train", "publish pipeline titanic_train new-token=true"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let name = try call.value(Self.name)
        let (published, previous, token) = try workspace.publishPipeline(name, newToken: try call.value(newToken))
        let (base, live) = PublishedAddress.baseURL(workspace)
        let url = PublishedAddress.runsURL(base, name)
        var lines = [previous.map { $0 == published.pipelineVersion
                ? "\(name) v\(published.pipelineVersion) is already published as \(published.id)"
                : "republished \(name): \(published.id) now runs v\(published.pipelineVersion) (was v\($0))" }
            ?? "published \(name) v\(published.pipelineVersion) as \(published.id)"]
        lines.append("  POST \(url)")
        if let token {
            lines.append("  Authorization: Bearer \(token)")
            lines.append("  (the token is shown only now and stored as a hash — keep it; `publish pipeline \(name) new-token=true` replaces it)")
        } else {
            lines.append("  Authorization: Bearer <the token printed when it was first published> (lost it? `publish pipeline \(name) new-token=true`)")
        }
        lines.append("  body: {\"parameters\": {" + (try workspace.pipeline(name).parameters.map { "\"\($0.name)\": \"\($0.defaultValue)\"" }.joined(separator: ", ")) + "}, \"compute\": \"local\"}")
        if !live { lines.append("  (no workspace server is running: start it with `rappi serve --workspace \(workspace.directory.path)`)") }
        var result = CommandResult(lines.joined(separator: "\n"), values: [("published_id", .string(published.id)), ("published_url", .string(url))])
        if let token {
            result.values.append(("published_token", .string(token)))
            result.secrets = [token]
        }
        return result
    }
}

/// `published`
public enum PublishedCommand: RappiCommand {
    public static let signature = CommandSignature(
        "published", area: "pipelines", summary: "List published pipelines with their ids, versions and REST URLs.",
        publishes: ["published"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let all = try workspace.publishedPipelines()
        guard !all.isEmpty else { return CommandResult("nothing published yet — `publish pipeline NAME`", values: [("published", .int(0))]) }
        let (base, _) = PublishedAddress.baseURL(workspace)
        var table = TextTable(["name", "id", "version", "url", "published"])
        table.maxCellWidth = 64
        for item in all {
            table.add([item.name, item.id, "v\(item.pipelineVersion)", PublishedAddress.runsURL(base, item.name), Timestamp.short(item.createdAt)])
        }
        return CommandResult(table.render(), values: [("published", .int(all.count))])
    }
}

/// `unpublish NAME`
public enum UnpublishCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.publishedPipeline), help: "a published pipeline")

    public static let signature = CommandSignature(
        "unpublish", area: "pipelines", summary: "Withdraw a published pipeline: its URL answers 404 and its token stops working.",
        pattern: [name.spec])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        try context.workspace().unpublishPipeline(name)
        return CommandResult("unpublished \(name)")
    }
}
