import RappiML
import Foundation

extension Workspace {
    /// Stores a model file as the next version of `name`; identical bytes under the same name
    /// return the existing version and store nothing.
    public func registerModel(_ registration: ModelRegistration) throws -> ModelRegistrationResult {
        try Self.validateName(registration.name, kind: "model")
        let hash = registration.bytes.withUnsafeBytes { ArtifactStore.hash($0) }
        let staged = try registration.bytes.withUnsafeBytes { try artifacts.stage($0) }
        defer { artifacts.discard(staged) }
        return try database.writeTransaction {
            let modelID = try modelID(named: registration.name, create: true)!
            if let existing = try modelVersions(modelID: modelID, name: registration.name).first(where: { $0.contentHash == hash }) {
                return .unchanged(existing)
            }
            let next = try database.scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model_id = ?", [SQLValue(modelID)]).int ?? 1
            try artifacts.commit(staged, as: hash)
            try recordArtifact(hash: hash, size: registration.bytes.count, kind: "model")
            try database.run("""
                INSERT INTO model_versions (model_id, version, content_hash, algorithm, dataset, dataset_version, dataset_hash,
                    parameters_json, metrics_json, tags_json, stage, run_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'none', ?, ?)
                """, [SQLValue(modelID), SQLValue(next), .text(hash), .text(registration.algorithm), SQLValue(registration.dataset),
                      registration.datasetVersion.map(SQLValue.init) ?? .null, SQLValue(registration.datasetHash),
                      .text(registration.parametersJSON), .text(registration.metricsJSON), .text(registration.tagsJSON),
                      registration.runID.map(SQLValue.init) ?? .null, .text(Timestamp.now())])
            return .created(try modelVersions(modelID: modelID, name: registration.name).first { $0.version == next }!)
        }
    }

    /// The version registered last in this workspace, whatever its name.
    public func latestRegisteredModel() throws -> ModelVersion? {
        guard let row = try database.query("""
            SELECT m.name, v.version FROM model_versions v JOIN models m ON m.id = v.model_id ORDER BY v.id DESC LIMIT 1
            """).first else { return nil }
        return try modelVersion(try row.text(0, "models.name"), .version(.number(try row.integer(1, "model_versions.version"))))
    }

    public func modelNames() -> [String] {
        ((try? database.query("SELECT name FROM models ORDER BY name")) ?? []).compactMap { $0[0].string }
    }

    /// All versions of a model, oldest first.
    public func modelVersions(_ name: String) throws -> [ModelVersion] {
        guard let id = try modelID(named: name, create: false) else { throw unknownModel(name) }
        return try modelVersions(modelID: id, name: name)
    }

    public func modelVersion(_ name: String, _ selector: ModelSelector) throws -> ModelVersion {
        let all = try modelVersions(name)
        switch selector {
        case .version(.latest):
            guard let last = all.last else { throw unknownModel(name) }
            return last
        case .version(.number(let n)):
            guard let match = all.first(where: { $0.version == n }) else {
                throw WorkspaceError("model '\(name)' has no version v\(n) — it has \(all.map { "v\($0.version)" }.joined(separator: ", "))")
            }
            return match
        case .stage(let stage):
            guard let match = all.last(where: { $0.stage == stage.rawValue }) else {
                throw WorkspaceError("model '\(name)' has no version in \(stage.rawValue) — promote one with `promote \(name) vN to \(stage.rawValue)`")
            }
            return match
        }
    }

    /// Moves a version to a stage; the version that held the stage before is archived.
    @discardableResult
    public func promoteModel(_ name: String, version: Int, to stage: ModelStage) throws -> ModelVersion? {
        let target = try modelVersion(name, .version(.number(version)))
        let modelID = try modelID(named: name, create: false)!
        return try database.writeTransaction {
            var previous: ModelVersion?
            if stage == .staging || stage == .production {
                previous = try modelVersions(modelID: modelID, name: name).first { $0.stage == stage.rawValue && $0.version != version }
                try database.run("UPDATE model_versions SET stage = 'archived' WHERE model_id = ? AND stage = ? AND version != ?",
                                 [SQLValue(modelID), .text(stage.rawValue), SQLValue(version)])
            }
            try database.run("UPDATE model_versions SET stage = ? WHERE model_id = ? AND version = ?",
                             [.text(stage.rawValue), SQLValue(modelID), SQLValue(target.version)])
            return previous
        }
    }

    /// The versions pipeline run `runID` registered, oldest first.
    public func modelVersions(registeredByRun runID: Int) throws -> [ModelVersion] {
        let names = try database.query("""
            SELECT DISTINCT m.id, m.name FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.run_id = ?
            """, [SQLValue(runID)])
        return try names.flatMap { row in
            try modelVersions(modelID: try row.integer(0, "models.id"), name: try row.text(1, "models.name")).filter { $0.runID == runID }
        }
    }

    public func loadModelBytes(_ version: ModelVersion) throws -> [UInt8] {
        [UInt8](try artifacts.read(version.contentHash))
    }

    private func unknownModel(_ name: String) -> WorkspaceError {
        let names = modelNames()
        if let close = NameSuggestion.closest(to: name, in: names) {
            return WorkspaceError("no model named '\(name)' — did you mean '\(close)'?")
        }
        if names.isEmpty { return WorkspaceError("no model named '\(name)' — nothing is registered yet; train a model and `register` it") }
        return WorkspaceError("no model named '\(name)' — registered models: \(names.joined(separator: ", "))")
    }

    private func modelID(named name: String, create: Bool) throws -> Int? {
        if let id = try database.scalar("SELECT id FROM models WHERE name = ?", [.text(name)]).int { return id }
        guard create else { return nil }
        try database.run("INSERT INTO models (name, created_at) VALUES (?, ?)", [.text(name), .text(Timestamp.now())])
        return database.lastInsertedRowID
    }

    private func modelVersions(modelID: Int, name: String) throws -> [ModelVersion] {
        try database.query("""
            SELECT version, content_hash, algorithm, dataset, dataset_version, dataset_hash, parameters_json, metrics_json,
                   tags_json, stage, run_id, created_at
            FROM model_versions WHERE model_id = ? ORDER BY version
            """, [SQLValue(modelID)]).map { row in
            ModelVersion(name: name, version: try row.integer(0, "model_versions.version"), contentHash: try row.text(1, "model_versions.content_hash"), algorithm: try row.text(2, "model_versions.algorithm"),
                         dataset: row[3].string, datasetVersion: row[4].int, datasetHash: row[5].string,
                         parametersJSON: try row.text(6, "model_versions.parameters_json"), metricsJSON: try row.text(7, "model_versions.metrics_json"), tagsJSON: try row.text(8, "model_versions.tags_json"),
                         stage: try row.text(9, "model_versions.stage"), runID: row[10].int, createdAt: try row.text(11, "model_versions.created_at"))
        }
    }
}
