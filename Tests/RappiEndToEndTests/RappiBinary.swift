import Foundation
import RappiWorkspace
import XCTest

/// Runs the built `rappi` binary as a user would.
struct RappiBinary {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var url: URL {
        if let path = ProcessInfo.processInfo.environment["RAPPI_BINARY"] { return URL(fileURLWithPath: path) }
        // The test bundle sits next to the executable in .build/<triple>/debug.
        let besideTests = Bundle(for: Marker.self).bundleURL.deletingLastPathComponent().appendingPathComponent("rappi")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return repository.appendingPathComponent(".build/debug/rappi")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    let workspace: URL

    /// The binary set up to run `arguments` in this workspace (not started yet).
    func process(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = Self.url
        process.arguments = arguments + (arguments.contains("--workspace") ? [] : ["--workspace", workspace.path])
        process.currentDirectoryURL = directory ?? workspace.deletingLastPathComponent()
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "RAPPI_WORKSPACE")
        env.merge(environment) { $1 }
        process.environment = env
        return process
    }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = process(arguments, in: directory, environment: environment)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a chatty child never blocks on a full pipe.
        // (stderr on another thread, stdout on this one; the semaphore orders the hand-over.)
        nonisolated(unsafe) var errData = Data()
        let errRead = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            errRead.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errRead.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

private final class Marker {}

extension RappiBinary {
    /// Stops what a test started in this workspace — running A/B routers, then endpoints — so
    /// no server outlives its test.
    func stopServices() {
        guard let ws = try? Workspace(directory: workspace) else { return }
        for experiment in (try? ws.experiments()) ?? [] where experiment.status != "stopped" {
            _ = try? run(["-c", "abtest stop \(experiment.name)"])
        }
        for endpoint in (try? ws.endpoints()) ?? [] { _ = try? run(["-c", "undeploy \(endpoint.name)"]) }
    }

    /// A new empty folder for one test under the temporary directory, named `PREFIX-UUID`.
    static func scratchFolder(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension URL {
    /// Writes `text` to the file `name` in this folder; returns the file's URL.
    func writingFile(_ name: String, _ text: String) throws -> URL {
        let url = appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
