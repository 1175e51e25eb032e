import Foundation
import Crypto
import RappiML

extension Workspace {
    /// Publishes the latest version of a pipeline. Publishing again moves the published pipeline
    /// to the latest version and keeps its id and token, so callers need no change. `token` is
    /// the new bearer token — only when one was made (first publication, or `newToken`, which
    /// retires the old one); only its hash is stored.
    public func publishPipeline(_ name: String, newToken: Bool = false)
        throws -> (published: PublishedPipeline, previousVersion: Int?, token: String?) {
        let definition = try pipeline(name)
        return try database.writeTransaction {
            let token = "rpt_" + Self.randomHex(bytes: 24)
            if let existing = try publishedPipelineIfPresent(name) {
                try database.run("UPDATE published_pipelines SET pipeline_version = ? WHERE name = ?",
                                 [SQLValue(definition.version), .text(name)])
                if newToken {
                    try database.run("UPDATE published_pipelines SET token = ? WHERE name = ?", [.text(PublishingToken.hash(token)), .text(name)])
                }
                return (try publishedPipelineIfPresent(name)!, existing.pipelineVersion, newToken ? token : nil)
            }
            let id = "pp-" + Self.randomHex(bytes: 6)
            try database.run("""
                INSERT INTO published_pipelines (id, name, pipeline_version, token, created_at) VALUES (?, ?, ?, ?, ?)
                """, [.text(id), .text(name), SQLValue(definition.version), .text(PublishingToken.hash(token)), .text(Timestamp.now())])
            return (try publishedPipelineIfPresent(name)!, nil, token)
        }
    }

    /// The published pipeline whose token this is, if any.
    public func publishedPipeline(acceptingToken token: some StringProtocol) throws -> PublishedPipeline? {
        try database.query("SELECT id, name, pipeline_version, token, created_at FROM published_pipelines WHERE token = ?",
                           [.text(PublishingToken.hash(token))]).first.map(Self.publishedPipeline)
    }

    /// Tokens stored in clear by an older rappi are replaced by their hashes (they keep working).
    func hashClearTokens() throws {
        let clear = try database.query("SELECT name, token FROM published_pipelines WHERE token NOT LIKE 'sha256:%'")
        guard !clear.isEmpty else { return }
        try database.writeTransaction {
            for row in clear {
                try database.run("UPDATE published_pipelines SET token = ? WHERE name = ? AND token = ?",
                                 [.text(PublishingToken.hash(try row.text(1, "published_pipelines.token"))), row[0], row[1]])
            }
        }
    }

    public func publishedPipelines() throws -> [PublishedPipeline] {
        try database.query("SELECT id, name, pipeline_version, token, created_at FROM published_pipelines ORDER BY name")
            .map(Self.publishedPipeline)
    }

    public func publishedPipeline(_ name: String) throws -> PublishedPipeline {
        if let found = try publishedPipelineIfPresent(name) { return found }
        let names = try publishedPipelines().map(\.name)
        let hint = NameSuggestion.closest(to: name, in: names).map { " — did you mean '\($0)'?" }
            ?? " — publish it first with `publish pipeline \(name)`"
        throw WorkspaceError("pipeline '\(name)' is not published\(hint)")
    }

    public func publishedPipelineIfPresent(_ name: String) throws -> PublishedPipeline? {
        try database.query("SELECT id, name, pipeline_version, token, created_at FROM published_pipelines WHERE name = ?",
                           [.text(name)]).first.map(Self.publishedPipeline)
    }

    public func unpublishPipeline(_ name: String) throws {
        _ = try publishedPipeline(name)
        try database.run("DELETE FROM published_pipelines WHERE name = ?", [.text(name)])
    }

    private static func publishedPipeline(_ row: [SQLValue]) throws -> PublishedPipeline {
        PublishedPipeline(id: try row.text(0, "published_pipelines.id"), name: try row.text(1, "published_pipelines.name"), pipelineVersion: try row.integer(2, "published_pipelines.pipeline_version"), tokenHash: try row.text(3, "published_pipelines.token_hash"),
                          createdAt: row[4].string ?? "")
    }

    /// Random hex from the system's secure generator (ids and tokens, never training).
    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
