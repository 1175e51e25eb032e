import Foundation
import Synchronization

/// Tells a live script run from one whose process is gone. While it runs, the process that began
/// a run holds an exclusive `flock` on `locks/run-N.lock`; the kernel drops the lock when that
/// process ends in any way (killed, crashed, the machine rebooted), so a `running` run whose lock
/// can be taken — or whose file is missing — has no process any more. Pid files would not do:
/// pids are reused.
final class RunLiveness: Sendable {
    private let directory: URL
    /// Locks this process holds: run id → file descriptor.
    private let held = Mutex<[Int: Int32]>([:])

    init(directory: URL) {
        self.directory = directory
    }

    private func file(_ run: Int) -> String { directory.appendingPathComponent("run-\(run).lock").path }

    /// Takes the lock for a run this process is starting. Close-on-exec, so processes started
    /// from the run (a deployed endpoint, a router) do not keep it alive.
    func hold(_ run: Int) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fd = open(file(run), O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WorkspaceError("cannot create \(file(run)): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw WorkspaceError("cannot lock \(file(run)): \(String(cString: strerror(errno)))")
        }
        held.withLock { $0[run] = fd }
    }

    /// Lets go of a run this process finished.
    func release(_ run: Int) {
        let fd = held.withLock { $0.removeValue(forKey: run) }
        guard let fd else { return }
        unlink(file(run))
        close(fd)
    }

    /// Whether the process running `run` is gone; its lock file is then removed.
    func isAbandoned(_ run: Int) -> Bool {
        let mine = held.withLock { $0[run] != nil }
        if mine { return false }
        let fd = open(file(run), O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        unlink(file(run))
        return true
    }
}
