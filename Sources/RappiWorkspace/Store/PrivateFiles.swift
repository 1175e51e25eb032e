import Foundation

/// A workspace is private to its owner: folders 0700, files 0600 (artifacts 0400: private and
/// immutable). New files are created with these modes; a workspace made before this rule is
/// tightened the first time it is opened (its folder still lets others in).
public enum PrivateFiles {
    public static let folderMode: mode_t = 0o700
    public static let fileMode: mode_t = 0o600

    /// Creates `url` and missing parents as private folders (an existing folder is left as is).
    public static func makeFolder(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: Int(folderMode)])
    }

    /// Creates `url` empty with mode 0600 unless it exists (so SQLite, a log writer or a child
    /// process appending to it never makes it with the umask's 0644). An existing file is not
    /// opened: closing any descriptor of a database file drops every SQLite lock this process
    /// holds on it.
    public static func touch(_ url: URL) throws {
        guard mode(of: url) == nil else { return }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard fd >= 0 || errno == EEXIST else { throw WorkspaceError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        if fd >= 0 { close(fd) }
    }

    /// The permission bits of `url` (nil when it does not exist).
    public static func mode(of url: URL) -> mode_t? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Takes group and other permissions off the workspace's own files: the folder itself, the
    /// database and its WAL files, history, the server record, and everything under `logs/`,
    /// `artifacts/` and `data/`. Endpoint and experiment folders are closed to others, their
    /// contents (container build contexts need their modes) kept — the closed folders protect them.
    /// Cheap when the workspace is already private: one `stat`.
    static func tighten(workspace directory: URL) {
        guard let mode = mode(of: directory), mode & 0o077 != 0 else { return }
        for name in ["workspace.sqlite", "workspace.sqlite-wal", "workspace.sqlite-shm", "history", "server.json"] {
            removeOthers(directory.appendingPathComponent(name))
        }
        for name in ["logs", "artifacts", "data"] {
            let root = directory.appendingPathComponent(name)
            removeOthers(root)
            let walker = FileManager.default.enumerator(atPath: root.path)
            while let relative = walker?.nextObject() as? String { removeOthers(root.appendingPathComponent(relative)) }
        }
        for name in ["endpoints", "experiments"] { removeOthers(directory.appendingPathComponent(name)) }
        // Last, so an interrupted tightening is done again on the next open.
        chmod(directory.path, folderMode)
    }

    private static func removeOthers(_ url: URL) {
        guard let mode = mode(of: url), mode & 0o077 != 0 else { return }
        var info = stat()
        guard lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK else { return }
        chmod(url.path, mode & ~0o077)
    }
}
