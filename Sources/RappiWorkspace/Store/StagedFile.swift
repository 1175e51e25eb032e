import Foundation

/// A temporary file in `artifacts/tmp/` (`UUID.partial`), owned by the process writing it.
///
/// The writer holds an exclusive `flock` on it from creation until the file is renamed into place
/// or dropped (the descriptor closes with this object). The kernel releases the lock when the
/// writer ends in any way — SIGKILL included — so a `.partial` whose lock can be taken has no
/// writer any more and is removed on the next open (`removeAbandoned`). Pid files would not do:
/// pids are reused, and a live writer in another process must keep its file.
final class StagedFile: Sendable {
    let url: URL
    let descriptor: Int32

    private init(url: URL, descriptor: Int32) {
        self.url = url
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    static func create(in directory: URL) throws -> StagedFile {
        while true {
            let url = directory.appendingPathComponent("\(UUID().uuidString).partial")
            // Close-on-exec: a server started meanwhile must not inherit (and so keep alive) the lock.
            let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o400)
            guard fd >= 0 else { throw WorkspaceError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
            let file = StagedFile(url: url, descriptor: fd)
            guard flock(fd, LOCK_EX) == 0 else {
                unlink(url.path)
                throw WorkspaceError("cannot lock \(url.path): \(String(cString: strerror(errno)))")
            }
            // A cleaner may have taken the lock between open and flock and removed the file as
            // abandoned; it is then unlinked (no links left) and we start again with a new name.
            var info = stat()
            if fstat(fd, &info) == 0, info.st_nlink > 0 { return file }
        }
    }

    /// Removes every `*.partial` in `directory` whose writer is gone (its lock can be taken), and
    /// says how many files and bytes that freed. A file whose writer is alive is left alone.
    @discardableResult
    static func removeAbandoned(in directory: URL) -> (files: Int, bytes: Int) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return (0, 0) }
        var files = 0, bytes = 0
        for name in names where name.hasSuffix(".partial") {
            let path = directory.appendingPathComponent(name).path
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }  // a live writer holds it
            var info = stat()
            fstat(fd, &info)
            // Unlinked while locked, so a writer that opened it but had not locked it yet sees no
            // links once it gets the lock, and retries under a new name.
            if unlink(path) == 0 { files += 1; bytes += Int(info.st_size) }
        }
        return (files, bytes)
    }
}
