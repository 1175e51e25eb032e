import Dispatch
import Foundation

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

/// Runs short-lived tools (podman, docker, ldd) with Foundation `Process`, reading stdout and
/// stderr on their own threads until EOF so a chatty tool can never fill a pipe and deadlock.
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

    /// Runs `executable arguments` to completion (or until `timeout` seconds, after which it is
    /// terminated and then killed). Throws only when the program cannot be started.
    /// With `mergeOutput` stderr goes into the same pipe as stdout (interleaved as written) and
    /// `stderr` is empty.
    static func run(_ executable: String, _ arguments: [String], timeout: Double? = nil, mergeOutput: Bool = false) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = mergeOutput ? outPipe : errPipe
        process.standardInput = FileHandle.nullDevice

        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw DeployError("cannot start \(executable): \(error.localizedDescription)")
        }

        let readers = DispatchGroup()
        let box = OutputBox()
        let pipes: [Pipe] = mergeOutput ? [outPipe] : [outPipe, errPipe]
        for (index, pipe) in pipes.enumerated() {
            readers.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                box.set(index, data)
                readers.leave()
            }
        }

        var timedOut = false
        if let timeout {
            if exited.wait(timeout: .now() + timeout) == .timedOut {
                timedOut = true
                process.terminate()
                if exited.wait(timeout: .now() + 3) == .timedOut {
                    kill(process.processIdentifier, SIGKILL)
                    exited.wait()
                }
            }
        } else {
            exited.wait()
        }
        // A grandchild that inherited the pipes could keep them open; do not wait on it forever.
        _ = readers.wait(timeout: .now() + 10)
        let (out, err) = box.get()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: err, as: UTF8.self),
                             timedOut: timedOut)
    }
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var parts = [Data(), Data()]
    func set(_ index: Int, _ data: Data) { lock.lock(); parts[index] = data; lock.unlock() }
    func get() -> (Data, Data) { lock.lock(); defer { lock.unlock() }; return (parts[0], parts[1]) }
}
