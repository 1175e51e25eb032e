import Crypto
import Foundation
import RappiClient
import RappiDeploy
import RappiWorkspace
import XCTest

/// The workspace server and what the workspace keeps on disk, attacked from a second process:
/// nested pipelines and timeouts, data roots for REST-triggered runs, private files, hashed
/// tokens, redacted records, header-first checks, slow connections and a busy database.
final class WorkspaceSecurityTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private var workspace: URL { rappi.workspace }
    private let titanic = RappiBinary.repository.appendingPathComponent("scripts/data/titanic/ds_full").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-sec")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Runs statements with --json; fails the test when the exit status is not `status`.
    @discardableResult
    private func run(_ statements: String, status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> RappiBinary.Result {
        let result = try rappi.run(["-c", statements, "--json"])
        XCTAssertEqual(result.status, status, result.stdout + result.stderr, file: file, line: line)
        return result
    }

    /// The values of the statement that starts with `prefix`.
    private func values(_ result: RappiBinary.Result, of prefix: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        for text in result.lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  (object["statement"] as? String)?.hasPrefix(prefix) == true else { continue }
            return object["values"] as? [String: Any] ?? [:]
        }
        XCTFail("no statement starting with '\(prefix)' in \(result.stdout)", file: file, line: line)
        return [:]
    }

    private func publish(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run("publish pipeline \(name)", file: file, line: line)
        return try XCTUnwrap(try values(result, of: "publish")["published_token"] as? String, file: file, line: line)
    }

    private func mode(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
    }

    private struct Client {
        let server: WorkspaceServerProcess
        let token: String
        let http = HTTPClient()

        func trigger(_ pipeline: String, _ body: String, token: String? = nil) throws -> HTTPResponse {
            try http.post("\(server.baseURL)/api/pipelines/\(pipeline)/runs", json: body,
                          headers: ["Authorization": "Bearer \(token ?? self.token)"])
        }

        /// Triggers and waits for the run's end; returns its JSON.
        func runToEnd(_ pipeline: String, _ body: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
            let answer = try trigger(pipeline, body)
            XCTAssertEqual(answer.status, 202, answer.text, file: file, line: line)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
            let id = try XCTUnwrap(object["run_id"] as? Int)
            let deadline = Date().addingTimeInterval(120)
            while true {
                let status = try http.get("\(server.baseURL)/api/runs/\(id)", headers: ["Authorization": "Bearer \(token)"])
                let run = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any])
                if ["succeeded", "failed", "cancelled"].contains(run["status"] as? String ?? "") || Date() > deadline { return run }
                usleep(100_000)
            }
        }
    }

    // MARK: - 1. Nested pipelines and timeouts

    func testAPipelineThatRunsAPipelineIsRefusedAtItsLineAndEveryRunHasATimeout() throws {
        let script = root.appendingPathComponent("nest.rappi")
        try """
            pipeline inner() { echo hi }
            pipeline outer() {
                echo before
                run pipeline inner
            }
            """.write(to: script, atomically: true, encoding: .utf8)
        let nested = try rappi.run(["run", script.path])
        XCTAssertEqual(nested.status, 1)
        XCTAssertTrue(nested.stderr.contains("nest.rappi:4:5: error: a pipeline cannot use `run pipeline`"), nested.stderr)
        let recursive = try rappi.run(["-c", "pipeline rec() { run pipeline rec }"])
        XCTAssertEqual(recursive.status, 1)
        XCTAssertTrue(recursive.stderr.contains("a pipeline cannot use `run pipeline`"), recursive.stderr)
        XCTAssertTrue(try rappi.run(["-c", "pipeline w() { invoke pipeline inner }"]).stderr.contains("cannot use `invoke pipeline`"))
        XCTAssertTrue(try rappi.run(["-c", "pipeline w() { run wait 1 }"]).stderr.contains("cannot use `run wait`"))

        try run("""
            upload dataset titanic from \(titanic) target=Survived
            pipeline slow() { load dataset titanic; train rf trees=100000 }
            """)
        let started = Date()
        let timedOut = try rappi.run(["-c", "run pipeline slow timeout=1"])
        XCTAssertEqual(timedOut.status, 1)
        XCTAssertTrue(timedOut.stderr.contains("timed out after 1 s"), timedOut.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        let recorded = try XCTUnwrap(try Workspace(directory: workspace).pipelineRuns(pipeline: "slow").last)
        XCTAssertEqual(recorded.status, "failed")
        XCTAssertEqual(recorded.timeoutSeconds, 1)
        XCTAssertTrue(try rappi.run(["-c", "run pipeline slow timeout=0"]).stderr.contains("option 'timeout' must be greater than 0, got 0"))
    }

    func testRunPipelineTakesItsRunOverWhenTheServerDiesInsteadOfWaitingForEver() throws {
        try run("""
            upload dataset titanic from \(titanic) target=Survived
            pipeline slowish() { load dataset titanic; train rf trees=3000 }
            """)
        let server = try WorkspaceServerProcess(workspace: workspace)
        nonisolated(unsafe) var result: RappiBinary.Result?
        let finished = DispatchGroup()
        let rappi = self.rappi!
        DispatchQueue.global().async(group: finished) { result = try? rappi.run(["-c", "run pipeline slowish"]) }
        let store = try Workspace(directory: workspace)
        let deadline = Date().addingTimeInterval(60)
        while try store.pipelineRuns(pipeline: "slowish").last?.status != "running", Date() < deadline { usleep(50_000) }
        server.kill9()
        XCTAssertEqual(finished.wait(timeout: .now() + 180), .success, "run pipeline must not wait for ever for a dead server")
        let outcome = try XCTUnwrap(result)
        XCTAssertEqual(outcome.status, 0, outcome.stdout + outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("the workspace server stopped before run"), outcome.stdout)
        XCTAssertEqual(try store.pipelineRuns(pipeline: "slowish").last?.status, "succeeded")
    }

    // MARK: - 2. Data roots

    func testRESTRunsReadOnlyUnderTheDataRootsAndOutsidePathsAllLookAlike() throws {
        try run("pipeline pu(path=x.csv) { upload dataset q from $path }")
        let token = try publish("pu")
        let data = workspace.appendingPathComponent("data")
        try "a,b\n1,2\n".write(to: data.appendingPathComponent("ok.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("link.csv").path, withDestinationPath: "/etc/passwd")
        let outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "a,b\n3,4\n".write(to: outside.appendingPathComponent("o.csv"), atomically: true, encoding: .utf8)

        var server = try WorkspaceServerProcess(workspace: workspace)
        var client = Client(server: server, token: token)
        var errors: [String] = []
        for path in ["/etc/shadow", "/etc/passwd", "/no/such/file.csv", data.appendingPathComponent("link.csv").path,
                     outside.appendingPathComponent("o.csv").path, data.path + "/../../outside/o.csv", "~/.ssh/id_rsa"] {
            let run = try client.runToEnd("pu", #"{"parameters": {"path": "\#(path)"}}"#)
            XCTAssertEqual(run["status"] as? String, "failed", "\(path): \(run)")
            let error = try XCTUnwrap(run["error"] as? String)
            XCTAssertTrue(error.contains("is outside the data roots a run triggered over REST may use"), error)
            for leak in ["No such file", "ermission", "does not exist", "cannot read", "root:"] {
                XCTAssertFalse(error.contains(leak), "\(path): \(error)")
            }
            errors.append(error.replacingOccurrences(of: path.prefix(200), with: "PATH"))
        }
        XCTAssertEqual(Set(errors).count, 1, "every outside path gets the same answer: \(Set(errors))")
        let inside = try client.runToEnd("pu", #"{"parameters": {"path": "\#(data.path)/ok.csv"}}"#)
        XCTAssertEqual(inside["status"] as? String, "succeeded", "\(inside)")

        // The owner's own runs keep today's behaviour.
        try run("run pipeline pu path=\(outside.path)/o.csv")

        // --data-root widens what REST runs may read.
        XCTAssertEqual(server.terminate(), 0)
        server = try WorkspaceServerProcess(workspace: workspace, extraArguments: ["--data-root", outside.path])
        client = Client(server: server, token: token)
        try "a,b\n5,6\n".write(to: outside.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let allowed = try client.runToEnd("pu", #"{"parameters": {"path": "\#(outside.path)/p.csv"}}"#)
        XCTAssertEqual(allowed["status"] as? String, "succeeded", "\(allowed)")
        let notData = try client.runToEnd("pu", #"{"parameters": {"path": "\#(data.path)/ok.csv"}}"#)
        XCTAssertEqual(notData["status"] as? String, "failed", "only the roots given: \(notData)")
        let missing = try rappi.run(["serve", "--data-root", root.appendingPathComponent("nope").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("is not a folder"), missing.stderr)
    }

    // MARK: - 3. Private files, hashed tokens, redacted records

    func testWorkspaceFilesArePrivateAndTokensAreStoredOnlyAsHashes() throws {
        try run("""
            upload dataset titanic from \(titanic) target=Survived
            pipeline p(n=1) { echo $n }
            pipeline pubber() { publish pipeline p new-token=true }
            """)
        let published = try run("publish pipeline p")
        let token = try XCTUnwrap(try values(published, of: "publish")["published_token"] as? String)
        XCTAssertTrue(published.stdout.contains("shown only now"), published.stdout)

        XCTAssertEqual(mode(workspace.path), 0o700)
        for name in ["workspace.sqlite", "workspace.sqlite-wal", "workspace.sqlite-shm"]
            where FileManager.default.fileExists(atPath: workspace.appendingPathComponent(name).path) {
            XCTAssertEqual(mode(workspace.appendingPathComponent(name).path), 0o600, name)
        }
        for name in ["logs", "data", "artifacts"] { XCTAssertEqual(mode(workspace.appendingPathComponent(name).path), 0o700, name) }
        let blobs = try FileManager.default.subpathsOfDirectory(atPath: workspace.appendingPathComponent("artifacts/sha256").path)
        XCTAssertFalse(blobs.isEmpty)
        for blob in blobs {
            let path = workspace.appendingPathComponent("artifacts/sha256/\(blob)").path
            XCTAssertEqual(mode(path), blob.contains("/") ? 0o400 : 0o700, blob)
        }

        // Only the hash is stored, and no record keeps the token. (The files are read before this
        // process opens the database: closing a descriptor of it would drop SQLite's locks.)
        for name in ["workspace.sqlite", "workspace.sqlite-wal"] {
            let bytes = (try? Data(contentsOf: workspace.appendingPathComponent(name))) ?? Data()
            XCTAssertNil(bytes.range(of: Data(token.utf8)), "\(name) holds the token in clear")
        }
        let store = try Workspace(directory: workspace)
        let hash = "sha256:" + SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(try store.database.scalar("SELECT token FROM published_pipelines WHERE name = 'p'").string, hash)
        let cells = try store.database.query("SELECT values_json FROM run_cells WHERE statement LIKE 'publish%'")
        XCTAssertFalse(cells.isEmpty)
        for cell in cells {
            XCTAssertFalse(cell[0].string!.contains("rpt_"), cell[0].string!)
            XCTAssertTrue(cell[0].string!.contains("[redacted]"), cell[0].string!)
        }

        // Publishing again keeps the token working and shows none; a pipeline step that prints a
        // new token keeps it out of the step's log, values and the run's outputs.
        let again = try run("publish pipeline p")
        XCTAssertNil(try values(again, of: "publish")["published_token"])
        XCTAssertFalse(again.stdout.contains("rpt_"), again.stdout)
        XCTAssertNotNil(try store.publishedPipeline(acceptingToken: token))
        let pubber = try run("run pipeline pubber")
        XCTAssertEqual(try values(pubber, of: "run pipeline")["run_status"] as? String, "succeeded")
        let runID = try XCTUnwrap(try store.pipelineRuns(pipeline: "pubber").last?.id)
        let step = try XCTUnwrap(try store.pipelineSteps(runID).first)
        XCTAssertTrue(step.log?.contains("Authorization: Bearer [redacted]") == true, step.log ?? "")
        XCTAssertFalse(step.valuesJSON.contains("rpt_"), step.valuesJSON)
        XCTAssertFalse(try store.pipelineRun(runID).outputsJSON.contains("rpt_"))
        XCTAssertNil(try store.publishedPipeline(acceptingToken: token), "new-token=true retires the old token")
        let runLog = PipelineRunExecutor.logFile(workspace: workspace, run: runID).path
        XCTAssertEqual(mode(runLog), 0o600, runLog)
    }

    func testAPipelinesTokenTriggersListsAndReadsOnlyThatPipelinesRunsAndNoTokenIsLogged() throws {
        try run("""
            pipeline p(n=1) { echo $n }
            pipeline q(n=1) { echo $n }
            """)
        let pToken = try publish("p"), qToken = try publish("q")
        let server = try WorkspaceServerProcess(workspace: workspace)
        let http = HTTPClient()
        func get(_ path: String, _ token: String) throws -> HTTPResponse {
            try http.get(server.baseURL + path, headers: ["Authorization": "Bearer \(token)"])
        }
        func runID(_ response: HTTPResponse) throws -> Int {
            XCTAssertEqual(response.status, 202, response.text)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            return try XCTUnwrap(object["run_id"] as? Int)
        }
        let p = Client(server: server, token: pToken), q = Client(server: server, token: qToken)
        let pRun = try runID(try p.trigger("p", "{}"))
        let qRun = try runID(try q.trigger("q", "{}"))

        XCTAssertEqual(try get("/api/runs/\(pRun)", pToken).status, 200)
        XCTAssertEqual(try get("/api/runs/\(qRun)", qToken).status, 200)
        let foreign = try get("/api/runs/\(qRun)", pToken), missing = try get("/api/runs/999999", pToken)
        XCTAssertEqual(foreign.status, 404, "p's token must not read q's run: \(foreign.text)")
        XCTAssertEqual(foreign.text.replacingOccurrences(of: String(qRun), with: "N"),
                       missing.text.replacingOccurrences(of: "999999", with: "N"),
                       "another pipeline's run looks exactly like one that does not exist")
        let crossed = try p.trigger("q", "{}"), unpublished = try p.trigger("nosuch", "{}")
        XCTAssertEqual(crossed.status, 404, crossed.text)
        XCTAssertEqual(crossed.text.replacingOccurrences(of: "'q'", with: "'X'"), unpublished.text.replacingOccurrences(of: "'nosuch'", with: "'X'"),
                       "a pipeline token cannot tell another pipeline from none")
        XCTAssertEqual(try get("/api/runs/\(qRun)", qToken).status, 200, "q's run is untouched")
        let listed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try get("/api/pipelines", pToken).body)) as? [String: Any])
        XCTAssertEqual((listed["pipelines"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["p"])

        // The owner's credential (what `invoke pipeline` uses) still reaches every pipeline.
        let invoked = try run("invoke pipeline q n=2")
        XCTAssertTrue(invoked.stdout.contains("\"ok\":true"), invoked.stdout)

        // Neither token appears in the server's output, the workspace's logs or a --json listing.
        let listing = try run("published; runs")
        var texts = [server.output, listing.stdout]
        if let logs = FileManager.default.enumerator(atPath: workspace.appendingPathComponent("logs").path) {
            for case let name as String in logs {
                texts.append((try? String(contentsOf: workspace.appendingPathComponent("logs/\(name)"), encoding: .utf8)) ?? "")
            }
        }
        for text in texts {
            XCTAssertFalse(text.contains(pToken) || text.contains(qToken), "a token leaked into: \(text.prefix(400))")
        }
        XCTAssertEqual(server.terminate(), 0)
    }

    func testAnOlderWorkspaceIsTightenedAndItsClearTokensHashedWhenOpened() throws {
        try run("pipeline p(n=1) { echo $n }")
        let token = try publish("p")
        let store = try Workspace(directory: workspace)
        // As an older rappi left it: readable by everyone, the token in clear.
        try store.database.run("UPDATE published_pipelines SET token = ? WHERE name = 'p'", [.text(token)])
        chmod(workspace.path, 0o755)
        chmod(workspace.appendingPathComponent("workspace.sqlite").path, 0o644)
        chmod(workspace.appendingPathComponent("logs").path, 0o755)

        try run("published")
        XCTAssertEqual(mode(workspace.path), 0o700)
        XCTAssertEqual(mode(workspace.appendingPathComponent("workspace.sqlite").path), 0o600)
        XCTAssertEqual(mode(workspace.appendingPathComponent("logs").path), 0o700)
        XCTAssertTrue(try store.database.scalar("SELECT token FROM published_pipelines").string?.hasPrefix("sha256:") == true)
        XCTAssertNotNil(try store.publishedPipeline(acceptingToken: token), "the old token keeps working")
    }

    // MARK: - 4, 6 and 8. Header-first checks, limits, typed parameters, slow connections

    func testTheWorkspaceServerChecksHeadersBeforeBodiesAndClosesSlowConnections() throws {
        try run("pipeline typed(trees=10, note=x) { echo $note; train rf trees=$trees }")
        let token = try publish("typed")
        let server = try WorkspaceServerProcess(workspace: workspace, extraArguments: ["--idle-timeout", "2"])
        let client = Client(server: server, token: token)
        let port = UInt16(server.port)
        let path = "/api/pipelines/typed/runs"

        // An unauthenticated caller announcing a megabyte is answered at once, before any body.
        let started = Date()
        let stranger = try RawConnection(port: port)
        stranger.send("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
        let refused = stranger.receiveUntilClosed(timeout: 1.5)
        XCTAssertTrue(refused.text.hasPrefix("HTTP/1.1 401"), refused.text)
        XCTAssertTrue(refused.text.lowercased().contains("connection: close"), refused.text)
        XCTAssertTrue(refused.closed, "an answer given before the body closes the connection instead of reading it")
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5)
        stranger.close()

        let big = try RawConnection(port: port)
        big.send("POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n")
        XCTAssertTrue(big.receiveUntilClosed(timeout: 1.5).text.hasPrefix("HTTP/1.1 413"))
        big.close()
        let large = try client.trigger("typed", #"{"parameters": {"note": "\#(String(repeating: "y", count: 1 << 20))"}}"#)
        XCTAssertEqual(large.status, 413, large.text)
        XCTAssertTrue(large.text.contains("payload_too_large"), large.text)

        let plain = try client.http.send("POST", "\(server.baseURL)\(path)", headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/plain"],
                                         body: Array("{}".utf8), timeout: 5)
        XCTAssertEqual(plain.status, 415, plain.text)
        let lower = try client.http.post("\(server.baseURL)\(path)", json: "{}", headers: ["Authorization": "bearer \(token)"])
        XCTAssertEqual(lower.status, 202, lower.text)

        // Parameters are checked against how the pipeline uses them.
        let mistyped = try client.trigger("typed", #"{"parameters": {"trees": "abc"}}"#)
        XCTAssertEqual(mistyped.status, 422, mistyped.text)
        XCTAssertTrue(mistyped.text.contains(#""field":"trees""#), mistyped.text)
        XCTAssertTrue(mistyped.text.contains("expects an integer"), mistyped.text)
        XCTAssertEqual(try client.trigger("typed", #"{"parameters": {"trees": 12}}"#).status, 202)
        XCTAssertEqual(try client.trigger("typed", #"{"timeout_seconds": -1}"#).status, 422)
        let local = try rappi.run(["-c", "run pipeline typed trees=abc"])
        XCTAssertTrue(local.stderr.contains("parameter 'trees' is 'abc'"), local.stderr)

        // Bodies read at once are capped: 16 stalled bodies hold every slot; the next caller gets 503.
        let stalled = try (0..<16).map { _ in try RawConnection(port: port) }
        for connection in stalled {
            connection.send("POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        }
        usleep(500_000)
        let crowded = try client.trigger("typed", "{}")
        XCTAssertEqual(crowded.status, 503, crowded.text)
        // Half-sent requests and idle connections are closed after the timeout (2 s here).
        for connection in stalled { XCTAssertTrue(connection.receiveUntilClosed(timeout: 6).closed) }
        let idle = try RawConnection(port: port)
        XCTAssertTrue(idle.receiveUntilClosed(timeout: 6).closed, "an idle connection is closed")
        let trickle = try RawConnection(port: port)
        trickle.send("GET /health/live HTTP/1.1\r\nHo")
        XCTAssertTrue(trickle.receiveUntilClosed(timeout: 6).closed, "a half-sent head is closed")
        XCTAssertEqual(try client.trigger("typed", "{}").status, 202, "slots are free again")

        // HTTP-level rules shared with the model server.
        let chunked = try RawConnection(port: port)
        chunked.send("POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
        let parsed = chunked.receiveUntilClosed(timeout: 5)
        XCTAssertTrue(parsed.text.hasPrefix("HTTP/1.1 400"), parsed.text)
        XCTAssertTrue(parsed.closed)
        let old = try RawConnection(port: port)
        old.send("GET /health/live HTTP/1.0\r\n\r\n")
        let reply = old.receiveUntilClosed(timeout: 5)
        XCTAssertTrue(reply.text.lowercased().contains("connection: close"), reply.text)
        XCTAssertTrue(reply.closed)
    }

    // MARK: - 5. The database off the request path

    func testHealthAnswersWhileAnotherProcessHoldsTheDatabaseWriteLock() throws {
        try run("pipeline p(n=1) { echo $n }")
        let token = try publish("p")
        let server = try WorkspaceServerProcess(workspace: workspace)
        let client = Client(server: server, token: token)

        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        locker.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('BEGIN IMMEDIATE')
            print('locked', flush=True)
            time.sleep(5)
            c.execute('COMMIT')
            """, workspace.appendingPathComponent("workspace.sqlite").path]
        let out = Pipe()
        locker.standardOutput = out
        try locker.run()
        XCTAssertEqual(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "locked")

        // Triggers wait for the lock on the store's own thread…
        let triggered = DispatchGroup()
        nonisolated(unsafe) var statuses: [Int] = []
        let statusLock = NSLock()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: triggered) {
                // One client per thread: a libcurl handle is not shared across threads.
                let status = (try? HTTPClient().post("\(server.baseURL)/api/pipelines/p/runs", json: "{}",
                                                     headers: ["Authorization": "Bearer \(token)"]).status) ?? -1
                statusLock.lock(); statuses.append(status); statusLock.unlock()
            }
        }
        usleep(300_000)
        // …while health answers at once.
        for _ in 0..<10 {
            let asked = Date()
            XCTAssertEqual(try client.http.get("\(server.baseURL)/health/live", timeout: 2).status, 200)
            XCTAssertLessThan(Date().timeIntervalSince(asked), 0.5, "/health/live must not wait for the database")
            usleep(200_000)
        }
        locker.waitUntilExit()
        triggered.wait()
        XCTAssertEqual(statuses, [202, 202, 202, 202])
    }
}

