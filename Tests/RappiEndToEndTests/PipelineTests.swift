import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// Pipelines through the built binary: definitions, runs in worker processes, step reuse,
/// compute limits, and the workspace server's REST API with its durable queue.
final class PipelineTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    /// The Titanic training pipeline the pipeline tests (local and remote workers) run.
    static let definition = """
        pipeline titanic_train(version=0, trees=30) {
            load dataset titanic $version
            preprocess recipe=titanic
            train rf trees=$trees
            evaluate
            register as titanic_pipeline
        }
        """

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-pipe")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
        let uploaded = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_half target=Survived
            upload dataset titanic from \(data)/ds_full target=Survived
            \(Self.definition)
            """])
        XCTAssertEqual(uploaded.status, 0, uploaded.stdout + uploaded.stderr)
        XCTAssertTrue(uploaded.stdout.contains("defined pipeline titanic_train(version=0, trees=30) v1 — 5 steps"), uploaded.stdout)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func values(_ result: RappiBinary.Result) throws -> [String: Any] {
        let last = try XCTUnwrap(result.lines.last { $0.hasPrefix("{") })
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        return object["values"] as? [String: Any] ?? [:]
    }

    func testRunReusesStepsAndANewDatasetVersionMakesANewModelVersion() throws {
        let first = try rappi.run(["-c", "run pipeline titanic_train version=0", "--json"])
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        var v = try values(first)
        XCTAssertEqual(v["run_status"] as? String, "succeeded")
        XCTAssertEqual(v["steps_reused"] as? Int, 0)
        XCTAssertEqual(v["model_version"] as? Int, 1)
        XCTAssertGreaterThan(v["accuracy"] as? Double ?? 0, 0.75)

        let again = try rappi.run(["-c", "run pipeline titanic_train version=0", "--json"])
        v = try values(again)
        XCTAssertEqual(v["steps_reused"] as? Int, 4, again.stdout)  // all but `load dataset`
        let againID = try XCTUnwrap(v["run_id"] as? Int)
        XCTAssertEqual(v["model_version"] as? Int, 1)

        let forced = try rappi.run(["-c", "run pipeline titanic_train reuse=false", "--json"])
        XCTAssertEqual(try values(forced)["steps_reused"] as? Int, 0)
        XCTAssertEqual(try values(forced)["model_version"] as? Int, 1, "same data, same seed: the same model bytes")

        let older = try rappi.run(["-c", "run pipeline titanic_train version=1", "--json"])
        v = try values(older)
        XCTAssertEqual(v["model_version"] as? Int, 2, older.stdout)
        XCTAssertEqual(v["rows"] as? Int, 446)

        let moreTrees = try rappi.run(["-c", "run pipeline titanic_train trees=40"])
        XCTAssertEqual(moreTrees.status, 0, moreTrees.stdout)
        XCTAssertTrue(moreTrees.stdout.contains("preprocess      reused"), moreTrees.stdout)
        XCTAssertTrue(moreTrees.stdout.contains("train rf        succeeded"), moreTrees.stdout)

        let listed = try rappi.run(["-c", "runs pipeline titanic_train"])
        XCTAssertEqual(listed.lines.filter { $0.contains("succeeded") }.count, 5, listed.stdout)

        let show = try rappi.run(["-c", "run show \(againID) logs=true"])
        XCTAssertTrue(show.stdout.contains("reused") && show.stdout.contains("parameters: version=0 trees=30"), show.stdout)
    }

    func testStepsAfterAReusedTrainStepSeeTheRestoredModel() throws {
        let cv3 = try rappi.run(["-c", "pipeline check { load dataset titanic; train rf trees=20; cv folds=3 }; run pipeline check", "--json"])
        XCTAssertEqual(cv3.status, 0, cv3.stdout + cv3.stderr)
        // The train step is reused; cv with other folds executes on the restored model's recipe.
        let cv4 = try rappi.run(["-c", "pipeline check { load dataset titanic; train rf trees=20; cv folds=4 }; run pipeline check", "--json"])
        XCTAssertEqual(cv4.status, 0, cv4.stdout + cv4.stderr)
        let v = try values(cv4)
        XCTAssertEqual(v["steps_reused"] as? Int, 1)
        let direct = try rappi.run(["-c", "load dataset titanic; train rf trees=20; cv folds=4", "--json"])
        XCTAssertEqual(try values(direct)["cv_accuracy"] as? Double, v["cv_accuracy"] as? Double, "same result as training in the session")
    }

    func testDefinitionsVersionAndBadInputIsRejectedWithTheFix() throws {
        let same = try rappi.run(["-c", Self.definition])
        XCTAssertTrue(same.stdout.contains("unchanged: pipeline titanic_train v1"), same.stdout)
        let changed = try rappi.run(["-c", Self.definition.replacingOccurrences(of: "trees=30", with: "trees=31")])
        XCTAssertTrue(changed.stdout.contains("v2"), changed.stdout)

        let typo = try rappi.run(["-c", "run pipeline titanic_train tress=3"])
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("has no parameter 'tress' — did you mean 'trees'?"), typo.stderr)

        let unknownVariable = try rappi.run(["-c", "pipeline p(a=1) {\n  train rf trees=$b\n}"])
        XCTAssertTrue(unknownVariable.stderr.contains("2:"), unknownVariable.stderr)
        XCTAssertTrue(unknownVariable.stderr.contains("$b is not a parameter of this pipeline"), unknownVariable.stderr)

        let badStep = try rappi.run(["-c", "pipeline p { load datset titanic }"])
        XCTAssertTrue(badStep.stderr.contains("did you mean 'load dataset'?"), badStep.stderr)
        XCTAssertTrue(try rappi.run(["-c", "pipelines"]).stdout.contains("titanic_train"))
        XCTAssertFalse(try rappi.run(["-c", "pipelines"]).stdout.contains(" p "), "a failed definition stores nothing")

        let noCompute = try rappi.run(["-c", "run pipeline titanic_train on gpu"])
        XCTAssertTrue(noCompute.stderr.contains("no compute target 'gpu'"), noCompute.stderr)

        let badMemory = try rappi.run(["-c", "compute create c1 cores=1 memory=lots"])
        XCTAssertTrue(badMemory.stderr.contains("option 'memory' expects a size such as 7g"), badMemory.stderr)

        let failing = try rappi.run(["-c", "pipeline broken { load dataset titanic v9 }; run pipeline broken"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stderr.contains("step 1 (load dataset) failed"), failing.stderr)
    }

    func testMemoryLimitFailsTheRunAndTheQueueCarriesOn() throws {
        try writeLargeCSV(rows: 300_000, to: root.appendingPathComponent("big.csv"))
        let setup = try rappi.run(["-c", """
            upload dataset big from \(root.path)/big.csv target=y
            compute create tiny cores=1 memory=64m
            pipeline bigtrain(trees=2) { load dataset big; train rf trees=$trees }
            """])
        XCTAssertEqual(setup.status, 0, setup.stderr)
        let broke = try rappi.run(["-c", "run pipeline bigtrain on tiny"])
        XCTAssertEqual(broke.status, 1)
        XCTAssertTrue(broke.stderr.contains("exceeded the memory limit of 64 MB on compute 'tiny'"), broke.stderr)
        let ws = try Workspace(directory: rappi.workspace)
        let run = try XCTUnwrap(try ws.pipelineRuns(pipeline: "bigtrain").last)
        XCTAssertEqual(run.status, "failed")
        // The step the worker was killed in (loading 300,000 rows) failed; only the step after it was skipped.
        XCTAssertEqual(try ws.pipelineSteps(run.id).map(\.status), ["failed", "skipped"])

        let next = try rappi.run(["-c", "run pipeline titanic_train on tiny"])
        XCTAssertEqual(next.status, 0, "the target still runs work that fits: " + next.stderr)
    }

    func testPublishedPipelineOverRESTWithQueueReuseAndCrashRecovery() throws {
        let published = try rappi.run(["-c", "compute create one cores=1 memory=2g max-jobs=1; publish pipeline titanic_train", "--json"])
        XCTAssertEqual(published.status, 0, published.stderr)
        let token = try XCTUnwrap(try values(published)["published_token"] as? String)
        let server = try WorkspaceServerProcess(workspace: rappi.workspace)
        let client = HTTPClient()
        let auth = ["Authorization": "Bearer \(token)"]
        let runs = "\(server.baseURL)/api/pipelines/titanic_train/runs"

        func trigger(_ body: String) throws -> Int {
            let response = try client.post(runs, json: body, headers: auth)
            XCTAssertEqual(response.status, 202, response.text)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            return try XCTUnwrap(object["run_id"] as? Int)
        }
        func wait(_ id: Int, for status: String = "succeeded", timeout: Double = 120) throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let response = try client.get("\(server.baseURL)/api/runs/\(id)", headers: auth)
                XCTAssertEqual(response.status, 200, response.text)
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
                let now = object["status"] as? String ?? ""
                if now == status || ["succeeded", "failed", "cancelled"].contains(now) || Date() > deadline { return object }
                usleep(100_000)
            }
        }
        func reused(_ run: [String: Any]) -> Int {
            (run["steps"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "reused" }.count
        }

        // Errors, each with the envelope.
        XCTAssertEqual(try client.post("\(server.baseURL)/api/pipelines/nope/runs", json: "{}", headers: auth).status, 404)
        XCTAssertEqual(try client.post(runs, json: "{}", headers: ["Authorization": "Bearer wrong"]).status, 401)
        XCTAssertEqual(try client.post(runs, json: "{}").status, 401)
        let unknown = try client.post(runs, json: #"{"parameters": {"tress": 5}}"#, headers: auth)
        XCTAssertEqual(unknown.status, 422)
        XCTAssertTrue(unknown.text.contains(#""field":"tress""#), unknown.text)
        XCTAssertEqual(try client.post(runs, json: "{oops", headers: auth).status, 400)
        let listed = try client.get("\(server.baseURL)/api/pipelines", headers: auth)
        XCTAssertTrue(listed.text.contains(#""name":"titanic_train""#), listed.text)

        // A run, then the same parameters again: steps reused; another dataset version: a new model version.
        let first = try wait(try trigger(#"{"parameters": {"version": 0}}"#))
        XCTAssertEqual(first["status"] as? String, "succeeded", "\(first)")
        XCTAssertEqual((first["outputs"] as? [String: Any])?["model_version"] as? Int, 1)
        let second = try wait(try trigger(#"{"parameters": {"version": 0}}"#))
        XCTAssertEqual(reused(second), 4, "\(second)")
        let third = try wait(try trigger(#"{"parameters": {"version": 1}}"#))
        XCTAssertEqual((third["outputs"] as? [String: Any])?["model_version"] as? Int, 2, "\(third)")

        // Two triggers on a max-jobs=1 target: both complete, one after the other.
        let a = try trigger(#"{"parameters": {"trees": 60}, "compute": "one"}"#)
        let b = try trigger(#"{"parameters": {"trees": 61}, "compute": "one"}"#)
        let runA = try wait(a), runB = try wait(b)
        XCTAssertEqual(runA["status"] as? String, "succeeded")
        XCTAssertEqual(runB["status"] as? String, "succeeded")
        let endA = try XCTUnwrap(runA["ended_at"] as? String), startB = try XCTUnwrap(runB["started_at"] as? String)
        XCTAssertLessThanOrEqual(endA, startB, "max-jobs=1: b starts after a ends")

        // `invoke` from the language goes through the same REST API.
        let invoked = try rappi.run(["-c", "invoke pipeline titanic_train version=0 wait=true", "--json"])
        XCTAssertEqual(invoked.status, 0, invoked.stdout + invoked.stderr)
        XCTAssertEqual(try values(invoked)["steps_reused"] as? Int, 4)

        // `run cancel` stops a running run: its worker is killed and the run ends cancelled.
        let cancelled = try trigger(#"{"parameters": {"trees": 3001}, "compute": "one"}"#)
        _ = try wait(cancelled, for: "running")
        let cancel = try rappi.run(["-c", "run cancel \(cancelled)"])
        XCTAssertTrue(cancel.stdout.contains("run \(cancelled) cancelled"), cancel.stdout + cancel.stderr)
        XCTAssertEqual(try wait(cancelled)["status"] as? String, "cancelled")

        // Killed mid-run: a restarted server requeues the run and finishes it.
        let slow = try trigger(#"{"parameters": {"trees": 3000}, "compute": "one"}"#)
        _ = try wait(slow, for: "running")
        usleep(300_000)
        server.kill9()
        let interrupted = try Workspace(directory: rappi.workspace).pipelineRun(slow)
        XCTAssertEqual(interrupted.status, "running")
        let restarted = try WorkspaceServerProcess(workspace: rappi.workspace)
        let resumed = try HTTPClient().get("\(restarted.baseURL)/api/runs/\(slow)", headers: auth)
        XCTAssertEqual(resumed.status, 200)
        var finished = try Workspace(directory: rappi.workspace).pipelineRun(slow)
        let deadline = Date().addingTimeInterval(180)
        while !finished.isFinished, Date() < deadline {
            usleep(200_000)
            finished = try Workspace(directory: rappi.workspace).pipelineRun(slow)
        }
        XCTAssertEqual(finished.status, "succeeded", finished.error ?? "")
        XCTAssertEqual(finished.attempt, 2)
        XCTAssertEqual(restarted.terminate(), 0, "SIGTERM stops the server cleanly")
        XCTAssertNil(WorkspaceServerRecord.live(in: rappi.workspace))

        // SIGTERM with work still running past the grace period: the run is requeued, not lost.
        let draining = try WorkspaceServerProcess(workspace: rappi.workspace, extraArguments: ["--drain-seconds", "0.5"])
        let request = try HTTPClient().post("\(draining.baseURL)/api/pipelines/titanic_train/runs",
                                            json: #"{"parameters": {"trees": 3002}, "compute": "one"}"#, headers: auth)
        let requeued = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["run_id"] as? Int)
        var state = try Workspace(directory: rappi.workspace).pipelineRun(requeued)
        while state.status == "queued" { usleep(50_000); state = try Workspace(directory: rappi.workspace).pipelineRun(requeued) }
        XCTAssertEqual(draining.terminate(), 0)
        state = try Workspace(directory: rappi.workspace).pipelineRun(requeued)
        XCTAssertEqual(state.status, "queued")
        XCTAssertTrue(state.error?.contains("requeued: the workspace server stopped") ?? false, state.error ?? "")
        XCTAssertTrue(try rappi.run(["-c", "run cancel \(requeued)"]).stdout.contains("cancelled"))
    }

    private func writeLargeCSV(rows: Int, to url: URL) throws {
        var generator = SystemRandomNumberGenerator()
        var text = "x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,y\n"
        text.reserveCapacity(rows * 80)
        for _ in 0..<rows {
            let xs = (0..<10).map { _ in Double.random(in: 0..<1, using: &generator) }
            text += xs.map { String(format: "%.6f", $0) }.joined(separator: ",") + (xs[0] + xs[1] > 1 ? ",1\n" : ",0\n")
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}
