import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// Pipeline workers that reach the workspace only over HTTP (`rappi serve --remote-workers`):
/// the same records and the same model bytes as a local run, and heartbeats.
final class RemoteWorkerTests: XCTestCase {
    private var root: URL!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    private static let setup = PipelineTests.definition

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-remote")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func workspace(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> RappiBinary {
        let rappi = RappiBinary(workspace: root.appendingPathComponent(name))
        let made = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_half target=Survived
            upload dataset titanic from \(data)/ds_full target=Survived
            \(Self.setup)
            """])
        XCTAssertEqual(made.status, 0, made.stdout + made.stderr, file: file, line: line)
        return rappi
    }

    private func runPipeline(_ rappi: RappiBinary, _ arguments: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> RappiBinary.Result {
        let result = try rappi.run(["-c", "run pipeline titanic_train \(arguments)"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr, file: file, line: line)
        return result
    }

    /// Defines and publishes a pipeline that trains for a few seconds, starts a workspace server
    /// with `serverArguments` and triggers one run of it over REST.
    private func triggerSlowRun(_ remote: RappiBinary, serverArguments: [String],
                                file: StaticString = #filePath, line: UInt = #line) throws -> (WorkspaceServerProcess, Int) {
        let defined = try remote.run(["-c", """
            pipeline slow(version=0) {
                load dataset titanic $version
                train rf trees=400
                cv folds=5
            }
            """])
        XCTAssertEqual(defined.status, 0, defined.stderr, file: file, line: line)
        let server = try WorkspaceServerProcess(workspace: remote.workspace, extraArguments: serverArguments)
        let published = try remote.run(["-c", "publish pipeline slow", "--json"])
        let last = try XCTUnwrap(published.lines.last { $0.hasPrefix("{") }, published.stderr, file: file, line: line)
        let values = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], file: file, line: line)["values"] as? [String: Any]
        let token = try XCTUnwrap(values?["published_token"] as? String, file: file, line: line)
        let triggered = try HTTPClient().post("\(server.baseURL)/api/pipelines/slow/runs", json: "{}", headers: ["Authorization": "Bearer \(token)"])
        XCTAssertEqual(triggered.status, 202, triggered.text, file: file, line: line)
        let runID = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(triggered.body)) as? [String: Any])?["run_id"] as? Int,
                                  file: file, line: line)
        return (server, runID)
    }

    /// What a run recorded per step, without times: kind, status, fingerprint, values, state.
    private func stepRecords(_ runID: Int, in workspace: Workspace) throws -> [String] {
        try workspace.pipelineSteps(runID).map { step in
            [step.kind, step.status, step.fingerprint ?? "-", step.valuesJSON, step.stateJSON ?? "-", step.reusedFrom.map(String.init) ?? "-"]
                .joined(separator: " | ")
        }
    }

    func testARunWhoseWorkerTalksOnlyHTTPRecordsTheSameStepsAndRegistersTheSameModelBytesAsALocalRun() throws {
        let local = try workspace("local")
        _ = try runPipeline(local)

        let remote = try workspace("remote")
        let server = try WorkspaceServerProcess(workspace: remote.workspace, extraArguments: ["--remote-workers"])
        let handed = try runPipeline(remote)
        XCTAssertTrue(handed.stdout.contains("queued on the workspace server"), handed.stdout)
        XCTAssertTrue(handed.stdout.contains("— succeeded"), handed.stdout + server.output)

        let here = try Workspace(directory: local.workspace), there = try Workspace(directory: remote.workspace)
        let localModel = try here.modelVersion("titanic_pipeline", .version(.latest))
        let remoteModel = try there.modelVersion("titanic_pipeline", .version(.latest))
        XCTAssertEqual(remoteModel.contentHash, localModel.contentHash, "same script, data and seed: byte-identical model files")
        XCTAssertEqual(remoteModel.version, 1)
        XCTAssertEqual(remoteModel.runID, localModel.runID)
        XCTAssertEqual(remoteModel.metricsJSON, localModel.metricsJSON)
        XCTAssertEqual(try there.loadModelBytes(remoteModel), try here.loadModelBytes(localModel))
        let runID = try XCTUnwrap(remoteModel.runID)
        XCTAssertEqual(try stepRecords(runID, in: there), try stepRecords(runID, in: here), "same rows, same fingerprints")
        XCTAssertEqual(try there.pipelineRun(runID).outputsJSON, try here.pipelineRun(runID).outputsJSON)
        let workerLog = try String(contentsOf: remote.workspace.appendingPathComponent("logs/runs/run-\(runID).log"), encoding: .utf8)
        XCTAssertFalse(workerLog.contains("error"), workerLog)

        // Reuse works through the server too: the remote worker asks it for earlier steps.
        let again = try runPipeline(remote)
        XCTAssertTrue(again.stdout.contains("4 of 5 steps reused from earlier runs"), again.stdout)
        // A new dataset version (v1 is the other file) trains again and registers version 2, as locally.
        let older = try runPipeline(remote, "version=1")
        XCTAssertTrue(older.stdout.contains("— succeeded"), older.stdout)
        XCTAssertEqual(try there.modelVersions("titanic_pipeline").count, 2)
        _ = server
    }

    func testAStepThatNeedsTheWorkspaceMachineIsRefusedOnARemoteWorkerWithTheFix() throws {
        let remote = try workspace("remote")
        let defined = try remote.run(["-c", """
            pipeline exporter(version=0) {
                load dataset titanic $version
                upload dataset copy from \(data)/ds_half
            }
            """])
        XCTAssertEqual(defined.status, 0, defined.stderr)
        let server = try WorkspaceServerProcess(workspace: remote.workspace, extraArguments: ["--remote-workers"])
        let result = try remote.run(["-c", "run pipeline exporter"])
        XCTAssertNotEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("failed: step 2 failed:"), result.stderr)
        XCTAssertTrue((result.stdout + result.stderr).contains("`upload dataset` needs the workspace's own machine and cannot run on a remote worker — run this pipeline on a local compute target"),
                      result.stdout + result.stderr + server.output)
        XCTAssertNil(try Workspace(directory: remote.workspace).datasetNames().first { $0 == "copy" })
    }

    func testAWorkerThatStopsReportingIsRequeuedAndAfterThreeAttemptsFailedWithTheReason() throws {
        let remote = try workspace("remote")
        let (server, runID) = try triggerSlowRun(remote, serverArguments: ["--remote-workers", "--worker-heartbeat-timeout", "1"])
        let there = try Workspace(directory: remote.workspace)

        // Freeze each attempt's worker as soon as it starts: it stops sending heartbeats.
        var frozen: Set<Int> = []
        let deadline = Date().addingTimeInterval(90)
        var run = try there.pipelineRun(runID)
        while !run.isFinished, Date() < deadline {
            if run.status == "running", let pid = run.workerPID, !frozen.contains(pid) {
                kill(Int32(pid), SIGSTOP)
                frozen.insert(pid)
            }
            usleep(10_000)
            run = try there.pipelineRun(runID)
        }
        XCTAssertEqual(run.status, "failed", "\(run)" + server.output)
        XCTAssertEqual(run.attempt, 3)
        XCTAssertEqual(frozen.count, 3)
        XCTAssertTrue(run.error?.hasPrefix("interrupted 3 times: its worker stopped reporting (no heartbeat for") == true, run.error ?? "")
        XCTAssertTrue(run.error?.hasSuffix("— not retried again; start a new run") == true, run.error ?? "")
    }

    func testOnSIGTERMTheServerKeepsAnsweringARemoteWorkerUntilItsRunFinishes() throws {
        let remote = try workspace("remote")
        let (server, runID) = try triggerSlowRun(remote, serverArguments: ["--remote-workers", "--drain-seconds", "120"])
        let there = try Workspace(directory: remote.workspace)
        var run = try there.pipelineRun(runID)
        let deadline = Date().addingTimeInterval(60)
        while run.status == "queued" || run.workerPID == nil, Date() < deadline {
            usleep(20_000)
            run = try there.pipelineRun(runID)
        }
        XCTAssertEqual(run.status, "running")

        // The worker still has its steps to report over HTTP when the server is told to stop.
        XCTAssertEqual(server.terminate(), 0, server.output)
        run = try there.pipelineRun(runID)
        XCTAssertEqual(run.status, "succeeded", (run.error ?? "") + server.output)
        XCTAssertEqual(run.attempt, 1)
    }

    func testRayTargetOptionsAreCheckedAndARayRunNeedsTheWorkspaceServer() throws {
        let rappi = try workspace("ws")
        func error(_ statement: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
            let result = try rappi.run(["-c", statement])
            XCTAssertNotEqual(result.status, 0, result.stdout, file: file, line: line)
            return result.stderr
        }
        XCTAssertTrue(try error("compute create r kind=ray").contains("kind=ray needs address=http://HOST:8265"))
        XCTAssertTrue(try error("compute create r address=http://head:8265").contains("option 'address' is for Ray targets — add kind=ray"))
        XCTAssertTrue(try error("compute create r kind=ray address=http://head:8265 resources=gpu")
            .contains("option 'resources' expects NAME:AMOUNT,… such as hidden:1,gpu_box:0.5, got 'gpu'"))
        XCTAssertTrue(try error("compute create r kind=ray address=http://head:8265 resources=CPU:2")
            .contains("CPU comes from cores= and memory="))
        XCTAssertTrue(try error("compute create r kind=ray address=http://head:8265 rappi-path=bin/rappi")
            .contains("option 'rappi-path' must be an absolute path on the nodes"))

        // Port 9 (discard) on loopback: nothing answers there.
        let created = try rappi.run(["-c", "compute create r kind=ray address=http://127.0.0.1:9 cores=1 resources=hidden:1"])
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertTrue(created.stdout.contains("created compute r: 1 core, no limit, at most 1 run at once on the Ray cluster at http://127.0.0.1:9 (resources hidden:1)"), created.stdout)
        let listed = try rappi.run(["-c", "compute list"])
        XCTAssertTrue(listed.stdout.contains("Ray cluster http://127.0.0.1:9 (r):"), listed.stdout)
        XCTAssertTrue(listed.stdout.contains("unreachable: cannot reach the Ray cluster at http://127.0.0.1:9"), listed.stdout)
        XCTAssertTrue(try error("run pipeline titanic_train on r")
            .contains("compute r is a Ray cluster: its workers reach the workspace through the workspace server — start `rappi serve` first"))
        XCTAssertEqual(try Workspace(directory: rappi.workspace).pipelineRuns().count, 0, "nothing queued")
    }
}
