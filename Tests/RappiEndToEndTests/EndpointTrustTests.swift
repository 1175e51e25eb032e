import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// The endpoint commands at their edges, through the built binary, with real server processes,
/// real containers and a real impostor on a port: names, ports, pids, keys, redeploys, replay.
final class EndpointTrustTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private var helpers: [Process] = []
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path
    private let passenger = #"{"data": [{"Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Embarked": "S"}]}"#

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-trust")
        rappi = try trainedWorkspace("ws")
    }

    override func tearDownWithError() throws {
        for process in helpers where process.isRunning { process.terminate(); process.waitUntilExit() }
        for folder in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            RappiBinary(workspace: root.appendingPathComponent(folder)).stopServices()
        }
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: - 1. names outside the workspace

    func testTwoWorkspacesDeployingTheSameNameKeepTheirOwnContainers() throws {
        try requirePodman()
        let other = try trainedWorkspace("other")
        for binary in [rappi!, other] {
            let deployed = try binary.run(["-c", "deploy titanic_rf aci as utloan"])
            XCTAssertEqual(deployed.status, 0, deployed.stderr + deployed.stdout)
        }
        let a = try Workspace(directory: rappi.workspace), b = try Workspace(directory: other.workspace)
        let endpointA = try a.endpoint("utloan"), endpointB = try b.endpoint("utloan")
        XCTAssertNotEqual(try a.identifier(), try b.identifier())
        XCTAssertNotEqual(endpointA.container, endpointB.container)
        XCTAssertTrue(endpointA.image?.contains(try a.identifier()) ?? false, endpointA.image ?? "no image")
        XCTAssertEqual(try podman(["container", "inspect", "--format", "{{.Name}}", endpointA.container!]),
                       "rappi-\(try a.identifier())-utloan")
        XCTAssertEqual(try HTTPClient().get(endpointA.url + "/health/ready", timeout: 5).status, 200, "B's deploy left A's container alone")

        let undeployed = try rappi.run(["-c", "undeploy utloan"])
        XCTAssertEqual(undeployed.status, 0, undeployed.stderr)
        XCTAssertEqual(try HTTPClient().get(endpointB.url + "/health/ready", timeout: 5).status, 200, "A's undeploy left B's container alone")
        let listed = try other.run(["-c", "endpoints", "--json"])
        XCTAssertTrue(listed.stdout.contains("\"endpoints_live\":1"), listed.stdout)

        // The container reads its keys from the workspace: a rotated key works as soon as rotate-key returns.
        let rotated = try other.run(["-c", "endpoint rotate-key utloan"])
        XCTAssertEqual(rotated.status, 0, rotated.stderr)
        let key = try String(contentsOf: other.workspace.appendingPathComponent("endpoints/utloan/keys/keys"), encoding: .utf8)
            .split(separator: "\n")[0]
        XCTAssertEqual(try HTTPClient().post(endpointB.url + "/score", json: passenger, headers: ["Authorization": "Bearer \(key)"]).status, 200)

        // A stopped container is down, said once.
        try podman(["stop", "-t", "2", endpointB.container!])
        let tested = try other.run(["-c", "test endpoint utloan"])
        XCTAssertEqual(tested.status, 1)
        XCTAssertTrue(tested.stderr.contains("utloan is down: its container"), tested.stderr)
        XCTAssertFalse(tested.stderr.contains("FAIL"), tested.stderr)
    }

    func testEndpointsNamedTheOldWayKeepWorkingAndNeverReachAnotherWorkspacesContainer() throws {
        try requirePodman()
        // A running container named the way the previous release named them: rappi-ENDPOINT.
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf aci as oldstyle auth=none"]).status, 0)
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("oldstyle")
        try podman(["rename", endpoint.container!, "rappi-oldstyle"])
        // Another workspace's row from that release for the same name, whose container the shared
        // name let ours replace: its recorded id is gone.
        let other = RappiBinary(workspace: root.appendingPathComponent("other"))
        try Workspace(directory: other.workspace).saveEndpoint(EndpointRecord(
            name: "oldstyle", model: endpoint.model, modelVersion: endpoint.modelVersion, modelHash: endpoint.modelHash,
            target: "aci", url: endpoint.url, port: endpoint.port, pid: nil, container: String(repeating: "0", count: 64),
            image: endpoint.image, auth: "none"))

        let theirs = try other.run(["-c", "undeploy oldstyle"])
        XCTAssertEqual(theirs.status, 0, theirs.stderr)
        XCTAssertTrue(theirs.stdout.contains("its container was gone already"), theirs.stdout)
        XCTAssertEqual(try podman(["container", "inspect", "--format", "{{.State.Running}}", "rappi-oldstyle"]), "true",
                       "the other workspace's undeploy left our container alone")

        XCTAssertTrue(try rappi.run(["-c", "endpoints", "--json"]).stdout.contains("\"endpoints_live\":1"))
        let ours = try rappi.run(["-c", "undeploy oldstyle"])
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertTrue(ours.stdout.contains("stopped and removed container"), ours.stdout)
        XCTAssertThrowsError(try podman(["container", "inspect", "rappi-oldstyle"]), "our undeploy found it by its recorded id")
    }

    // MARK: - 2. busy ports and readiness that proves it is our server

    func testDeployOnABusyPortIsAnErrorBeforeAnythingIsStoppedOrStarted() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf local as live"]).status, 0)
        let live = try Workspace(directory: rappi.workspace).endpoint("live")
        let (port, impostorLog) = try startImpostor()

        let fresh = try rappi.run(["-c", "deploy titanic_rf local as fresh port=\(port)"])
        XCTAssertEqual(fresh.status, 1)
        XCTAssertTrue(fresh.stderr.contains("port \(port) is in use"), fresh.stderr)
        XCTAssertThrowsError(try Workspace(directory: rappi.workspace).endpoint("fresh"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: rappi.workspace.appendingPathComponent("endpoints/fresh").path))

        // Redeploying a live endpoint onto the busy port stops nothing either.
        let moved = try rappi.run(["-c", "deploy titanic_rf local as live port=\(port)"])
        XCTAssertEqual(moved.status, 1)
        XCTAssertTrue(moved.stderr.contains("port \(port) is in use"), moved.stderr)
        XCTAssertEqual(try Workspace(directory: rappi.workspace).endpoint("live"), live)
        XCTAssertEqual(serverProcesses().count, 1)
        let key = try keys("live")[0]
        XCTAssertEqual(try HTTPClient().post(live.url + "/score", json: passenger, headers: ["Authorization": "Bearer \(key)"]).status, 200)

        let seen = (try? String(contentsOf: impostorLog, encoding: .utf8)) ?? ""
        XCTAssertFalse(seen.contains("Bearer"), "no key was ever sent to the impostor:\n\(seen)")
    }

    func testReadinessAnswersWithTheServedModelsHash() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf local as live auth=none"]).status, 0)
        let live = try Workspace(directory: rappi.workspace).endpoint("live")
        let ready = try HTTPClient().get(live.url + "/health/ready", timeout: 5)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ready.body)) as? [String: Any])
        XCTAssertEqual(object["model_sha256"] as? String, live.modelHash)
        XCTAssertEqual((object["nonce"] as? String)?.count, 32, "the nonce the deploy passed is echoed")
    }

    // MARK: - 3. names checked before side effects

    func testABadEndpointNameIsRefusedBeforeAnyFileProcessOrContainer() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf local as jj"]).status, 0)
        let keysBefore = try keys("jj")
        for name in ["\"bad name\"", "\"../../evil\"", "\"zz/../jj\"", "\"/tmp/evil\""] {
            let result = try rappi.run(["-c", "deploy titanic_rf local as \(name)"])
            XCTAssertEqual(result.status, 1, name)
            XCTAssertTrue(result.stderr.contains("is not a valid endpoint name"), result.stderr)
            XCTAssertTrue(result.stderr.contains("1:"), "the error names the position: \(result.stderr)")
        }
        XCTAssertEqual(try keys("jj"), keysBefore, "the live endpoint's keys are untouched")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rappi.workspace.appendingPathComponent("endpoints").path), ["jj"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("evil").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/evil/keys"))
        XCTAssertEqual(serverProcesses().count, 1, "no server was started for a refused name")
        XCTAssertEqual(try Workspace(directory: rappi.workspace).endpoints().map(\.name), ["jj"])
    }

    // MARK: - 4. undeploy signals only its own process

    func testUndeployLeavesAProcessThatNowHasTheEndpointsPidAlone() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf local as pidtest auth=none"]).status, 0)
        let workspace = try Workspace(directory: rappi.workspace)
        let endpoint = try workspace.endpoint("pidtest")
        kill(Int32(endpoint.pid!), SIGKILL)
        XCTAssertTrue(waitUntil(5) { serverProcesses().isEmpty })
        // The pid is reused by an unrelated program.
        let bystander = try start("/bin/sleep", ["300"])
        try workspace.saveEndpoint(EndpointRecord(
            name: endpoint.name, model: endpoint.model, modelVersion: endpoint.modelVersion, modelHash: endpoint.modelHash,
            target: endpoint.target, url: endpoint.url, port: endpoint.port, pid: Int(bystander.processIdentifier),
            container: nil, image: nil, auth: endpoint.auth, createdAt: endpoint.createdAt))

        let undeployed = try rappi.run(["-c", "undeploy pidtest"])
        XCTAssertEqual(undeployed.status, 0, undeployed.stderr)
        XCTAssertTrue(undeployed.stdout.contains("not signalled"), undeployed.stdout)
        usleep(200_000)
        XCTAssertTrue(bystander.isRunning, "the bystander was not signalled")
        XCTAssertThrowsError(try Workspace(directory: rappi.workspace).endpoint("pidtest"))
    }

    // MARK: - 5. rotation returns when the key works

    func testRotateKeyReturnsOnlyOnceTheNewKeyIsAccepted() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf local as rotating"]).status, 0)
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("rotating")
        let client = HTTPClient()
        for _ in 0..<3 {
            let previous = try keys("rotating")[0]
            let rotated = try rappi.run(["-c", "endpoint rotate-key rotating"])
            XCTAssertEqual(rotated.status, 0, rotated.stderr)
            XCTAssertTrue(rotated.stdout.contains("accepted by the server"), rotated.stdout)
            let current = try keys("rotating")
            XCTAssertEqual(current[1], previous)
            // At once, without waiting: the new key, and the previous one as the secondary.
            XCTAssertEqual(try client.post(endpoint.url + "/score", json: passenger, headers: ["Authorization": "Bearer \(current[0])"]).status, 200)
            XCTAssertEqual(try client.post(endpoint.url + "/score", json: passenger, headers: ["Authorization": "Bearer \(previous)"]).status, 200)
        }
    }

    // MARK: - 7. a dead endpoint is reported once

    func testTestEndpointOnADeadEndpointSaysItIsDownOnce() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf local as dead"]).status, 0)
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("dead")
        kill(Int32(endpoint.pid!), SIGKILL)
        XCTAssertTrue(waitUntil(5) { serverProcesses().isEmpty })
        let tested = try rappi.run(["-c", "test endpoint dead"])
        XCTAssertEqual(tested.status, 1)
        XCTAssertTrue(tested.stderr.contains("dead is down: its process"), tested.stderr)
        XCTAssertTrue(tested.stderr.contains("nothing was tested"), tested.stderr)
        XCTAssertFalse(tested.stderr.contains("FAIL"), tested.stderr)
        XCTAssertEqual(tested.stderr.components(separatedBy: "is down").count, 2, "said once: \(tested.stderr)")
    }

    // MARK: - 8. redeploys say what they replaced; stages that moved on show

    func testRedeployingUnderAnExistingNameSaysWhatWasReplaced() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf:v1 local as svc"]).status, 0)
        let before = try Workspace(directory: rappi.workspace).endpoint("svc")
        XCTAssertEqual(try rappi.run(["-c", "load dataset titanic; train rf trees=20 seed=7; register"]).status, 0)
        let again = try rappi.run(["-c", "deploy titanic_rf:v2 local as svc", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("replaced  the previous svc"), again.stdout)
        XCTAssertTrue(again.stdout.contains("model titanic_rf v1 → titanic_rf v2"), again.stdout)
        XCTAssertTrue(again.stdout.contains("url \(before.url) → "), again.stdout)
        XCTAssertTrue(again.stdout.contains("a new API key (the old keys no longer work)"), again.stdout)
        XCTAssertTrue(again.stdout.contains(#""replaced":"titanic_rf v1""#), again.stdout)
        XCTAssertEqual(serverProcesses().count, 1, "the old server was stopped")
        let first = try rappi.run(["-c", "deploy titanic_rf:v1 local as first", "--json"])
        XCTAssertTrue(first.stdout.contains(#""replaced":"""#) && !first.stdout.contains("replaced  "), first.stdout)
    }

    func testAnEndpointDeployedFromProductionShowsWhenItIsBehind() throws {
        XCTAssertEqual(try rappi.run(["-c", "promote titanic_rf v1 to production"]).status, 0)
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf:production local as prod auth=none"]).status, 0)
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf:v1 local as pinned auth=none"]).status, 0)
        let current = try rappi.run(["-c", "endpoints", "--json"])
        XCTAssertTrue(current.stdout.contains("\"endpoints_behind\":0"), current.stdout)
        XCTAssertTrue(current.stdout.contains("\"endpoints_live\":2"), current.stdout)

        XCTAssertEqual(try rappi.run(["-c", "load dataset titanic; train rf trees=20 seed=7; register; promote titanic_rf v2 to production"]).status, 0)
        let behind = try rappi.run(["-c", "endpoints", "--json"])
        XCTAssertTrue(behind.stdout.contains("\"endpoints_behind\":1"), behind.stdout)
        XCTAssertTrue(behind.stdout.contains("prod is behind: it serves titanic_rf v1, production is v2 now"), behind.stdout)
        XCTAssertTrue(behind.stdout.contains("deploy titanic_rf:production local as prod"), behind.stdout)
        XCTAssertFalse(behind.stdout.contains("pinned is behind"), "a pinned version is never behind")

        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf:production local as prod auth=none"]).status, 0)
        XCTAssertTrue(try rappi.run(["-c", "endpoints", "--json"]).stdout.contains("\"endpoints_behind\":0"))
    }

    // MARK: - 9. replay leaves live endpoints alone

    func testReplayOfAScriptThatDeploysLeavesLiveEndpointsAloneAndListsEnvironmentValuesApart() throws {
        let script = root.appendingPathComponent("deploying.rappi")
        try """
            load dataset titanic
            train rf trees=30 seed=3
            register as replayed_rf
            deploy replayed_rf local as served
            test endpoint served
            predict on served \(passenger.replacingOccurrences(of: "{\"data\": [", with: "").replacingOccurrences(of: "}]}", with: "}"))
            endpoints
            """.write(to: script, atomically: true, encoding: .utf8)
        let ran = try rappi.run(["run", script.path])
        XCTAssertEqual(ran.status, 0, ran.stderr + ran.stdout)
        let workspace = try Workspace(directory: rappi.workspace)
        let served = try workspace.endpoint("served")
        let keysBefore = try keys("served")
        let runID = try XCTUnwrap(workspace.runs().first { $0.source.hasSuffix("deploying.rappi") }?.id)

        let replay = try rappi.run(["replay", String(runID)])
        XCTAssertEqual(replay.status, 0, replay.stderr + replay.stdout)
        XCTAssertTrue(replay.stdout.contains("0 different"), replay.stdout)
        XCTAssertTrue(replay.stdout.contains("model replayed_rf: identical"), replay.stdout)
        XCTAssertTrue(replay.stdout.contains("4 not replayed"), replay.stdout)
        XCTAssertTrue(replay.stdout.contains("[4] deploy replayed_rf local as served  (then: endpoint \"served\", port \(served.port)"), replay.stdout)
        XCTAssertTrue(replay.stdout.contains("identical"), replay.stdout)

        // The live endpoint is exactly as it was: same record, same keys, same server answering.
        XCTAssertEqual(try Workspace(directory: rappi.workspace).endpoint("served"), served)
        XCTAssertEqual(try keys("served"), keysBefore)
        XCTAssertEqual(try HTTPClient().post(served.url + "/score", json: passenger,
                                             headers: ["Authorization": "Bearer \(keysBefore[0])"]).status, 200)
    }

    // MARK: - Helpers

    private func trainedWorkspace(_ folder: String) throws -> RappiBinary {
        let binary = RappiBinary(workspace: root.appendingPathComponent(folder))
        let trained = try binary.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train rf trees=30; register
            """])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        return binary
    }

    private func keys(_ name: String) throws -> [String] {
        let file = rappi.workspace.appendingPathComponent("endpoints/\(name)/keys/keys")
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Pids of `rappi serve-model` processes serving a model of this test's workspaces.
    private func serverProcesses() -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            guard ProcessTable.state(pid) != "Z", let argv = ProcessTable.commandLine(pid) else { return false }
            return argv.contains("serve-model") && argv.contains { $0.hasPrefix(root.path) }
        }
    }

    private func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        helpers.append(process)
        return process
    }

    /// Another program on a loopback port that answers 200 to everything and writes down every
    /// request's Authorization header — what a stolen key would look like.
    private func startImpostor() throws -> (port: Int, log: URL) {
        let log = root.appendingPathComponent("impostor.log")
        let program = """
            import http.server, sys
            log = open(sys.argv[2], 'a')
            class Handler(http.server.BaseHTTPRequestHandler):
                def answer(self):
                    log.write(self.command + ' ' + self.path + ' ' + str(self.headers.get('Authorization')) + '\\n'); log.flush()
                    self.rfile.read(int(self.headers.get('Content-Length') or 0))
                    body = b'{"status":"ready","model":"titanic_rf","version":1,"predictions":[0]}'
                    self.send_response(200); self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
                do_GET = answer
                do_POST = answer
                def log_message(self, *args): pass
            server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program, "0", log.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        helpers.append(process)
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let port = try XCTUnwrap(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                                 "the impostor did not say its port")
        return (port, log)
    }

    private func requirePodman() throws {
        guard (try? podman(["--version"])) != nil else { throw XCTSkip("podman does not answer on this machine") }
    }

    /// `podman ARGS` with the settings rappi uses here (runc, vfs), trimmed output; throws on failure.
    @discardableResult
    private func podman(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var global: [String] = []
        if let runc = ["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            global = ["--runtime", runc, "--storage-driver", "vfs"]
        }
        process.arguments = ["podman"] + global + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw NSError(domain: "podman", code: Int(process.terminationStatus)) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}
