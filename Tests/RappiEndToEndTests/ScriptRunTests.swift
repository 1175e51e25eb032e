import Foundation
import RappiWorkspace
import XCTest

/// Runs `.rappi` scripts through the built binary and checks what they print, their exit codes
/// and what lands in the workspace.
final class ScriptRunTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-e2e")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws {
        rappi.stopServices()  // never leave a router or a server behind
        try? FileManager.default.removeItem(at: root)
    }

    private var titanicScript: String { RappiBinary.repository.appendingPathComponent("scripts/titanic.rappi").path }

    private func write(_ name: String, _ text: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testTitanicScriptUploadsTwoVersionsAndIsRepeatable() throws {
        let first = try rappi.run(["run", titanicScript, "-D", "target=local", "-D", "package_dir=\(root.path)/package"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("created titanic v1 — 446 rows × 12 columns"), first.stdout)
        XCTAssertTrue(first.stdout.contains("created titanic v2 — 891 rows × 12 columns"), first.stdout)
        XCTAssertTrue(first.stdout.contains("loaded titanic v2 — 891 rows × 12 columns, target Survived"), first.stdout)
        XCTAssertTrue(first.stdout.contains("ok: rows == 891"), first.stdout)

        let second = try rappi.run(["run", titanicScript, "-D", "target=local", "-D", "package_dir=\(root.path)/package"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("unchanged: identical to titanic v1"), second.stdout)
        XCTAssertTrue(second.stdout.contains("unchanged: identical to titanic v2"), second.stdout)

        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(try ws.datasetVersions("titanic").map(\.rows), [446, 891])
        let runs = try ws.runs()
        XCTAssertEqual(runs.map(\.status), ["succeeded", "succeeded"])
        XCTAssertEqual(runs.first?.kind, "script")
        XCTAssertGreaterThan(runs.first?.cells ?? 0, 5)
    }

    func testJSONModeEmitsOneObjectPerStatement() throws {
        let result = try rappi.run(["run", titanicScript, "--json", "-D", "target=local", "-D", "package_dir=\(root.path)/package"])
        // In --json mode the failing cell is on standard output: show it when this fails.
        XCTAssertEqual(result.status, 0, result.stderr + result.lines.filter { $0.contains("\"ok\":false") }.joined(separator: "\n"))
        let objects = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.map { $0["cell"] as! Int }, Array(1...objects.count))
        XCTAssertTrue(objects.allSatisfy { $0["ok"] as? Bool == true })
        let load = try XCTUnwrap(objects.first { ($0["statement"] as? String)?.hasPrefix("load dataset") == true })
        let values = load["values"] as! [String: Any]
        XCTAssertEqual(values["rows"] as? Int, 891)
        XCTAssertEqual(values["columns"] as? Int, 12)
        XCTAssertEqual(values["dataset"] as? String, "titanic")
        XCTAssertEqual(values["version"] as? Int, 2)
        XCTAssertEqual((values["hash"] as? String)?.count, 64)
        XCTAssertNotNil(load["line"] as? Int)
        XCTAssertNotNil(load["output"] as? String)
    }

    func testFirstFailureStopsTheScriptWithFileLineAndColumn() throws {
        let script = try write("fail.rappi", """
            echo before
            set seed 1
            assert seed == 2
            echo after
            """)
        let result = try rappi.run(["run", script.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("before"))
        XCTAssertFalse(result.stdout.contains("after"), result.stdout)
        XCTAssertTrue(result.stderr.contains("fail.rappi:3:8: error: assertion failed: seed == 2 (seed is 1)"), result.stderr)
        XCTAssertEqual(try Workspace(directory: rappi.workspace).runs().last?.status, "failed")
    }

    func testATypoAnywhereFailsBeforeAnythingRuns() throws {
        let script = try write("typo.rappi", "echo first\nupload dataset t from x.csv tragte=Survived\n")
        let result = try rappi.run(["run", script.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.stdout.contains("first"), "nothing runs when a statement cannot parse")
        XCTAssertTrue(result.stderr.contains("typo.rappi:2:29: error: unknown option 'tragte' — did you mean 'target'?"), result.stderr)
    }

    func testAnUndefinedNameOrABadOptionValueAnywhereFailsBeforeAnythingRuns() throws {
        let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic/ds_full").path
        let misspelt = try write("names.rappi", """
            let version = 1
            upload dataset titanic from \(data) target=Survived
            load dataset titanic $verison
            """)
        let result = try rappi.run(["run", misspelt.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("names.rappi:3:22: error: $verison is not defined at this point — did you mean $version?"), result.stderr)
        XCTAssertFalse(result.stdout.contains("created titanic"), result.stdout)

        // A value is known from the statement that publishes it onwards, and -D names are known from the start.
        let ordered = try write("ordered.rappi", "echo $rows\nupload dataset titanic from \(data) target=Survived\n")
        let early = try rappi.run(["run", ordered.path])
        XCTAssertTrue(early.stderr.contains("ordered.rappi:1:6: error: $rows is not defined at this point"), early.stderr)
        let fine = try write("fine.rappi", "echo $who\nupload dataset titanic from \(data) target=Survived\nload dataset titanic\necho \"${rows} rows\"\n")
        let ok = try rappi.run(["run", fine.path, "-D", "who=ada"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("891 rows"), ok.stdout)

        for (statement, message) in [("train rf trees=0", "option 'trees' must be at least 1, got 0"),
                                     ("compute create c cores=0", "option 'cores' must be at least 1, got 0"),
                                     ("compute create c memory=1t", "option 'memory' expects a size such as 7g, 512m or 64MB, got '1t'")] {
            let script = try write("values.rappi", "upload dataset titanic2 from \(data) target=Survived\n\(statement)\n")
            let checked = try rappi.run(["run", script.path, "--json"])
            XCTAssertEqual(checked.status, 1)
            XCTAssertTrue(checked.stdout.contains("\"line\":2"), checked.stdout)
            XCTAssertTrue(checked.stdout.contains(message), checked.stdout)
            XCTAssertFalse(checked.stdout.contains("created titanic2"), "\(statement) should fail before the upload runs")
        }
    }

    func testKeepGoingRunsEverythingAndStillFails() throws {
        let script = try write("many.rappi", "assert nothing == 1\necho middle\nlod dataset x\necho end\n")
        let result = try rappi.run(["run", script.path, "--keep-going", "--json"])
        XCTAssertEqual(result.status, 1)
        let objects = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.map { $0["ok"] as! Bool }, [false, true, false, true])
        guard objects.count == 4 else { return }
        let error = objects[2]["error"] as! [String: Any]
        XCTAssertEqual(error["message"] as? String, "unknown command 'lod' — did you mean 'load dataset'?")
        XCTAssertEqual(error["line"] as? Int, 3)
        XCTAssertEqual(error["column"] as? Int, 1)
    }

    func testParametersFromTheCommandLine() throws {
        let script = try write("params.rappi", """
            let version = 1
            upload dataset titanic from \(RappiBinary.repository.path)/scripts/data/titanic/ds_half
            upload dataset titanic from \(RappiBinary.repository.path)/scripts/data/titanic/ds_full
            load dataset titanic $version
            echo loaded $dataset v$version with $rows rows
            """)
        let defaulted = try rappi.run(["run", script.path])
        XCTAssertEqual(defaulted.status, 0, defaulted.stderr)
        XCTAssertTrue(defaulted.stdout.contains("loaded titanic v1 with 446 rows"), defaulted.stdout)
        let overridden = try rappi.run(["run", script.path, "-D", "version=2"])
        XCTAssertTrue(overridden.stdout.contains("loaded titanic v2 with 891 rows"), overridden.stdout)
        XCTAssertEqual(try Workspace(directory: rappi.workspace).runs().last?.parametersJSON, #"{"version":2}"#)
    }

    func testOneLineAndStandardInput() throws {
        let line = try rappi.run(["-c", "set seed 9; echo seed is $seed"])
        XCTAssertEqual(line.status, 0, line.stderr)
        XCTAssertTrue(line.stdout.contains("seed is 9"))

        let piped = try rappi.run([], stdin: "echo from stdin\nassert missing == 1\n")
        XCTAssertEqual(piped.status, 1)
        XCTAssertTrue(piped.stdout.contains("from stdin"))
        XCTAssertTrue(piped.stderr.contains("<stdin>:2:8: error: no value named 'missing'"), piped.stderr)
        XCTAssertEqual(try Workspace(directory: rappi.workspace).runs().map(\.kind), ["command", "stdin"])
    }

    func testWorkspaceFromTheEnvironmentAndTheDefault() throws {
        let elsewhere = root.appendingPathComponent("from-env")
        let env = try rappi.run(["-c", "workspace", "--workspace", ""], environment: ["RAPPI_WORKSPACE": elsewhere.path])
        XCTAssertEqual(env.status, 0, env.stderr)
        XCTAssertTrue(env.stdout.contains(elsewhere.path), env.stdout)
        let defaulted = try rappi.run(["-c", "workspace", "--workspace", ""], in: root)
        XCTAssertTrue(defaulted.stdout.contains(root.appendingPathComponent("workspaces/default").path), defaulted.stdout)
    }

    func testBadCSVNamesFileLineAndColumnAndStoresNothing() throws {
        _ = try write("bad/ragged.csv", "a,b,c\n1,2,3\n4,5\n")
        _ = try write("bad/quote.csv", "a,b\n1,\"open\n2,3\n")
        let result = try rappi.run(["-c", "upload dataset r from bad/ragged.csv"], in: root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("ragged.csv:3:"), result.stderr)
        let quote = try rappi.run(["-c", "upload dataset r from bad/quote.csv"], in: root)
        XCTAssertTrue(quote.stderr.contains("quote.csv:2:3"), quote.stderr)
        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(ws.datasetNames(), [])
        XCTAssertEqual(ws.artifacts.usage().count, 2)  // only the two recorded scripts
    }

    func testTwoProcessesNeverShareAVersionNumber() throws {
        let files = try (0..<12).map { try write("c/\($0).csv", "x\n\($0)\n") }
        let a = try write("a.rappi", files.enumerated().filter { $0.offset % 2 == 0 }.map { "upload dataset c from \($0.element.path)" }.joined(separator: "\n"))
        let b = try write("b.rappi", files.enumerated().filter { $0.offset % 2 == 1 }.map { "upload dataset c from \($0.element.path)" }.joined(separator: "\n"))
        var results: [RappiBinary.Result?] = [nil, nil]
        let rappi = self.rappi!
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            results[index] = try? rappi.run(["run", (index == 0 ? a : b).path])
        }
        XCTAssertEqual(results.map { $0?.status }, [0, 0], results.map { $0?.stderr ?? "" }.joined())
        let versions = try Workspace(directory: rappi.workspace).datasetVersions("c")
        XCTAssertEqual(versions.map(\.version), Array(1...12))
        XCTAssertEqual(Set(versions.map(\.contentHash)).count, 12)
    }

    func testARunWhoseProcessIsKilledShowsAsInterrupted() throws {
        let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic/ds_full").path
        XCTAssertEqual(try rappi.run(["-c", "upload dataset titanic from \(data) target=Survived"]).status, 0)
        // A run that takes a long while, started as a user would, then killed mid-way.
        let process = Process()
        process.executableURL = RappiBinary.url
        process.arguments = ["-c", "load dataset titanic; train rf trees=100000", "--workspace", rappi.workspace.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let workspace = try Workspace(directory: rappi.workspace)
        var running: RunRecord?
        for _ in 0..<200 where running == nil {
            running = try workspace.runs().last { $0.kind == "command" && $0.status == "running" }
            if running == nil { usleep(50_000) }
        }
        let run = try XCTUnwrap(running, "the run never showed as running")
        // While its process lives, looking at runs leaves it running.
        XCTAssertEqual(try workspace.run(run.id)?.status, "running")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let listed = try rappi.run(["-c", "runs"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let row = listed.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(run.id) ") }.map(String.init) ?? ""
        XCTAssertTrue(row.contains("interrupted"), listed.stdout)
        let record = try XCTUnwrap(try workspace.run(run.id))
        XCTAssertEqual(record.status, "interrupted")
        XCTAssertTrue(record.error?.contains("its process stopped before the run finished") == true, record.error ?? "")
        // Finished runs are untouched: the upload still reads succeeded.
        XCTAssertEqual(try workspace.runs().first?.status, "succeeded")
        XCTAssertFalse(FileManager.default.fileExists(atPath: rappi.workspace.appendingPathComponent("locks/run-\(run.id).lock").path))
    }

    func testHelpAndUnknownScript() throws {
        let help = try rappi.run(["-c", "help load dataset"])
        XCTAssertTrue(help.stdout.contains("load dataset NAME [vN|latest]"), help.stdout)
        let missing = try rappi.run(["run", root.appendingPathComponent("nope.rappi").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot read script"), missing.stderr)
    }
}
