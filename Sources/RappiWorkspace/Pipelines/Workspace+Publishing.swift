import Foundation
import Crypto
import RappiML

extension Workspace {
    /// Publishes the latest version of a pipeline. Publishing again moves the published pipeline
    /// to the latest version and keeps its id and token, so callers need no change.
    public func publishPipeline(_ name: String) throws -> (published: PublishedPipeline, previousVersion: Int?) {
        let definition = try pipeline(name)
        return try database.writeTransaction {
            if let existing = try publishedPipelineIfPresent(name) {
                try database.run("UPDATE published_pipelines SET pipeline_version = ? WHERE name = ?",
                                 [SQLValue(definition.version), .text(name)])
                return (try publishedPipelineIfPresent(name)!, existing.pipelineVersion)
            }
            let id = "pp-" + Self.randomHex(bytes: 6)
            let token = "rpt_" + Self.randomHex(bytes: 24)
            try database.run("""
                INSERT INTO published_pipelines (id, name, pipeline_version, token, created_at) VALUES (?, ?, ?, ?, ?)
                """, [.text(id), .text(name), SQLValue(definition.version), .text(token), .text(Timestamp.now())])
            return (try publishedPipelineIfPresent(name)!, nil)
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

    private static func publishedPipeline(_ row: [SQLValue]) -> PublishedPipeline {
        PublishedPipeline(id: row[0].string!, name: row[1].string!, pipelineVersion: row[2].int!, token: row[3].string!,
                          createdAt: row[4].string ?? "")
    }

    /// Random hex from the system's secure generator (ids and tokens, never training).
    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
