import Foundation

/// A recorded script run: a `rappi run`, a `-c` line, piped standard input or a REPL session.
public struct RunRecord: Sendable {
    public let id: Int
    public let kind: String
    public let source: String
    public let scriptHash: String?
    public let parametersJSON: String
    public let startedAt: String
    public let endedAt: String?
    public let status: String
    public let error: String?
    public let cells: Int
    /// The folder relative paths resolved against (for replay).
    public let baseDirectory: String?
}

/// What one statement did, as stored with its run.
public struct RunCellRecord: Sendable {
    public let cell: Int
    public let line: Int
    public let statement: String
    public let ok: Bool
    public let valuesJSON: String
    public let error: String?
    public let durationMilliseconds: Double

    public init(cell: Int, line: Int, statement: String, ok: Bool, valuesJSON: String, error: String?, durationMilliseconds: Double) {
        self.cell = cell; self.line = line; self.statement = statement; self.ok = ok
        self.valuesJSON = valuesJSON; self.error = error; self.durationMilliseconds = durationMilliseconds
    }
}

extension Workspace {
    /// Starts recording a run; its status is `running` (or as given) until `finishRun`. A script
    /// run started `running` is tied to this process (`RunLiveness`): should the process die
    /// first, the run shows as `interrupted`. (Pipeline runs have their own queue and recovery.)
    public func beginRun(kind: String, source: String, scriptText: String?, parametersJSON: String, baseDirectory: String? = nil,
                         status: String = "running") throws -> Int {
        try database.writeTransaction {
            let hash = try scriptText.map { try storeArtifact(Array($0.utf8), kind: "script") }
            try database.run("""
                INSERT INTO runs (kind, source, script_hash, parameters_json, rappi_version, started_at, status, base_directory)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(kind), .text(source), SQLValue(hash), .text(parametersJSON), .text(Self.rappiVersion), .text(Timestamp.now()),
                      .text(status), SQLValue(baseDirectory)])
            let id = database.lastInsertedRowID
            // Locked before the row commits, so no reader sees it running without its lock.
            if status == "running" && kind != "pipeline" { try runLiveness.hold(id) }
            return id
        }
    }

    public func recordCell(run: Int, _ cell: RunCellRecord) throws {
        try database.run("""
            INSERT OR REPLACE INTO run_cells (run_id, cell, line, statement, ok, values_json, error, duration_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [SQLValue(run), SQLValue(cell.cell), SQLValue(cell.line), .text(cell.statement), SQLValue(cell.ok ? 1 : 0),
                  .text(cell.valuesJSON), SQLValue(cell.error), .real(cell.durationMilliseconds)])
    }

    public func finishRun(_ id: Int, status: String, error: String?) throws {
        defer { runLiveness.release(id) }
        try database.run("UPDATE runs SET status = ?, error = ?, ended_at = ? WHERE id = ?",
                         [.text(status), SQLValue(error), .text(Timestamp.now()), SQLValue(id)])
    }

    /// Marks `interrupted` every script run still `running` whose process is gone (killed
    /// mid-way, crashed); their cells so far are kept. Called before runs are read. Returns the
    /// runs it marked.
    @discardableResult
    func markInterruptedRuns() throws -> [Int] {
        let running = try database.query("SELECT id FROM runs WHERE status = 'running' AND kind != 'pipeline'").compactMap { $0[0].int }
        let gone = running.filter(runLiveness.isAbandoned)
        guard !gone.isEmpty else { return [] }
        try database.writeTransaction {
            for id in gone {
                try database.run("UPDATE runs SET status = 'interrupted', error = ? WHERE id = ? AND status = 'running'",
                                 [.text("its process stopped before the run finished (killed or crashed); the cells recorded until then are kept"),
                                  SQLValue(id)])
            }
        }
        return gone
    }

    /// The script a run executed (nil for REPL sessions).
    public func scriptText(of run: RunRecord) throws -> String? {
        guard let hash = run.scriptHash else { return nil }
        return String(decoding: try artifacts.read(hash), as: UTF8.self)
    }

    public func runs(limit: Int = 50) throws -> [RunRecord] {
        try markInterruptedRuns()
        return try database.query("""
            SELECT r.id, r.kind, r.source, r.script_hash, r.parameters_json, r.started_at, r.ended_at, r.status, r.error,
                   (SELECT COUNT(*) FROM run_cells c WHERE c.run_id = r.id), r.base_directory
            FROM runs r ORDER BY r.id DESC LIMIT ?
            """, [SQLValue(limit)]).map(Self.runRecord).reversed()
    }

    public func run(_ id: Int) throws -> RunRecord? {
        try markInterruptedRuns()
        return try database.query("""
            SELECT r.id, r.kind, r.source, r.script_hash, r.parameters_json, r.started_at, r.ended_at, r.status, r.error,
                   (SELECT COUNT(*) FROM run_cells c WHERE c.run_id = r.id), r.base_directory
            FROM runs r WHERE r.id = ?
            """, [SQLValue(id)]).first.map(Self.runRecord)
    }

    public func runCells(_ id: Int) throws -> [RunCellRecord] {
        try database.query("""
            SELECT cell, line, statement, ok, values_json, error, duration_ms FROM run_cells WHERE run_id = ? ORDER BY cell
            """, [SQLValue(id)]).map { row in
            RunCellRecord(cell: try row.integer(0, "run_cells.cell"), line: try row.integer(1, "run_cells.line"), statement: try row.text(2, "run_cells.statement"), ok: row[3].int == 1,
                          valuesJSON: try row.text(4, "run_cells.values_json"), error: row[5].string, durationMilliseconds: row[6].double ?? 0)
        }
    }

    private static func runRecord(_ row: [SQLValue]) throws -> RunRecord {
        RunRecord(id: try row.integer(0, "runs.id"), kind: try row.text(1, "runs.kind"), source: try row.text(2, "runs.source"), scriptHash: row[3].string,
                  parametersJSON: try row.text(4, "runs.parameters_json"), startedAt: try row.text(5, "runs.started_at"), endedAt: row[6].string,
                  status: try row.text(7, "runs.status"), error: row[8].string, cells: row[9].int ?? 0, baseDirectory: row[10].string)
    }
}
