import Foundation

/// One workspace: `workspace.sqlite` plus a content-addressed artifact store and logs.
///
///     DIR/workspace.sqlite
///     DIR/artifacts/sha256/ab/abcdef…
///     DIR/artifacts/tmp/*.partial  (blobs being written; those of dead writers go on the next open)
///     DIR/logs/
///     DIR/locks/run-N.lock   (held while script run N is running: see RunLiveness)
///     DIR/data/              (where runs triggered over REST may read, by default)
///     DIR/history            (REPL history)
///
/// All of it is private to the owner (see `PrivateFiles`).
public final class Workspace {
    public let directory: URL
    public let database: SQLiteDatabase
    public private(set) var artifacts: ArtifactStore
    let runLiveness: RunLiveness
    /// The `artifacts/tmp/*.partial` files of dead writers this open removed.
    public let abandonedTemporaries: (files: Int, bytes: Int)

    public static let rappiVersion = "0.1.0"

    /// Where the workspace lives: `--workspace DIR`, else `RAPPI_WORKSPACE`, else
    /// `workspaces/default` under the current directory.
    public static func resolveDirectory(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let option, !option.isEmpty { return URL(fileURLWithPath: option, relativeTo: cwd).standardizedFileURL }
        if let env = environment["RAPPI_WORKSPACE"], !env.isEmpty { return URL(fileURLWithPath: env, relativeTo: cwd).standardizedFileURL }
        return cwd.appendingPathComponent("workspaces/default").standardizedFileURL
    }

    /// Opens the workspace at `directory`, creating it on first use and migrating its schema.
    public init(directory: URL) throws {
        self.directory = directory
        let databaseFile = directory.appendingPathComponent("workspace.sqlite")
        do {
            try PrivateFiles.makeFolder(directory)
            PrivateFiles.tighten(workspace: directory)
            try PrivateFiles.makeFolder(directory.appendingPathComponent("logs"))
            try PrivateFiles.makeFolder(DataRoots.defaultRoot(of: directory))
            // SQLite gives the WAL and shared-memory files the database file's mode.
            try PrivateFiles.touch(databaseFile)
        } catch {
            throw WorkspaceError("cannot create workspace at \(directory.path): \(error.localizedDescription)")
        }
        let database = try SQLiteDatabase(path: databaseFile.path)
        self.database = database
        // Switching a new database to WAL needs a moment alone with it; when two processes
        // create the same workspace at once, SQLite answers "locked" without waiting, so retry.
        try database.retryingWhileLocked { try database.execute("PRAGMA journal_mode = WAL") }
        try database.execute("PRAGMA foreign_keys = ON")
        try database.execute("PRAGMA synchronous = NORMAL")
        try Schema.migrate(database)
        artifacts = try ArtifactStore(root: directory.appendingPathComponent("artifacts"))
        abandonedTemporaries = StagedFile.removeAbandoned(in: artifacts.temporaryDirectory)
        runLiveness = RunLiveness(directory: directory.appendingPathComponent("locks"))
        try hashClearTokens()
    }

    /// Whether the workspace records a blob with this hash (a dataset's or model's content, a state).
    public func hasArtifactRecord(_ hash: String) throws -> Bool {
        try database.scalar("SELECT COUNT(*) FROM artifacts WHERE hash = ?", [.text(hash)]).int ?? 0 > 0
    }

    /// Blobs missing from this workspace's store are fetched with `fetch` and verified against
    /// their hash before use (a remote worker's scratch workspace).
    public func fetchMissingArtifacts(using fetch: @escaping @Sendable (String) throws -> [UInt8]) {
        artifacts.fetchMissing = fetch
    }

    public var schemaVersion: Int { (try? database.scalar("PRAGMA user_version").int) ?? 0 }
    public var historyFile: URL { directory.appendingPathComponent("history") }
    public var logsDirectory: URL { directory.appendingPathComponent("logs") }

    /// Records an artifact row; the blob must already be in the store.
    func recordArtifact(hash: String, size: Int, kind: String) throws {
        try database.run(
            "INSERT OR IGNORE INTO artifacts (hash, size, kind, created_at) VALUES (?, ?, ?, ?)",
            [.text(hash), SQLValue(size), .text(kind), .text(Timestamp.now())])
    }
}

/// UTC timestamps stored as ISO 8601 text, which sorts as time does.
public enum Timestamp {
    public static func now() -> String { string(Date()) }

    public static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// `2026-11-27T09:30:12.123Z` → `2026-11-27 09:30:12`, for tables.
    public static func short(_ stamp: String) -> String {
        String(stamp.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}

extension Workspace {
    /// Stores `bytes` in the artifact store (once per content) and returns their hash. The blob
    /// and its row are written under the database's write lock, as every blob is, so
    /// `workspace gc` (which holds that lock) never sees a blob between its file and its row.
    public func storeArtifact(_ bytes: [UInt8], kind: String) throws -> String {
        let hash = bytes.withUnsafeBytes { ArtifactStore.hash($0) }
        try database.joiningWriteTransaction {
            if !artifacts.contains(hash) {
                try bytes.withUnsafeBytes { try artifacts.put($0, hash: hash) }
            }
            try recordArtifact(hash: hash, size: bytes.count, kind: kind)
        }
        return hash
    }
}
