import Foundation

/// The live settings of a running experiment — the split and the promoted variant — kept in
/// `experiments/NAME/control` next to the workspace row. The router checks the file's identity
/// (one `stat`) on every request and re-reads it when it changes, so `abtest split` and
/// `abtest promote` take effect for the very next request without a restart or an admin port.
public struct ExperimentControl: Sendable, Equatable {
    public var splitA: Int
    public var promoted: String?

    public init(splitA: Int, promoted: String?) { self.splitA = splitA; self.promoted = promoted }

    /// A's share of traffic in 0…1, after promotion.
    public var shareA: Double {
        switch promoted {
        case "A": return 1
        case "B": return 0
        default: return Double(splitA) / 100
        }
    }

    /// `split_a=90` and `promoted=B` lines.
    public var text: String { "split_a=\(splitA)\n" + (promoted.map { "promoted=\($0)\n" } ?? "") }

    public init?(text: String) {
        var split: Int?
        var promoted: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0] == "split_a" { split = Int(parts[1]) }
            if parts[0] == "promoted", parts[1] == "A" || parts[1] == "B" { promoted = parts[1] }
        }
        guard let split, (0...100).contains(split) else { return nil }
        self.init(splitA: split, promoted: promoted)
    }

    public static func read(_ file: URL) -> ExperimentControl? {
        (try? String(contentsOf: file, encoding: .utf8)).flatMap(ExperimentControl.init(text:))
    }

    /// Written to a temporary file and renamed into place, so a reader never sees half a file
    /// and the new inode marks the change even within one mtime tick.
    public func write(_ file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".control.\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8)),
              rename(temporary.path, file.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw WorkspaceError("cannot write the experiment control file \(file.path): \(String(cString: strerror(errno)))")
        }
    }
}
