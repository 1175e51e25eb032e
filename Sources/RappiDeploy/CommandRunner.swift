import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished command printed and how it ended.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var succeeded: Bool { status == 0 && !timedOut }

    /// stderr then stdout, trimmed — for error messages.
    var combinedOutput: String {
        [stderr, stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// The last `count` non-empty lines of the combined output.
    func lastLines(_ count: Int) -> String {
        let lines = combinedOutput.split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).joined(separator: "\n")
    }
}

/// Runs short-lived tools (podman, docker, ldd) and collects their output.
///
/// Not Foundation's `Process`: it learns that a child ended when every copy of a socket the child
/// inherits is closed, and `podman run -d` leaves conmon (a daemon) holding that copy, so the
/// parent would wait for the container to end. Here the child is spawned with posix_spawn and
/// reaped with waitpid; stdout and stderr are read with poll() as they come (a chatty tool never
/// fills a pipe), and once the child has exited whatever is buffered is read without waiting for
/// an EOF that a daemonized grandchild could hold back forever.
enum CommandRunner {
    /// Finds `name` on PATH (or returns it when it already contains a slash and is executable).
    static func which(_ name: String) -> String? {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    /// Runs `executable arguments` (stdin /dev/null) to completion, or until `timeout` seconds,
    /// after which it gets SIGTERM and, 3 s later, SIGKILL. With `mergeOutput` stderr goes into the
    /// same pipe as stdout (interleaved as written) and `stderr` is empty. Throws only when the
    /// program cannot be started. `environment` (`NAME=VALUE` entries) is added to this process's.
    static func run(_ executable: String, _ arguments: [String], timeout: Double? = nil, mergeOutput: Bool = false,
                    environment extra: [String] = []) throws -> CommandResult {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { throw DeployError("cannot start \(executable): pipe: \(errnoText())") }
        if !mergeOutput {
            guard makePipe(&errPipe) else {
                close(outPipe[0]); close(outPipe[1])
                throw DeployError("cannot start \(executable): pipe: \(errnoText())")
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, mergeOutput ? outPipe[1] : errPipe[1], 2)
        SpawnSupport.closeDescriptorsFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        SpawnSupport.resetSignals(&attributes, extraFlags: 0)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environment = SpawnSupport.environment(adding: extra)
        defer { for pointer in environment { free(pointer) } }
        var pid: pid_t = 0
        let spawned = argv.withUnsafeBufferPointer { buffer in
            environment.withUnsafeBufferPointer { posix_spawnp(&pid, executable, &actions, &attributes, buffer.baseAddress!, $0.baseAddress!) }
        }
        close(outPipe[1])
        if !mergeOutput { close(errPipe[1]) }
        guard spawned == 0 else {
            close(outPipe[0])
            if !mergeOutput { close(errPipe[0]) }
            throw DeployError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        var readers = [outPipe[0]] + (mergeOutput ? [] : [errPipe[0]])
        for fd in readers { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var collected = [[UInt8]](repeating: [], count: 2)
        var buffer = [UInt8](repeating: 0, count: 65536)
        /// Reads what is available now; returns false at EOF or on a hard error.
        func drain(_ fd: Int32, into index: Int) -> Bool {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n > 0 { collected[index].append(contentsOf: buffer[0..<n]); continue }
                if n == 0 { return false }
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
        }

        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var timedOut = false
        var killAt: Date?
        var status: Int32 = 0
        var exited = false
        while !exited {
            if !readers.isEmpty {
                var fds = readers.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                _ = poll(&fds, nfds_t(fds.count), 50)
                for entry in fds where entry.revents != 0 {
                    let index = entry.fd == outPipe[0] ? 0 : 1
                    if !drain(entry.fd, into: index) {
                        close(entry.fd)
                        readers.removeAll { $0 == entry.fd }
                    }
                }
            } else {
                usleep(20_000)
            }
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid {
                exited = true
                status = Self.exitStatus(raw)
            } else if reaped < 0 && errno != EINTR {
                exited = true  // not ours any more (ECHILD): nothing to wait for
                status = -1
            }
            if !exited, let deadline, Date() >= deadline {
                if !timedOut {
                    timedOut = true
                    kill(pid, SIGTERM)
                    killAt = Date().addingTimeInterval(3)
                } else if let at = killAt, Date() >= at {
                    kill(pid, SIGKILL)
                    killAt = .distantFuture
                }
            }
        }
        // The child is gone; take what its pipes still hold, without waiting on a grandchild.
        for fd in readers {
            _ = drain(fd, into: fd == outPipe[0] ? 0 : 1)
            close(fd)
        }
        return CommandResult(status: status,
                             stdout: String(decoding: collected[0], as: UTF8.self),
                             stderr: String(decoding: collected[1], as: UTF8.self),
                             timedOut: timedOut)
    }

    /// The exit code, or 128 + the signal number when the child was killed by a signal.
    private static func exitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// A pipe whose ends are close-on-exec (pipe2 is not visible to Swift without _GNU_SOURCE).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// posix_spawn settings shared by the command runner and detached processes.
enum SpawnSupport {
    /// glibc's POSIX_SPAWN_SETSID (0x80, since 2.26).
    static let setSID: Int32 = 0x80

    /// `extra` (`NAME=VALUE`, taking precedence) followed by this process's environment, as a
    /// NULL-terminated array of strdup'ed strings for posix_spawn; the caller frees them.
    static func environment(adding extra: [String]) -> [UnsafeMutablePointer<CChar>?] {
        var environment: [UnsafeMutablePointer<CChar>?] = extra.map { strdup($0) }
        var index = 0
        while let entry = environ[index] { environment.append(strdup(entry)); index += 1 }
        environment.append(nil)
        return environment
    }

    /// Resets the signals a shell or the REPL may have ignored or blocked (SIGPIPE, SIGINT, …) to
    /// their defaults and clears the signal mask in the child, and sets the flags.
    static func resetSignals(_ attributes: inout posix_spawnattr_t, extraFlags: Int32) {
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        let flags = Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK) | extraFlags
        posix_spawnattr_setflags(&attributes, Int16(truncatingIfNeeded: flags))
    }

    /// Closes every descriptor from 3 up in the child (glibc 2.34+), so nothing of ours leaks.
    static func closeDescriptorsFrom3(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time (nil handle: RTLD_DEFAULT).
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}
