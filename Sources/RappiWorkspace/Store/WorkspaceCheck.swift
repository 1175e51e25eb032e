import Crypto
import Foundation

/// One thing `workspace check` found: a problem it cannot mend (the workspace is inconsistent),
/// or a stale state it mended and says so.
public struct WorkspaceFinding: Sendable, Equatable {
    public enum Kind: Sendable { case problem, repaired }
    public let kind: Kind
    public let message: String

    public static func problem(_ message: String) -> WorkspaceFinding { WorkspaceFinding(kind: .problem, message: message) }
    public static func repaired(_ message: String) -> WorkspaceFinding { WorkspaceFinding(kind: .repaired, message: message) }
}

extension Workspace {
    /// Checks the store: SQLite's `integrity_check` and `foreign_key_check`, that every artifact
    /// row and every hash the workspace names has its blob of the recorded size, and (with
    /// `hashingBlobs`) that every blob's SHA-256 is its name. Mends what a killed process can leave
    /// behind — script runs still `running` (marked `interrupted`) and the temporary files of
    /// dead writers (removed when this workspace was opened) — and reports those as repaired.
    public func checkStore(hashingBlobs: Bool = true) throws -> [WorkspaceFinding] {
        var findings: [WorkspaceFinding] = []
        if abandonedTemporaries.files > 0 {
            findings.append(.repaired("removed \(abandonedTemporaries.files) temporary file\(abandonedTemporaries.files == 1 ? "" : "s") of killed writers from artifacts/tmp (\(abandonedTemporaries.bytes) bytes)"))
        }
        let integrity = try database.query("PRAGMA integrity_check").compactMap { $0.first?.string }
        if integrity != ["ok"] {
            findings += integrity.prefix(20).map { .problem("SQLite integrity_check: \($0)") }
        }
        for row in try database.query("PRAGMA foreign_key_check") {
            let table = row[0].string ?? "?", rowid = row[1].int.map(String.init) ?? "?", parent = row[2].string ?? "?"
            findings.append(.problem("table \(table) row \(rowid) refers to a \(parent) row that does not exist"))
        }
        findings += try checkBlobs(hashingBlobs: hashingBlobs)
        for id in try markInterruptedRuns() {
            findings.append(.repaired("run \(id) claimed to be running but its process is gone — marked interrupted (its recorded cells are kept)"))
        }
        return findings
    }

    private func checkBlobs(hashingBlobs: Bool) throws -> [WorkspaceFinding] {
        var findings: [WorkspaceFinding] = []
        var recorded: [String: Int] = [:]
        for row in try database.query("SELECT hash, size, kind FROM artifacts") {
            guard let hash = row[0].string else { continue }
            let size = row[1].int ?? -1
            recorded[hash] = size
            guard let actual = Self.fileSize(artifacts.url(for: hash)) else {
                findings.append(.problem("artifact \(hash.prefix(12)) (\(row[2].string ?? "?"), \(size) bytes) has no blob at \(artifacts.url(for: hash).path)"))
                continue
            }
            if actual != size {
                findings.append(.problem("artifact \(hash.prefix(12)) is \(actual) bytes on disk but \(size) were recorded"))
            }
        }
        var missing: Set<String> = []
        for reference in try artifactReferences() where recorded[reference.hash] == nil && !missing.contains(reference.hash) {
            guard !artifacts.contains(reference.hash) else { continue }
            missing.insert(reference.hash)
            findings.append(.problem("\(reference.place) names artifact \(reference.hash.prefix(12)), which is not in the store"))
        }
        if hashingBlobs {
            for blob in artifacts.blobs() {
                guard let content = try? Data(contentsOf: blob.url, options: .alwaysMapped) else {
                    findings.append(.problem("blob \(blob.url.path) cannot be read"))
                    continue
                }
                let actual = content.withUnsafeBytes { ArtifactStore.hash($0) }
                if actual != blob.name {
                    findings.append(.problem("blob \(blob.name.prefix(12)) is corrupt: its content hashes to \(actual.prefix(12)) (\(blob.url.path))"))
                }
            }
        }
        return findings
    }

    static func fileSize(_ url: URL) -> Int? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }
}
