import Foundation
import RappiML

extension Workspace {
    /// `experiments/NAME/`: the control file, the router's API keys and logs.
    public func experimentDirectory(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent("experiments").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return url
    }

    public func experimentControlFile(_ name: String) throws -> URL {
        try experimentDirectory(name).appendingPathComponent("control")
    }

    /// Records a new experiment, replacing a stopped one of the same name with its traffic.
    public func saveExperiment(_ experiment: ExperimentRecord) throws {
        try Self.validateName(experiment.name, kind: "experiment")
        let name = SQLValue.text(experiment.name)
        try database.writeTransaction {
            try database.run("DELETE FROM experiment_assignments WHERE experiment = ?", [name])
            try database.run("DELETE FROM experiment_outcomes WHERE experiment = ?", [name])
            try database.run("DELETE FROM experiments WHERE name = ?", [name])
            let a = experiment.a, b = experiment.b
            try database.run("""
                INSERT INTO experiments (name, variant_a, model_a, version_a, hash_a, variant_b, model_b, version_b, hash_b,
                                         split_a, unit, seed, promoted, status, url, port, pid, auth, created_at, stopped_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [name, .text(a.source), .text(a.model), SQLValue(a.version), .text(a.hash),
                      .text(b.source), .text(b.model), SQLValue(b.version), .text(b.hash),
                      SQLValue(experiment.splitA), SQLValue(experiment.unit), .integer(Int64(bitPattern: experiment.seed)),
                      SQLValue(experiment.promoted), .text(experiment.status), SQLValue(experiment.url),
                      experiment.port.map(SQLValue.init) ?? .null, experiment.pid.map(SQLValue.init) ?? .null,
                      .text(experiment.auth), .text(experiment.createdAt), SQLValue(experiment.stoppedAt)])
        }
        try experiment.control.write(experimentControlFile(experiment.name))
    }

    public func experiments() throws -> [ExperimentRecord] {
        try database.query("SELECT \(Self.experimentColumns) FROM experiments ORDER BY name").map(Self.experimentRecord)
    }

    public func experiment(_ name: String) throws -> ExperimentRecord {
        if let row = try database.query("SELECT \(Self.experimentColumns) FROM experiments WHERE name = ?", [.text(name)]).first {
            return try Self.experimentRecord(row)
        }
        let names = try experiments().map(\.name)
        if let close = NameSuggestion.closest(to: name, in: names) {
            throw WorkspaceError("no experiment named '\(name)' — did you mean '\(close)'?")
        }
        throw WorkspaceError(names.isEmpty
            ? "no experiment named '\(name)' — start one with `abtest start \(name) A vs B`"
            : "no experiment named '\(name)' — experiments: \(names.joined(separator: ", "))")
    }

    /// Changes the split and/or the promoted variant: the row, then the control file the router
    /// watches (so the next request sees it).
    @discardableResult
    public func updateExperimentControl(_ name: String, splitA: Int? = nil, promoted: String?? = nil) throws -> ExperimentRecord {
        var experiment = try self.experiment(name)
        if let splitA { experiment.splitA = splitA }
        if let promoted { experiment.promoted = promoted }
        try database.run("UPDATE experiments SET split_a = ?, promoted = ? WHERE name = ?",
                         [SQLValue(experiment.splitA), SQLValue(experiment.promoted), .text(name)])
        try experiment.control.write(experimentControlFile(name))
        return experiment
    }

    public func markExperimentRunning(_ name: String, url: String, port: Int, pid: Int) throws {
        try database.run("UPDATE experiments SET status = 'running', url = ?, port = ?, pid = ? WHERE name = ?",
                         [.text(url), SQLValue(port), SQLValue(pid), .text(name)])
    }

    public func markExperimentStopped(_ name: String) throws {
        try database.run("UPDATE experiments SET status = 'stopped', pid = NULL, stopped_at = ? WHERE name = ?",
                         [.text(Timestamp.now()), .text(name)])
    }

    /// Stores a batch of assignments and outcomes in one transaction, stamped `createdAt`.
    public func recordExperimentTraffic(_ experiment: String, assignments: [ExperimentAssignment], outcomes: [ExperimentOutcome],
                                        createdAt: String = Timestamp.now()) throws {
        guard !assignments.isEmpty || !outcomes.isEmpty else { return }
        let name = SQLValue.text(experiment), stamp = SQLValue.text(createdAt)
        try database.writeTransaction {
            try database.runEach("""
                INSERT OR REPLACE INTO experiment_assignments (request_id, experiment, variant, unit, prediction, share_a, latency_us, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, assignments.map {
                    [.text($0.requestID), name, .text($0.variant), SQLValue($0.unit), .text($0.prediction), .real($0.shareA),
                     SQLValue($0.latencyMicroseconds), stamp]
                })
            try database.runEach("""
                INSERT OR REPLACE INTO experiment_outcomes (request_id, experiment, outcome, created_at) VALUES (?, ?, ?, ?)
                """, outcomes.map { [.text($0.requestID), name, .text($0.outcome), stamp] })
        }
    }

    /// The stored variant of each of `requestIDs` that belongs to `experiment` (others are absent).
    public func experimentAssignedVariants(_ experiment: String, requestIDs: [String]) throws -> [String: String] {
        var found: [String: String] = [:]
        try lookUp(requestIDs, "SELECT request_id, variant FROM experiment_assignments WHERE experiment = ? AND request_id IN", experiment) {
            found[try $0.text(0, "experiment_assignments.request_id")] = try $0.text(1, "experiment_assignments.variant")
        }
        return found
    }

    /// Those of `requestIDs` that already have a stored outcome in `experiment`.
    public func experimentRequestsWithOutcome(_ experiment: String, requestIDs: [String]) throws -> Set<String> {
        var found: Set<String> = []
        try lookUp(requestIDs, "SELECT request_id FROM experiment_outcomes WHERE experiment = ? AND request_id IN", experiment) {
            found.insert(try $0.text(0, "experiment_outcomes.request_id"))
        }
        return found
    }

    /// Runs `select … IN (…)` over `requestIDs` in chunks: SQLite binds at most 999 parameters in older builds.
    private func lookUp(_ requestIDs: [String], _ select: String, _ experiment: String, _ row: ([SQLValue]) throws -> Void) throws {
        var start = 0
        while start < requestIDs.count {
            let chunk = Array(requestIDs[start..<min(start + 500, requestIDs.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for found in try database.query("\(select) (\(marks))", [.text(experiment)] + chunk.map { .text($0) }) { try row(found) }
            start += chunk.count
        }
    }

    /// Requests, expectation, outcomes, correct predictions and latencies for A then B.
    public func experimentSummary(_ experiment: String) throws -> [ExperimentVariantSummary] {
        try ["A", "B"].map { variant in
            let key: [SQLValue] = [.text(experiment), .text(variant)]
            let counts = try database.query("""
                SELECT COUNT(*), COUNT(o.request_id), COALESCE(SUM(CASE WHEN o.outcome = a.prediction THEN 1 ELSE 0 END), 0)
                FROM experiment_assignments a LEFT JOIN experiment_outcomes o ON o.request_id = a.request_id
                WHERE a.experiment = ? AND a.variant = ?
                """, key)[0]
            // Over every assignment of the experiment: Σ share_a is A's expected count, Σ (1 − share_a) B's.
            let expected = try database.scalar("""
                SELECT COALESCE(SUM(CASE WHEN ? = 'A' THEN share_a ELSE 1 - share_a END), 0)
                FROM experiment_assignments WHERE experiment = ?
                """, [.text(variant), .text(experiment)]).double ?? 0
            let latencies = try database.query(
                "SELECT latency_us FROM experiment_assignments WHERE experiment = ? AND variant = ? ORDER BY latency_us", key
            ).map { $0[0].int ?? 0 }
            return ExperimentVariantSummary(variant: variant, requests: counts[0].int ?? 0, expectedRequests: expected,
                                            outcomes: counts[1].int ?? 0, correct: counts[2].int ?? 0, latencies: latencies)
        }
    }

    /// For a regression experiment: |outcome − prediction| of every record with an outcome, per
    /// variant (A, B), in the order the records were assigned. Texts that are not numbers are skipped.
    public func experimentAbsoluteErrors(_ experiment: String) throws -> (a: [Double], b: [Double]) {
        var errors: [String: [Double]] = ["A": [], "B": []]
        for row in try database.query("""
            SELECT a.variant, a.prediction, o.outcome
            FROM experiment_assignments a JOIN experiment_outcomes o ON o.request_id = a.request_id
            WHERE a.experiment = ? ORDER BY a.rowid
            """, [.text(experiment)]) {
            guard let variant = row[0].string, let predicted = row[1].string.flatMap(Double.init),
                  let outcome = row[2].string.flatMap(Double.init) else { continue }
            errors[variant, default: []].append(abs(outcome - predicted))
        }
        return (errors["A"]!, errors["B"]!)
    }

    /// For an experiment with a unit: the distinct units first assigned to A and to B, and how
    /// many of them the split expected each to get (Σ share at each unit's first assignment).
    /// The unit is what is randomised, so the sample-ratio check counts units, not requests.
    public func experimentUnitCounts(_ experiment: String) throws -> (a: Int, b: Int, expectedA: Double, expectedB: Double) {
        let row = try database.query("""
            SELECT COALESCE(SUM(a.variant = 'A'), 0), COALESCE(SUM(a.variant = 'B'), 0),
                   COALESCE(SUM(a.share_a), 0), COALESCE(SUM(1 - a.share_a), 0)
            FROM experiment_assignments a
            JOIN (SELECT MIN(rowid) AS first FROM experiment_assignments
                  WHERE experiment = ? AND unit IS NOT NULL GROUP BY unit) f ON a.rowid = f.first
            """, [.text(experiment)])[0]
        return (row[0].int ?? 0, row[1].int ?? 0, row[2].double ?? 0, row[3].double ?? 0)
    }

    public func experimentRequestCount(_ experiment: String) throws -> Int {
        try database.scalar("SELECT COUNT(*) FROM experiment_assignments WHERE experiment = ?", [.text(experiment)]).int ?? 0
    }

    public func experimentOutcomeCount(_ experiment: String) throws -> Int {
        try database.scalar("SELECT COUNT(*) FROM experiment_outcomes WHERE experiment = ?", [.text(experiment)]).int ?? 0
    }

    private static let experimentColumns = """
        name, variant_a, model_a, version_a, hash_a, variant_b, model_b, version_b, hash_b, split_a, unit, seed, promoted,
        status, url, port, pid, auth, created_at, stopped_at
        """

    private static func experimentRecord(_ row: [SQLValue]) throws -> ExperimentRecord {
        ExperimentRecord(
            name: try row.text(0, "experiments.name"),
            a: ExperimentVariant(label: "A", source: try row.text(1, "experiments.variant_a"), model: try row.text(2, "experiments.model_a"), version: try row.integer(3, "experiments.version_a"), hash: try row.text(4, "experiments.hash_a")),
            b: ExperimentVariant(label: "B", source: try row.text(5, "experiments.variant_b"), model: try row.text(6, "experiments.model_b"), version: try row.integer(7, "experiments.version_b"), hash: try row.text(8, "experiments.hash_b")),
            splitA: try row.integer(9, "experiments.split_a"), unit: row[10].string, seed: UInt64(bitPattern: Int64(row[11].int ?? 0)), promoted: row[12].string,
            status: try row.text(13, "experiments.status"), url: row[14].string, port: row[15].int, pid: row[16].int, auth: try row.text(17, "experiments.auth"),
            createdAt: try row.text(18, "experiments.created_at"), stoppedAt: row[19].string)
    }
}
