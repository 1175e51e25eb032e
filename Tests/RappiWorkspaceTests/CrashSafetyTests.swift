import Foundation
import XCTest
@testable import RappiWorkspace

/// What a killed writer can leave in a workspace, and what `workspace check` / `gc` make of it.
final class CrashSafetyTests: XCTestCase {
    private var root: URL!
    private var children: [Process] = []

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() }
        try? FileManager.default.removeItem(at: root)
    }

    private var directory: URL { root.appendingPathComponent("ws") }
    private var temporaries: URL { directory.appendingPathComponent("artifacts/tmp") }

    private func partialFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: temporaries.path).filter { $0.hasSuffix(".partial") }.sorted()
    }

    /// Another process (one process, no children) that creates `name` in artifacts/tmp, holds an
    /// exclusive flock on it and writes 100,000 bytes, as a writer does while it copies a blob;
    /// returns once the lock is held.
    private func writerHolding(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Process {
        let path = temporaries.appendingPathComponent(name).path
        let ready = root.appendingPathComponent("\(name).ready").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import fcntl, os, sys, time
            fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, bytes(100000))
            open(sys.argv[2], "w").close()
            time.sleep(60)
            """, path, ready]
        try process.run()
        children.append(process)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready), Date() < deadline { usleep(10_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: ready), "the writer never took its lock", file: file, line: line)
        return process
    }

    func testATemporaryFileWhoseWriterWasKilledIsRemovedOnTheNextOpenAndALiveWritersFileIsKept() throws {
        _ = try Workspace(directory: directory)
        let dead = try writerHolding("dead.partial")
        let alive = try writerHolding("alive.partial")

        let whileBothRun = try Workspace(directory: directory)
        XCTAssertEqual(whileBothRun.abandonedTemporaries.files, 0)
        XCTAssertEqual(try partialFiles(), ["alive.partial", "dead.partial"])

        kill(dead.processIdentifier, SIGKILL)
        dead.waitUntilExit()
        let afterTheKill = try Workspace(directory: directory)
        XCTAssertEqual(afterTheKill.abandonedTemporaries.files, 1)
        XCTAssertEqual(afterTheKill.abandonedTemporaries.bytes, 100_000)
        XCTAssertEqual(try partialFiles(), ["alive.partial"], "only the killed writer's file goes")
        XCTAssertTrue(alive.isRunning)
    }

    func testABlobBeingStagedInThisProcessSurvivesAnotherOpenAndStillCommits() throws {
        let writer = try Workspace(directory: directory)
        let bytes: [UInt8] = Array("x,y\n1,2\n".utf8)
        let staged = try bytes.withUnsafeBytes { try writer.artifacts.stage($0) }
        let other = try Workspace(directory: directory)
        XCTAssertEqual(other.abandonedTemporaries.files, 0)
        XCTAssertEqual(try partialFiles().count, 1)
        let hash = bytes.withUnsafeBytes { ArtifactStore.hash($0) }
        try writer.artifacts.commit(staged, as: hash)
        XCTAssertTrue(other.artifacts.contains(hash))
        XCTAssertEqual(try partialFiles(), [])
    }

    func testCheckSaysASoundWorkspaceIsConsistent() throws {
        let workspace = try Workspace(directory: directory)
        let data = root.appendingPathComponent("d.csv")
        try "x,y\n1,2\n3,4\n".write(to: data, atomically: true, encoding: .utf8)
        _ = try workspace.uploadDataset(name: "d", path: data, target: "y", description: nil)
        _ = try workspace.storeArtifact(Array("chart".utf8), kind: "chart")
        XCTAssertEqual(try workspace.checkStore(), [])
    }

    func testCheckFindsAMissingBlobACorruptBlobAndABrokenForeignKey() throws {
        let workspace = try Workspace(directory: directory)
        let missing = try workspace.storeArtifact(Array("gone".utf8), kind: "chart")
        let corrupt = try workspace.storeArtifact(Array("original".utf8), kind: "chart")
        try FileManager.default.removeItem(at: workspace.artifacts.url(for: missing))
        let corruptFile = workspace.artifacts.url(for: corrupt)
        chmod(corruptFile.path, 0o600)
        try Data("tampered".utf8).write(to: corruptFile)
        try workspace.database.execute("PRAGMA foreign_keys = OFF")
        _ = try workspace.database.run("""
            INSERT INTO dataset_versions (dataset_id, version, content_hash, rows, columns, schema_json, source, created_at)
            VALUES (42, 1, ?, 1, 1, '[]', 'x', 'now')
            """, [.text(corrupt)])
        try workspace.database.execute("PRAGMA foreign_keys = ON")

        let problems = try workspace.checkStore().filter { $0.kind == .problem }.map(\.message)
        XCTAssertTrue(problems.contains { $0.contains("artifact \(missing.prefix(12)) (chart, 4 bytes) has no blob") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("blob \(corrupt.prefix(12)) is corrupt") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("table dataset_versions row 1 refers to a datasets row that does not exist") }, "\(problems)")
        XCTAssertFalse(try workspace.checkStore(hashingBlobs: false).map(\.message).contains { $0.contains("is corrupt") },
                       "hashes=false reads no blob")
    }

    func testGarbageCollectionTakesOnlyOldBlobsNothingRefersTo() throws {
        let workspace = try Workspace(directory: directory)
        let data = root.appendingPathComponent("d.csv")
        try "x,y\n1,2\n3,4\n".write(to: data, atomically: true, encoding: .utf8)
        guard case .created(let version) = try workspace.uploadDataset(name: "d", path: data, target: "y", description: nil) else {
            return XCTFail("not created")
        }
        // Blobs a killed writer renamed into place but never recorded: one old, one just written.
        let old: [UInt8] = Array(repeating: 7, count: 5000), fresh: [UInt8] = Array(repeating: 8, count: 300)
        let oldHash = old.withUnsafeBytes { ArtifactStore.hash($0) }, freshHash = fresh.withUnsafeBytes { ArtifactStore.hash($0) }
        try old.withUnsafeBytes { try workspace.artifacts.put($0, hash: oldHash) }
        try fresh.withUnsafeBytes { try workspace.artifacts.put($0, hash: freshHash) }
        let longAgo = Date().addingTimeInterval(-2 * Workspace.garbageGrace)
        for hash in [oldHash, version.contentHash] {
            try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: workspace.artifacts.url(for: hash).path)
        }

        let dryRun = try workspace.collectGarbage(apply: false)
        XCTAssertEqual([dryRun.blobs, dryRun.bytes, dryRun.rows], [1, 5000, 0])
        XCTAssertTrue(workspace.artifacts.contains(oldHash), "a dry run deletes nothing")

        let applied = try workspace.collectGarbage(apply: true)
        XCTAssertEqual([applied.blobs, applied.bytes], [1, 5000])
        XCTAssertFalse(workspace.artifacts.contains(oldHash))
        XCTAssertTrue(workspace.artifacts.contains(freshHash), "a blob younger than the grace period may be a writer's")
        XCTAssertTrue(workspace.artifacts.contains(version.contentHash), "a referenced blob stays, however old")
        XCTAssertEqual(try workspace.collectGarbage(apply: true).blobs, 0)
        XCTAssertEqual(try workspace.checkStore(), [])
    }
}
