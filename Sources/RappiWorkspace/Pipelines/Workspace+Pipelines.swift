import Foundation
import RappiML

extension Workspace {
    /// Stores a definition: the next version of `name` when its text differs from the latest,
    /// else the latest unchanged (`created` false).
    public func definePipeline(name: String, parameters: [PipelineDefinition.Parameter], body: String,
                               steps: [PipelineDefinition.Step], baseDirectory: String?) throws -> (definition: PipelineDefinition, created: Bool) {
        try Self.validateName(name, kind: "pipeline")
        let parametersJSON = PipelineDefinition.encodeParameters(parameters)
        let hash = Array((parametersJSON + "\n" + body).utf8).withUnsafeBytes { ArtifactStore.hash($0) }
        return try database.writeTransaction {
            if let latest = try pipelineIfPresent(name, version: nil), latest.textHash == hash {
                return (latest, false)
            }
            let next = (try database.scalar("SELECT MAX(version) FROM pipelines WHERE name = ?", [.text(name)]).int ?? 0) + 1
            try database.run("""
                INSERT INTO pipelines (name, version, parameters_json, body, steps_json, text_hash, base_directory, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(name), SQLValue(next), .text(parametersJSON), .text(body), .text(PipelineDefinition.encodeSteps(steps)), .text(hash), SQLValue(baseDirectory),
                      .text(Timestamp.now())])
            return (try pipelineIfPresent(name, version: next)!, true)
        }
    }

    /// The latest version of every pipeline, by name.
    public func pipelines() throws -> [PipelineDefinition] {
        try database.query("""
            SELECT \(Self.pipelineColumns) FROM pipelines p
            WHERE version = (SELECT MAX(version) FROM pipelines q WHERE q.name = p.name) ORDER BY name
            """).map(Self.pipelineDefinition)
    }

    /// A pipeline's given version (the latest when nil), or an error suggesting a close name.
    public func pipeline(_ name: String, version: Int? = nil) throws -> PipelineDefinition {
        if let found = try pipelineIfPresent(name, version: version) { return found }
        if let version, try pipelineIfPresent(name, version: nil) != nil {
            throw WorkspaceError("pipeline '\(name)' has no version \(version)")
        }
        let names = try pipelines().map(\.name)
        let hint = NameSuggestion.closest(to: name, in: names).map { " — did you mean '\($0)'?" }
            ?? (names.isEmpty ? " — define one with `pipeline \(name)(…) { … }`" : " — pipelines are: \(names.joined(separator: ", "))")
        throw WorkspaceError("no pipeline '\(name)'\(hint)")
    }

    public func pipelineVersionCount(_ name: String) throws -> Int {
        try database.scalar("SELECT COUNT(*) FROM pipelines WHERE name = ?", [.text(name)]).int ?? 0
    }

    private func pipelineIfPresent(_ name: String, version: Int?) throws -> PipelineDefinition? {
        let rows: [[SQLValue]]
        if let version {
            rows = try database.query("SELECT \(Self.pipelineColumns) FROM pipelines WHERE name = ? AND version = ?",
                                      [.text(name), SQLValue(version)])
        } else {
            rows = try database.query("SELECT \(Self.pipelineColumns) FROM pipelines WHERE name = ? ORDER BY version DESC LIMIT 1",
                                      [.text(name)])
        }
        return try rows.first.map(Self.pipelineDefinition)
    }

    private static let pipelineColumns = "name, version, parameters_json, body, steps_json, text_hash, base_directory, created_at"

    private static func pipelineDefinition(_ row: [SQLValue]) throws -> PipelineDefinition {
        PipelineDefinition(name: try row.text(0, "pipelines.name"), version: try row.integer(1, "pipelines.version"), parameters: PipelineDefinition.decodeParameters(row[2].string ?? "[]"),
                           body: row[3].string ?? "", steps: PipelineDefinition.decodeSteps(row[4].string ?? "[]"),
                           textHash: row[5].string ?? "", baseDirectory: row[6].string, createdAt: row[7].string ?? "")
    }
}
