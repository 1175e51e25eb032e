import Foundation
import XCTest
@testable import RappiDeploy

/// Scratch folders, the built rappi binary, sha256 and small process helpers for the deploy tests.
enum TestSupport {
    /// The package root (…/Tests/RappiDeployTests/TestSupport.swift → …).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func scratchDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("rappi-deploy-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The rappi executable: $RAPPI_BINARY, beside the test bundle, or in a known build folder.
    static func rappiBinary() -> String? {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["RAPPI_BINARY"] { candidates.append(explicit) }
        let bundle = Bundle(for: Marker.self).bundleURL.resolvingSymlinksInPath()
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("rappi").path)
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().appendingPathComponent("rappi").path)
        for folder in [".build-deploy/debug", ".build/debug", ".build/release"] {
            candidates.append(repository.appendingPathComponent(folder).appendingPathComponent("rappi").path)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A small dynamically linked executable for contexts that are only inspected, never run.
    static var smallBinary: String {
        ["/usr/bin/true", "/bin/true"].first { FileManager.default.isExecutableFile(atPath: $0) }!
    }

    /// `strip OPTION` of `path`, written to a temporary file whose path is returned.
    static func stripped(_ path: String, option: String) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("stripped-\(UUID().uuidString)").path
        let result = try CommandRunner.run("/usr/bin/strip", [option, "-o", output, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return output
    }

    static func sha256(of url: URL) throws -> String {
        let result = try CommandRunner.run("/usr/bin/sha256sum", [url.path])
        return String(result.stdout.prefix(64))
    }

    /// Mode bits (including sticky) and modification time, without following symlinks.
    static func status(_ url: URL) -> (mode: mode_t, mtime: Int, isLink: Bool, size: Int) {
        var info = stat()
        XCTAssertEqual(lstat(url.path, &info), 0, "lstat \(url.path)")
        return (info.st_mode & 0o7777, Int(info.st_mtim.tv_sec), (info.st_mode & S_IFMT) == S_IFLNK, Int(info.st_size))
    }

    /// Every path under `root` (files and folders), relative, sorted.
    static func tree(_ root: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return (enumerator.allObjects as? [String] ?? []).sorted()
    }

    static func waitUntil(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    private final class Marker {}
}
