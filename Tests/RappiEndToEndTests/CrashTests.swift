import Foundation
import RappiML
import RappiWorkspace
import XCTest

/// SIGKILLs rappi at random moments while it uploads, registers, deploys and runs a REPL-style
/// session, many times over one workspace, then asks `workspace check` whether the workspace is
/// still consistent. Seeded and bounded (about 40 kills), so a failure can be replayed.
final class CrashTests: XCTestCase {
    private var scratch: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic/ds_full/titanic.csv")

    override func setUpWithError() throws {
        scratch = try RappiBinary.scratchFolder("rappi-crash")
        rappi = RappiBinary(workspace: scratch.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws {
        rappi.stopServices()
        stopOrphanServers()
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Model servers a killed `deploy` started but never recorded: nothing else knows them.
    private func stopOrphanServers() {
        let artifacts = rappi.workspace.appendingPathComponent("artifacts").path
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let argv = ProcessTable.commandLine(pid),
                  argv.contains("serve-model"), argv.contains(where: { $0.hasPrefix(artifacts) }) else { continue }
            kill(pid, SIGKILL)
        }
    }

    private struct Operation {
        let kind: String
        let arguments: [String]
        let stdin: String?
    }

    /// Starts `operation`, kills it with SIGKILL after `delay` seconds unless it ended first;
    /// returns whether it was killed.
    private func run(_ operation: Operation, killingAfter delay: Double) throws -> Bool {
        let process = rappi.process(operation.arguments)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin = operation.stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning, Date() < deadline { usleep(2_000) }
        guard process.isRunning else { return false }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return true
    }

    private func timed(_ operation: Operation) throws -> Double {
        let start = Date()
        _ = try run(operation, killingAfter: 120)
        return Date().timeIntervalSince(start)
    }

    func testKillingUploadsRegistrationsDeploymentsAndSessionsAtRandomMomentsLeavesAConsistentWorkspace() throws {
        // A dataset big enough that an upload takes a while: titanic repeated, one line added per upload.
        let big = scratch.appendingPathComponent("big.csv")
        let titanic = try String(contentsOf: data, encoding: .utf8)
        let header = titanic.prefix { $0 != "\n" }, body = titanic.dropFirst(header.count + 1)
        try (String(header) + "\n" + String(repeating: String(body), count: 120)).write(to: big, atomically: true, encoding: .utf8)
        try rappi.run(["-c", "upload dataset titanic from \(data.path) target=Survived"])
        let extra = try FileHandle(forWritingTo: big)
        defer { try? extra.close() }
        var counter = 0
        let firstRow = String(body.prefix { $0 != "\n" })
        func uniqueBigUpload() throws -> Operation {
            counter += 1
            extra.seekToEndOfFile()
            extra.write(Data((firstRow.replacingOccurrences(of: "Braund", with: "Crash\(counter)") + "\n").utf8))
            return Operation(kind: "upload", arguments: ["-c", "upload dataset big from \(big.path) target=Survived"], stdin: nil)
        }
        let register = Operation(kind: "register", arguments: ["-c", "load dataset titanic; train rf trees=30; register"], stdin: nil)
        let deploy = Operation(kind: "deploy", arguments: ["-c", "deploy titanic_rf:latest local as crash_ep"], stdin: nil)
        let session = Operation(kind: "session", arguments: [], stdin: """
            load dataset titanic
            train logreg
            register as crash_lr
            upload dataset titanic from \(data.path) target=Survived
            runs

            """)

        // How long each takes when left alone: kills are spread over that span (and a little beyond).
        let uploadTime = try timed(try uniqueBigUpload())
        let spans = ["upload": uploadTime, "register": try timed(register), "deploy": try timed(deploy), "session": try timed(session)]
        var generator = SplitMix64(seed: 14)
        var killed: [String: Int] = [:], finished: [String: Int] = [:]
        var partialsSeen = 0
        let budget = Date().addingTimeInterval(45)
        for round in 0..<40 where Date() < budget {
            let operation = round % 4 == 0 ? try uniqueBigUpload() : [register, deploy, session][round % 4 - 1]
            let delay = generator.nextDouble() * spans[operation.kind]! * 1.1
            if try run(operation, killingAfter: delay) {
                killed[operation.kind, default: 0] += 1
            } else {
                finished[operation.kind, default: 0] += 1
            }
            partialsSeen += try partialFiles().count
        }
        print("crash test: killed \(killed), finished \(finished), .partial files seen after kills \(partialsSeen); spans \(spans)")
        XCTAssertGreaterThanOrEqual(killed.values.reduce(0, +), 20, "too few operations were killed mid-way: \(killed)")

        let check = try rappi.run(["-c", "workspace check"])
        print("crash test: workspace check said:\n\(check.stdout)\(check.stderr)")
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("is consistent"), check.stdout)
        XCTAssertEqual(try partialFiles(), [], "the temporary files of killed writers are gone after the next open")
        let again = try rappi.run(["-c", "workspace check"])
        XCTAssertFalse(again.stdout.contains("repaired"), "a second check finds nothing left to mend:\n\(again.stdout)")
        // Still usable: what was committed reads back.
        let read = try rappi.run(["-c", "load dataset titanic; datasets; models; runs"])
        XCTAssertEqual(read.status, 0, read.stderr)
    }

    func testWorkspaceCheckMendsDeadServersFailsOnDamageAndGCFreesOnlyWhenAsked() throws {
        try rappi.run(["-c", "upload dataset titanic from \(data.path) target=Survived; load dataset titanic; train rf trees=10; register; deploy local"])
        let sound = try rappi.run(["-c", "workspace check", "--json"])
        XCTAssertEqual(sound.status, 0, sound.stderr)
        XCTAssertTrue(sound.stdout.contains(#""problems":0"#), sound.stdout)

        // The endpoint's server dies: check says so, forgets its pid, and a second check is clean.
        let workspace = try Workspace(directory: rappi.workspace)
        let endpoint = try workspace.endpoint("titanic_rf")
        kill(Int32(try XCTUnwrap(endpoint.pid)), SIGKILL)
        usleep(200_000)
        let mended = try rappi.run(["-c", "workspace check"])
        XCTAssertEqual(mended.status, 0, mended.stderr)
        XCTAssertTrue(mended.stdout.contains("repaired: endpoint titanic_rf recorded pid \(endpoint.pid!), which is not its server any more"), mended.stdout)
        XCTAssertNil(try workspace.endpoint("titanic_rf").pid)
        XCTAssertFalse(try rappi.run(["-c", "workspace check"]).stdout.contains("repaired"))

        // A blob no row records, written long ago: gc reports it, frees it only with apply=true.
        let orphan = Array(repeating: UInt8(ascii: "x"), count: 4096)
        let hash = orphan.withUnsafeBytes { ArtifactStore.hash($0) }
        try orphan.withUnsafeBytes { try workspace.artifacts.put($0, hash: hash) }
        let blob = workspace.artifacts.url(for: hash).path
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * Workspace.garbageGrace)], ofItemAtPath: blob)
        let dryRun = try rappi.run(["-c", "workspace gc"])
        XCTAssertTrue(dryRun.stdout.contains("would delete 1 unreferenced blob (4.1 KB) — `workspace gc apply=true` frees 4.1 KB"), dryRun.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: blob))
        let applied = try rappi.run(["-c", "workspace gc apply=true"])
        XCTAssertTrue(applied.stdout.contains("deleted 1 unreferenced blob"), applied.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: blob))
        XCTAssertTrue(try rappi.run(["-c", "workspace gc"]).stdout.contains("nothing to collect"))

        // A damaged blob: check lists the problem and exits 1.
        let model = workspace.artifacts.url(for: endpoint.modelHash).path
        chmod(model, 0o600)
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: model))
        let damaged = try rappi.run(["-c", "workspace check"])
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(damaged.stderr.contains("is inconsistent: 2 problems"), damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("blob \(endpoint.modelHash.prefix(12)) is corrupt"), damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("bytes on disk but"), damaged.stderr)
    }

    private func partialFiles() throws -> [String] {
        let tmp = rappi.workspace.appendingPathComponent("artifacts/tmp").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasSuffix(".partial") }
    }
}
