import Foundation
import RappiDeploy
import RappiWorkspace
import XCTest

/// A real `rappi serve` on a free loopback port, for the length of a test.
final class WorkspaceServerProcess {
    let process = Process()
    let port: Int
    let log: URL
    let workspace: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(workspace: URL, extraArguments: [String] = []) throws {
        self.workspace = workspace
        port = try FreePort.pick()
        log = workspace.deletingLastPathComponent().appendingPathComponent("serve-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = RappiBinary.url
        process.arguments = ["serve", "--workspace", workspace.path, "--port", String(port)] + extraArguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while WorkspaceServerRecord.live(in: workspace)?.port != port {
            guard process.isRunning, Date() < deadline else {
                throw WorkspaceError("rappi serve did not start: \(output)")
            }
            usleep(50_000)
        }
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func terminate() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill9() } }
}
