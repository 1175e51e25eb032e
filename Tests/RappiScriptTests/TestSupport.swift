import Foundation
import XCTest
@testable import RappiScript

/// A fresh workspace in a temporary folder, removed after the test.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The repository's `scripts/` folder, where the Titanic samples live.
let scriptsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("scripts")

extension Interpreter {
    /// Runs statements; returns their cells.
    func run(_ source: String) throws -> [CellResult] {
        try parser.parse(source).map { execute($0) }
    }
}
