import Foundation
import RappiWorkspace
#if canImport(Glibc)
import Glibc
#endif

/// A `local` deployment: `rappi serve-model …` as a detached process that outlives the REPL.
public enum LocalProcess {
    /// Starts `executable arguments` in a new session (setsid), with stdin from /dev/null and
    /// stdout and stderr appended to `logFile`, every other descriptor closed and signal
    /// dispositions reset — so it neither dies with the REPL's terminal nor holds the REPL's pipes
    /// open. Returns its pid. `executable` without a `/` is looked up on PATH.
    public static func spawnDetached(executable: String, arguments: [String], logFile: URL,
                                     extraEnvironment: [String] = []) throws -> Int32 {
        let fileManager = FileManager.default
        // Logs are the owner's alone (a run's output may hold data or secrets).
        try? fileManager.createDirectory(at: logFile.deletingLastPathComponent(), withIntermediateDirectories: true,
                                         attributes: [.posixPermissions: 0o700])
        let probe = open(logFile.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard probe >= 0 else {
            throw DeployError("cannot open the log file \(logFile.path): \(String(cString: strerror(errno)))")
        }
        close(probe)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        SpawnSupport.closeDescriptorsFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        SpawnSupport.resetSignals(&attributes, extraFlags: SpawnSupport.setSID)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environment = SpawnSupport.environment(adding: extraEnvironment)
        defer { for pointer in environment { free(pointer) } }
        var pid: pid_t = 0
        let status = argv.withUnsafeBufferPointer { arguments in
            environment.withUnsafeBufferPointer { environment in
                posix_spawnp(&pid, executable, &actions, &attributes, arguments.baseAddress!, environment.baseAddress!)
            }
        }
        guard status == 0 else {
            throw DeployError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Whether `pid` is a running process: it exists (`kill(pid, 0)`) and is not a zombie. A child
    /// of ours that has exited is reaped here.
    public static func isAlive(pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        reap(pid)
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        if let state = ProcessTable.state(pid), state == "Z" || state == "X" { return false }
        return true
    }

    /// SIGTERM, wait up to `timeout` seconds for it to exit, then SIGKILL. Returns true when the
    /// process is gone (also when it was gone already), false when it survived even SIGKILL.
    @discardableResult
    public static func terminate(pid: Int32, timeout: Double) -> Bool {
        guard isAlive(pid: pid) else { return true }
        kill(pid, SIGTERM)
        if waitForExit(pid, timeout: timeout) { return true }
        kill(pid, SIGKILL)
        return waitForExit(pid, timeout: 5)
    }

    // MARK: - Helpers

    private static func waitForExit(_ pid: Int32, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(max(0, timeout))
        while true {
            if !isAlive(pid: pid) { return true }
            if Date() >= deadline { return false }
            usleep(20_000)
        }
    }

    /// Collects the exit status of `pid` when it is our child and has exited (no-op otherwise).
    private static func reap(_ pid: Int32) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}
