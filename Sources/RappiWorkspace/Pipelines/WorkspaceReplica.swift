import Foundation

/// What a remote pipeline worker needs of the workspace to execute one run, as rows: the run
/// and its planned steps, the pipeline version, the compute target, and the dataset and model
/// registries (names, versions, content hashes — not the content, which the worker downloads by
/// hash only when a step reads it). Seeded into the worker's private scratch workspace, the rows
/// make every lookup a step does — `load dataset titanic 0`, a fingerprint's dataset version, a
/// reused step's registered model — resolve exactly as on the server, so the run computes the
/// same bytes. Both sides must run the same schema.
public enum WorkspaceReplica {
    /// Tables in foreign-key order, each with the rows one run needs.
    private static func selections(runID: Int, pipeline: String, version: Int, compute: String) -> [(table: String, filter: String, parameters: [SQLValue])] {
        [
            ("artifacts", "WHERE hash IN (SELECT content_hash FROM dataset_versions UNION SELECT content_hash FROM model_versions)", []),
            ("datasets", "", []),
            ("dataset_versions", "", []),
            ("models", "", []),
            ("runs", "WHERE id = ? OR id IN (SELECT run_id FROM model_versions WHERE run_id IS NOT NULL)", [SQLValue(runID)]),
            ("model_versions", "", []),
            ("compute_targets", "WHERE name = ?", [.text(compute)]),
            ("pipelines", "WHERE name = ? AND version = ?", [.text(pipeline), SQLValue(version)]),
            ("pipeline_runs", "WHERE run_id = ?", [SQLValue(runID)]),
            ("pipeline_steps", "WHERE run_id = ?", [SQLValue(runID)]),
        ]
    }

    /// The rows run `runID` needs, as a JSON object.
    public static func export(runID: Int, from workspace: Workspace) throws -> [String: Any] {
        let run = try workspace.pipelineRun(runID)
        var tables: [[String: Any]] = []
        for selection in selections(runID: runID, pipeline: run.pipeline, version: run.pipelineVersion, compute: run.compute) {
            let columns = try columns(of: selection.table, in: workspace)
            let rows = try workspace.database.query(
                "SELECT \(columns.joined(separator: ", ")) FROM \(selection.table) \(selection.filter)", selection.parameters)
            tables.append(["table": selection.table, "columns": columns, "rows": rows.map { $0.map(encode) }])
        }
        return ["schema_version": workspace.schemaVersion, "tables": tables]
    }

    /// Writes exported rows into `workspace` (a fresh scratch workspace), in one transaction.
    public static func seed(_ replica: [String: Any], into workspace: Workspace) throws {
        guard let version = replica["schema_version"] as? Int, let tables = replica["tables"] as? [[String: Any]] else {
            throw WorkspaceError("the workspace server sent no run data this rappi understands")
        }
        guard version == workspace.schemaVersion else {
            throw WorkspaceError("""
                the workspace server's schema is version \(version), this worker's rappi has version \(workspace.schemaVersion) — \
                install the same rappi on the worker as on the server
                """)
        }
        try workspace.database.writeTransaction {
            for table in tables {
                guard let name = table["table"] as? String, let columns = table["columns"] as? [String],
                      let rows = table["rows"] as? [[Any]] else { throw WorkspaceError("malformed run data from the workspace server") }
                let known = Set(try Self.columns(of: name, in: workspace))
                guard !known.isEmpty, columns.allSatisfy(known.contains) else {
                    throw WorkspaceError("the workspace server sent table '\(name.prefix(40))' with columns this rappi does not have")
                }
                let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
                try workspace.database.runEach(
                    "INSERT OR REPLACE INTO \(name) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
                    try rows.map { row in try row.map(decode) })
            }
        }
    }

    private static func columns(of table: String, in workspace: Workspace) throws -> [String] {
        try workspace.database.query("PRAGMA table_info(\(table))").compactMap { $0[1].string }
    }

    /// Integers as JSON numbers, reals wrapped (`{"real": 0.5}`) so they come back as reals.
    private static func encode(_ value: SQLValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .integer(let v): return v
        case .real(let v): return ["real": v]
        case .text(let v): return v
        }
    }

    private static func decode(_ value: Any) throws -> SQLValue {
        switch value {
        case is NSNull: return .null
        case let text as String: return .text(text)
        case let wrapped as [String: Any]:
            guard let number = wrapped["real"] as? NSNumber else { throw WorkspaceError("malformed value in run data") }
            return .real(number.doubleValue)
        case let number as NSNumber: return .integer(number.int64Value)
        default: throw WorkspaceError("malformed value in run data")
        }
    }
}
