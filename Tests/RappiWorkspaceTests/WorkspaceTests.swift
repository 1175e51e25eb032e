import Foundation
import XCTest
import RappiML
@testable import RappiWorkspace

final class WorkspaceTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func csv(_ name: String, _ text: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func open() throws -> Workspace { try Workspace(directory: root.appendingPathComponent("ws")) }

    func testCreatesTheLayoutOnFirstUse() throws {
        let ws = try open()
        XCTAssertEqual(ws.schemaVersion, Schema.currentVersion)
        XCTAssertEqual(try ws.database.scalar("PRAGMA journal_mode").string, "wal")
        XCTAssertEqual(try ws.database.scalar("PRAGMA foreign_keys").int, 1)
        for path in ["workspace.sqlite", "artifacts", "logs"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: ws.directory.appendingPathComponent(path).path), path)
        }
        // Opening again is a no-op migration.
        XCTAssertEqual(try open().schemaVersion, Schema.currentVersion)
    }

    func testRefusesASchemaFromTheFuture() throws {
        let ws = try open()
        try ws.database.execute("PRAGMA user_version = 99")
        XCTAssertThrowsError(try open()) { error in
            XCTAssertTrue("\(error)".contains("newer than this rappi understands"), "\(error)")
        }
    }

    func testVersionsAreNumberedAndContentAddressed() throws {
        let ws = try open()
        let a = try csv("a.csv", "x,y\n1,2\n3,4\n")
        let b = try csv("b.csv", "x,y\n1,2\n3,5\n")
        guard case .created(let v1) = try ws.uploadDataset(name: "d", path: a, target: "y", description: "first") else { return XCTFail() }
        XCTAssertEqual(v1.version, 1)
        XCTAssertEqual(v1.rows, 2)
        XCTAssertEqual(v1.schema.map(\.type), ["integer", "integer"])
        guard case .unchanged(let same) = try ws.uploadDataset(name: "d", path: a, target: nil, description: nil) else { return XCTFail() }
        XCTAssertEqual(same.version, 1)
        guard case .created(let v2) = try ws.uploadDataset(name: "d", path: b, target: "y", description: nil) else { return XCTFail() }
        XCTAssertEqual(v2.version, 2)
        XCTAssertNotEqual(v1.contentHash, v2.contentHash)

        let blob = ws.artifacts.url(for: v1.contentHash)
        XCTAssertEqual(blob.deletingLastPathComponent().lastPathComponent, String(v1.contentHash.prefix(2)))
        XCTAssertEqual(try String(contentsOf: blob, encoding: .utf8), "x,y\n1,2\n3,4\n")
        XCTAssertEqual(try ws.datasetVersion("d", .latest).version, 2)
        XCTAssertEqual(try ws.datasetVersion("d", .number(1)).description, "first")
        let frame = try ws.loadFrame(v2)
        XCTAssertEqual(frame.column(named: "y")?.double(1), 5)
    }

    func testAFailedUploadStoresNothing() throws {
        let ws = try open()
        let good = try csv("good.csv", "x,y\n1,2\n")
        _ = try ws.uploadDataset(name: "d", path: good, target: nil, description: nil)
        let before = ws.artifacts.usage()
        let ragged = try csv("bad.csv", "x,y\n1,2\n3\n")
        XCTAssertThrowsError(try ws.uploadDataset(name: "d", path: ragged, target: nil, description: nil)) { error in
            XCTAssertTrue("\(error)".contains("bad.csv:3:"), "\(error)")
        }
        XCTAssertThrowsError(try ws.uploadDataset(name: "d", path: good, target: "Survived", description: nil)) { error in
            XCTAssertTrue("\(error)".contains("target column 'Survived'"), "\(error)")
        }
        XCTAssertThrowsError(try ws.uploadDataset(name: "new", path: ragged, target: nil, description: nil))
        XCTAssertEqual(try ws.datasetVersions("d").count, 1)
        XCTAssertEqual(ws.datasetNames(), ["d"])
        XCTAssertEqual(ws.artifacts.usage().count, before.count)
    }

    func testAFolderOfFilesWithOneHeader() throws {
        let ws = try open()
        _ = try csv("parts/2.csv", "x,y\r\n3,4\r\n")
        _ = try csv("parts/1.csv", "x,y\n1,2")
        _ = try csv("parts/notes.txt", "ignored")
        let version = try ws.uploadDataset(name: "d", path: root.appendingPathComponent("parts"), target: nil, description: nil).version
        XCTAssertEqual(version.rows, 2)
        let frame = try ws.loadFrame(version)
        XCTAssertEqual(frame.column(named: "x")?.double(0), 1)
        XCTAssertEqual(frame.column(named: "x")?.double(1), 3)

        _ = try csv("mixed/a.csv", "x,y\n1,2\n")
        _ = try csv("mixed/b.csv", "x,z\n1,2\n")
        XCTAssertThrowsError(try ws.uploadDataset(name: "m", path: root.appendingPathComponent("mixed"), target: nil, description: nil)) { error in
            XCTAssertTrue("\(error)".contains("must have the same header"), "\(error)")
        }
    }

    func testBadNamesAndPaths() throws {
        let ws = try open()
        XCTAssertThrowsError(try ws.uploadDataset(name: "9lives", path: root, target: nil, description: nil))
        XCTAssertThrowsError(try ws.uploadDataset(name: "d", path: root.appendingPathComponent("missing.csv"), target: nil, description: nil)) { error in
            XCTAssertTrue("\(error)".contains("no file or folder"), "\(error)")
        }
    }

    func testConcurrentWritersNeverShareAVersionNumber() throws {
        let directory = root.appendingPathComponent("ws")
        _ = try Workspace(directory: directory)
        let files = try (0..<16).map { try csv("c\($0).csv", "x\n\($0)\n") }
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let ws = try Workspace(directory: directory)  // its own connection, like another process
                for index in stride(from: worker, to: files.count, by: 4) {
                    _ = try ws.uploadDataset(name: "c", path: files[index], target: nil, description: nil)
                }
            } catch { errors.add(error) }
        }
        XCTAssertTrue(errors.all.isEmpty, "\(errors.all)")
        let versions = try Workspace(directory: directory).datasetVersions("c").map(\.version)
        XCTAssertEqual(versions, Array(1...16))
    }

    func testRunsAreRecordedWithTheirCells() throws {
        let ws = try open()
        let id = try ws.beginRun(kind: "script", source: "x.rappi", scriptText: "echo hi", parametersJSON: "{\"a\":1}")
        try ws.recordCell(run: id, RunCellRecord(cell: 1, line: 1, statement: "echo hi", ok: true, valuesJSON: "{}", error: nil, durationMilliseconds: 1))
        try ws.finishRun(id, status: "succeeded", error: nil)
        let run = try XCTUnwrap(try ws.run(id))
        XCTAssertEqual(run.status, "succeeded")
        XCTAssertEqual(run.cells, 1)
        XCTAssertTrue(ws.artifacts.contains(run.scriptHash!))
        XCTAssertEqual(try ws.runCells(id).first?.statement, "echo hi")
    }

    func testVersionSelector() {
        XCTAssertEqual(VersionSelector("v3"), .number(3))
        XCTAssertEqual(VersionSelector("3"), .number(3))
        XCTAssertEqual(VersionSelector("latest"), .latest)
        XCTAssertEqual(VersionSelector("0"), .latest)
        XCTAssertNil(VersionSelector("vx"))
        XCTAssertNil(VersionSelector("-1"))
    }

    func testNameSuggestion() {
        XCTAssertEqual(NameSuggestion.closest(to: "tress", in: ["trees", "depth"]), "trees")
        XCTAssertEqual(NameSuggestion.closest(to: "tragte", in: ["target", "description"]), "target")
        XCTAssertNil(NameSuggestion.closest(to: "zzz", in: ["target"]))
    }
}

private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ error: Error) { lock.lock(); errors.append(error); lock.unlock() }
    var all: [Error] { lock.lock(); defer { lock.unlock() }; return errors }
}
