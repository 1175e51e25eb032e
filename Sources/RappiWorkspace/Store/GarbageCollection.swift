import Foundation

/// What `workspace gc` found (and, when applied, deleted): blobs nothing in the workspace
/// refers to, and artifact rows nothing refers to.
public struct GarbageReport: Sendable {
    public let blobs: Int
    public let bytes: Int
    public let rows: Int
    public let applied: Bool
}

extension Workspace {
    /// How old an unreferenced blob must be before `collectGarbage` takes it.
    public static let garbageGrace: TimeInterval = 600

    /// Finds blobs under `artifacts/sha256/` that nothing references (see `artifactReferences`),
    /// with their artifact rows; deletes them when `apply`. Blobs and rows younger than `grace`
    /// are kept: a writer in another process may store a blob now and the row naming it a moment
    /// later. Runs under the database's write lock, under which every blob is renamed into place,
    /// so no writer can name a blob while it is being deleted.
    public func collectGarbage(apply: Bool, grace: TimeInterval = garbageGrace) throws -> GarbageReport {
        try database.writeTransaction {
            let referenced = Set(try artifactReferences().map(\.hash))
            let cutoff = Date().addingTimeInterval(-grace)
            var rowCreated: [String: String] = [:]
            for row in try database.query("SELECT hash, created_at FROM artifacts") {
                if let hash = row[0].string { rowCreated[hash] = row[1].string ?? "" }
            }
            let cutoffStamp = Timestamp.string(cutoff)
            func isOldRow(_ hash: String) -> Bool { rowCreated[hash].map { $0 < cutoffStamp } ?? true }

            var doomedBlobs: [(url: URL, size: Int)] = []
            var onDisk: Set<String> = []
            for blob in artifacts.blobs() {
                onDisk.insert(blob.name)
                guard !referenced.contains(blob.name), isOldRow(blob.name) else { continue }
                let values = try? blob.url.resourceValues(forKeys: [.contentModificationDateKey, .fileSizeKey])
                guard let modified = values?.contentModificationDate, modified < cutoff else { continue }
                doomedBlobs.append((blob.url, values?.fileSize ?? 0))
            }
            let doomedNames = Set(doomedBlobs.map { $0.url.lastPathComponent })
            let doomedRows = rowCreated.keys.filter { hash in
                !referenced.contains(hash) && isOldRow(hash) && (!onDisk.contains(hash) || doomedNames.contains(hash))
            }
            if apply {
                for hash in doomedRows { try database.run("DELETE FROM artifacts WHERE hash = ?", [.text(hash)]) }
                for blob in doomedBlobs where unlink(blob.url.path) != 0 && errno != ENOENT {
                    throw WorkspaceError("cannot delete \(blob.url.path): \(String(cString: strerror(errno))) — no artifact row was deleted; run `workspace gc apply=true` again")
                }
            }
            return GarbageReport(blobs: doomedBlobs.count, bytes: doomedBlobs.reduce(0) { $0 + $1.size }, rows: doomedRows.count, applied: apply)
        }
    }
}
