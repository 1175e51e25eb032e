import Foundation

/// The folders a run triggered over REST may read and write (`rappi serve --data-root DIR`,
/// default the workspace's own `data/`). A path is inside when its real location — symbolic
/// links resolved — is a root or under one. A path outside is refused with the same words whether
/// or not it exists, so a caller learns nothing about the rest of the file system.
public struct DataRoots: Sendable, Equatable {
    /// Real paths of the roots.
    public let roots: [String]

    public init(_ roots: [URL]) {
        self.roots = roots.map { Self.realLocation(of: $0.standardizedFileURL.path) }
    }

    /// The default: `DIR/data` of the workspace.
    public static func defaultRoot(of workspace: URL) -> URL { workspace.appendingPathComponent("data") }

    public func contains(_ url: URL) -> Bool {
        let real = Self.realLocation(of: url.standardizedFileURL.path)
        return roots.contains { root in real == root || real.hasPrefix(root == "/" ? "/" : root + "/") }
    }

    /// `url` itself when it is inside; else the error every outside path gets.
    public func confine(_ url: URL, given text: String) throws(WorkspaceError) -> URL {
        guard contains(url) else {
            throw WorkspaceError("'\(text.prefix(200))' is outside the data roots a run triggered over REST may use — put the file under a data root (the workspace owner sets them with `rappi serve --data-root DIR`)")
        }
        return url
    }

    /// The path with symbolic links resolved: the real path of its deepest existing ancestor,
    /// plus the components that do not exist yet (an output file, say).
    static func realLocation(of path: String) -> String {
        var existing = path
        var missing: [String] = []
        while true {
            if let resolved = realpath(existing, nil) {
                defer { free(resolved) }
                let base = String(cString: resolved)
                guard !missing.isEmpty else { return base }
                return (base == "/" ? "" : base) + "/" + missing.reversed().joined(separator: "/")
            }
            let parent = (existing as NSString).deletingLastPathComponent
            if parent == existing || parent.isEmpty { return path }
            missing.append((existing as NSString).lastPathComponent)
            existing = parent
        }
    }
}
