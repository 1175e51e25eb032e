import Foundation
import RappiML

extension Workspace {
    /// Uploads the CSV file, or folder of CSV files with one header, at `path` as the next version
    /// of dataset `name`. Everything is parsed and validated before anything is stored, so a failed
    /// upload stores nothing; identical content returns the existing version and creates nothing.
    /// Without `target`, a new version keeps the latest version's target when the new data has
    /// that column (`target` always overrides).
    public func uploadDataset(
        name: String, path: URL, target: String?, description: String?,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws -> DatasetUploadResult {
        try Self.validateName(name, kind: "dataset")
        let files = try Self.csvFiles(at: path)
        let content = try files.count == 1
            ? stageSingleFile(files[0], isCancelled: isCancelled)
            : stageConcatenation(files, isCancelled: isCancelled)
        let frame = content.frame, hash = content.hash
        if frame.rowCount == 0 {
            artifacts.discard(content.staged)
            throw WorkspaceError("\(path.lastPathComponent) has a header (\(frame.columnNames.joined(separator: ", "))) but no data rows — a dataset needs at least one row")
        }
        if let target, frame.column(named: target) == nil {
            artifacts.discard(content.staged)
            let hint = NameSuggestion.closest(to: target, in: frame.columnNames).map { " — did you mean '\($0)'?" }
                ?? " — columns are: \(frame.columnNames.joined(separator: ", "))"
            throw WorkspaceError("target column '\(target)' is not in \(path.lastPathComponent)\(hint)")
        }
        let schema = frame.columns.map { DatasetVersion.ColumnSchema(name: $0.name, type: $0.type.rawValue) }
        let schemaJSON = String(decoding: try JSONEncoder().encode(schema), as: UTF8.self)
        defer { artifacts.discard(content.staged) }  // a no-op once committed (renamed away)

        return try database.writeTransaction {
            let datasetID = try datasetID(named: name, create: true)!
            if let existing = try versions(datasetID: datasetID, name: name).first(where: { $0.contentHash == hash }) {
                guard let target, target != existing.target else { return .unchanged(existing) }
                try database.run("UPDATE dataset_versions SET target = ? WHERE dataset_id = ? AND version = ?",
                                 [.text(target), SQLValue(datasetID), SQLValue(existing.version)])
                let updated = try versions(datasetID: datasetID, name: name).first { $0.version == existing.version }!
                return .retargeted(updated, previous: existing.target)
            }
            let latestTarget = try database.scalar(
                "SELECT target FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC LIMIT 1",
                [SQLValue(datasetID)]).string
            let target = target ?? latestTarget.flatMap { frame.column(named: $0) == nil ? nil : $0 }
            let next = (try database.scalar(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE dataset_id = ?",
                [SQLValue(datasetID)]).int) ?? 1
            // The blob is renamed into place before the row naming it commits.
            try artifacts.commit(content.staged, as: hash)
            try recordArtifact(hash: hash, size: content.staged.size, kind: "dataset")
            try database.run("""
                INSERT INTO dataset_versions
                  (dataset_id, version, content_hash, rows, columns, schema_json, target, description, source, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [SQLValue(datasetID), SQLValue(next), .text(hash), SQLValue(frame.rowCount),
                 SQLValue(frame.columns.count), .text(schemaJSON), SQLValue(target), SQLValue(description),
                 .text(path.path), .text(Timestamp.now())])
            return .created(try versions(datasetID: datasetID, name: name).first { $0.version == next }!)
        }
    }

    public func datasetSummaries() throws -> [DatasetSummary] {
        try database.query("SELECT id, name FROM datasets ORDER BY name").compactMap { row in
            let all = try versions(datasetID: try row.integer(0, "datasets.id"), name: try row.text(1, "datasets.name"))
            guard let latest = all.last else { return nil }
            return DatasetSummary(name: latest.name, versions: all.count, latest: latest)
        }
    }

    public func datasetNames() -> [String] {
        ((try? database.query("SELECT name FROM datasets ORDER BY name")) ?? []).compactMap { $0[0].string }
    }

    /// All versions of `name`, oldest first.
    public func datasetVersions(_ name: String) throws -> [DatasetVersion] {
        guard let id = try datasetID(named: name, create: false) else { throw unknownDataset(name) }
        return try versions(datasetID: id, name: name)
    }

    public func datasetVersion(_ name: String, _ selector: VersionSelector) throws -> DatasetVersion {
        let all = try datasetVersions(name)
        switch selector {
        case .latest:
            guard let last = all.last else { throw unknownDataset(name) }
            return last
        case .number(let n):
            guard let match = all.first(where: { $0.version == n }) else {
                let known = all.map { "v\($0.version)" }.joined(separator: ", ")
                throw WorkspaceError("dataset '\(name)' has no version v\(n) — it has \(known)")
            }
            return match
        }
    }

    /// Reads the stored content of a dataset version back into a frame.
    public func loadFrame(_ version: DatasetVersion, isCancelled: (@Sendable () -> Bool)? = nil) throws -> DataFrame {
        let data = try artifacts.read(version.contentHash)
        return try data.withUnsafeBytes {
            try CSVReader.read(bytes: $0, fileName: "\(version.name) v\(version.version)", isCancelled: isCancelled).frame
        }
    }

    // MARK: - helpers

    public static func validateName(_ name: String, kind: String) throws {
        let allowed = name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" || $0 == "."
        }
        guard !name.isEmpty, allowed, name.first!.isLetter else {
            throw WorkspaceError("'\(name)' is not a valid \(kind) name — start with a letter and use letters, digits, '_', '-' or '.'")
        }
    }

    private func unknownDataset(_ name: String) -> WorkspaceError {
        let names = datasetNames()
        if let close = NameSuggestion.closest(to: name, in: names) {
            return WorkspaceError("no dataset named '\(name)' — did you mean '\(close)'?")
        }
        if names.isEmpty { return WorkspaceError("no dataset named '\(name)' — this workspace has no datasets yet; add one with `upload dataset NAME from PATH`") }
        return WorkspaceError("no dataset named '\(name)' — known datasets: \(names.joined(separator: ", "))")
    }

    private func datasetID(named name: String, create: Bool) throws -> Int? {
        if let id = try database.scalar("SELECT id FROM datasets WHERE name = ?", [.text(name)]).int { return id }
        guard create else { return nil }
        try database.run("INSERT INTO datasets (name, created_at) VALUES (?, ?)", [.text(name), .text(Timestamp.now())])
        return database.lastInsertedRowID
    }

    private func versions(datasetID: Int, name: String) throws -> [DatasetVersion] {
        try database.query("""
            SELECT version, content_hash, rows, columns, schema_json, target, description, source, created_at
            FROM dataset_versions WHERE dataset_id = ? ORDER BY version
            """, [SQLValue(datasetID)]).map { row in
            let schema = (try? JSONDecoder().decode([DatasetVersion.ColumnSchema].self, from: Data(try row.text(4, "dataset_versions.schema_json").utf8))) ?? []
            return DatasetVersion(
                name: name, version: try row.integer(0, "dataset_versions.version"), contentHash: try row.text(1, "dataset_versions.content_hash"), rows: try row.integer(2, "dataset_versions.rows"), columns: try row.integer(3, "dataset_versions.columns"),
                schema: schema, target: row[5].string, description: row[6].string, source: try row.text(7, "dataset_versions.source"),
                createdAt: try row.text(8, "dataset_versions.created_at"))
        }
    }

    /// The CSV files at `path`: the file itself, or a folder's `*.csv` files in name order.
    static func csvFiles(at path: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw WorkspaceError("no file or folder at \(path.path) — check the path (relative paths resolve against the script's folder)")
        }
        guard isDirectory.boolValue else { return [path] }
        let entries = try FileManager.default.contentsOfDirectory(at: path, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension.lowercased() == "csv" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !entries.isEmpty else { throw WorkspaceError("folder \(path.path) has no .csv files") }
        return entries
    }

    /// Parsed, hashed and staged content, ready to be committed under its hash.
    struct StagedContent {
        let frame: DataFrame
        let hash: String
        let staged: ArtifactStore.Staged
    }

    /// One file: the parse (on all cores), the SHA-256 and the copy into the store run at once.
    private func stageSingleFile(_ file: URL, isCancelled: (@Sendable () -> Bool)?) throws -> StagedContent {
        let bytes = try FileBytes(path: file.path)
        defer { bytes.close() }
        let side = SideWork()
        let group = DispatchGroup()
        // The mapped file is only read, and stays mapped until every reader is done (group.wait()).
        nonisolated(unsafe) let input = bytes.bytes
        DispatchQueue.global().async(group: group) { side.hash = ArtifactStore.hash(input) }
        DispatchQueue.global().async(group: group) { [artifacts] in side.staged = Result { try artifacts.stage(copyOf: file) } }
        let parsed = Result { try CSVReader.read(bytes: input, fileName: file.lastPathComponent, isCancelled: isCancelled) }
        group.wait()
        let staged = try side.staged!.get()
        do {
            return StagedContent(frame: try parsed.get().frame, hash: side.hash!, staged: staged)
        } catch {
            artifacts.discard(staged)
            throw error
        }
    }

    /// Several files: each parsed, then stored as the first file whole followed by each further
    /// file without its header.
    private func stageConcatenation(_ files: [URL], isCancelled: (@Sendable () -> Bool)?) throws -> StagedContent {
        var content = Data()
        var combined: DataFrame?
        for file in files {
            let bytes: Data
            do { bytes = try Data(contentsOf: file, options: .alwaysMapped) } catch {
                throw WorkspaceError("cannot read \(file.path): \(error.localizedDescription)")
            }
            let table = try bytes.withUnsafeBytes {
                try CSVReader.read(bytes: $0, fileName: file.lastPathComponent, isCancelled: isCancelled)
            }
            if var frame = combined {
                guard frame.columnNames == table.frame.columnNames else {
                    throw WorkspaceError("""
                        \(file.lastPathComponent) has header \(table.frame.columnNames.joined(separator: ",")) but \
                        \(files[0].lastPathComponent) has \(frame.columnNames.joined(separator: ",")) — every CSV in a folder must have the same header
                        """)
                }
                try frame.append(table.frame)
                combined = frame
                if content.last != UInt8(ascii: "\n") { content.append(UInt8(ascii: "\n")) }
                content.append(bytes.subdata(in: table.headerByteCount..<bytes.count))
            } else {
                combined = table.frame
                content.append(bytes)
            }
        }
        let hash = content.withUnsafeBytes { ArtifactStore.hash($0) }
        let staged = try content.withUnsafeBytes { try artifacts.stage($0) }
        return StagedContent(frame: combined!, hash: hash, staged: staged)
    }
}

/// Results of the work done beside the parse.
private final class SideWork: @unchecked Sendable {
    var hash: String?
    var staged: Result<ArtifactStore.Staged, Error>?
}
