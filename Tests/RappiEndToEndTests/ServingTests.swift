import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// Deployment through the built binary: real server processes on loopback ports, a real
/// container when an engine answers, real libcurl requests.
final class ServingTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-serve")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
        let trained = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train rf trees=50; evaluate; register
            """])
        XCTAssertEqual(trained.status, 0, trained.stderr)
    }

    override func tearDownWithError() throws {
        rappi.stopServices()  // never leave a router or a server behind
        try? FileManager.default.removeItem(at: root)
    }

    private func keys(_ name: String) throws -> [String] {
        let file = rappi.workspace.appendingPathComponent("endpoints/\(name)/keys/keys")
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testANewDatasetVersionKeepsItsTargetSoTheDesignLineTrainsRegistersAndDeploys() throws {
        // v1 (setUp) has target=Survived; v2 is uploaded without target=.
        let uploaded = try rappi.run(["-c", "upload dataset titanic from \(data)/ds_half"])
        XCTAssertEqual(uploaded.status, 0, uploaded.stderr)
        XCTAssertTrue(uploaded.stdout.contains("created titanic v2 — 446 rows"), uploaded.stdout)
        XCTAssertTrue(uploaded.stdout.contains("target Survived, as in v1 (give target=COLUMN to change it)"), uploaded.stdout)
        let line = try rappi.run(["-c", "load dataset titanic v2; train rf trees=20; register; deploy local"])
        XCTAssertEqual(line.status, 0, line.stderr + line.stdout)
        XCTAssertTrue(line.stdout.contains("deployed titanic_rf v2"), line.stdout)

        // target= still overrides; a version without the inherited column says it has no target.
        let overridden = try rappi.run(["-c", "upload dataset titanic from \(data)/ds_unseen target=Sex"])
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
        XCTAssertFalse(overridden.stdout.contains("as in v2"), overridden.stdout)
        let noSex = root.appendingPathComponent("no_sex.csv")
        try "PassengerId,Survived,Age\n1,0,22\n2,1,38\n".write(to: noSex, atomically: true, encoding: .utf8)
        let dropped = try rappi.run(["-c", "upload dataset titanic from \(noSex.path)"])
        XCTAssertEqual(dropped.status, 0, dropped.stderr)
        XCTAssertTrue(dropped.stdout.contains("no target: v3's target 'Sex' is not a column of this data — give one with target=COLUMN"), dropped.stdout)
        let versions = try Workspace(directory: rappi.workspace).datasetVersions("titanic")
        XCTAssertEqual(versions.map(\.target), ["Survived", "Survived", "Sex", nil])
    }

    func testLocalEndpointLifecycle() throws {
        let deployed = try rappi.run(["-c", "deploy titanic_rf local as titanic"])
        XCTAssertEqual(deployed.status, 0, deployed.stderr + deployed.stdout)
        XCTAssertTrue(deployed.stdout.contains("deployed titanic_rf v1 as titanic (local, pid"), deployed.stdout)
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("titanic")
        let primary = try keys("titanic")[0]
        XCTAssertTrue(deployed.stdout.contains(primary))

        let listed = try rappi.run(["-c", "endpoints"])
        XCTAssertTrue(listed.stdout.contains("live"), listed.stdout)

        let predicted = try rappi.run(["-c", #"predict on titanic {"Pclass": 1, "Sex": "female", "Age": 30, "SibSp": 0, "Parch": 0, "Fare": 80, "Embarked": "C", "Name": "Doe, Mrs. Jane", "Ticket": "X", "Cabin": "B5"}"#])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertTrue(predicted.stdout.contains("1 prediction"), predicted.stdout)

        let tested = try rappi.run(["-c", "test endpoint titanic", "--json"])
        XCTAssertEqual(tested.status, 0, tested.stdout + tested.stderr)
        XCTAssertTrue(tested.stdout.contains("\"tests_failed\":0"), tested.stdout)

        let profiled = try rappi.run(["-c", "profile endpoint titanic requests=400 concurrency=4", "--json"])
        XCTAssertEqual(profiled.status, 0, profiled.stderr)
        let values = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(profiled.lines[0].utf8)) as? [String: Any])?["values"] as? [String: Any])
        XCTAssertEqual(values["errors"] as? Int, 0)
        XCTAssertGreaterThan(values["throughput"] as? Double ?? 0, 50)
        XCTAssertNotNil(values["server_peak_mb"] as? Double)

        // Rotation: the new key works at once, the old one keeps working as the secondary.
        XCTAssertEqual(try rappi.run(["-c", "endpoint rotate-key titanic"]).status, 0)
        let rotated = try keys("titanic")
        XCTAssertEqual(rotated[1], primary)
        // No waiting: rotate-key returns once the server accepts the new key.
        let client = HTTPClient()
        let body = #"{"data": [{"Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Embarked": "S"}]}"#
        for (key, status) in [(rotated[0], 200), (primary, 200), ("nope", 401)] {
            XCTAssertEqual(try client.post(endpoint.url + "/score", json: body, headers: ["Authorization": "Bearer \(key)"]).status, status, key)
        }

        let accessLog = rappi.workspace.appendingPathComponent("logs/endpoint-titanic/access.log")
        XCTAssertTrue((try? String(contentsOf: accessLog, encoding: .utf8))?.contains("POST /score") ?? false)
        XCTAssertEqual(try rappi.run(["-c", "undeploy titanic"]).status, 0)
        XCTAssertThrowsError(try client.get(endpoint.url + "/health/live", timeout: 1))
        XCTAssertTrue(try rappi.run(["-c", "endpoints"]).stdout.contains("no endpoints"))
    }

    func testAKilledLocalEndpointShowsAsDown() throws {
        XCTAssertEqual(try rappi.run(["-c", "deploy titanic_rf local auth=none"]).status, 0)
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("titanic_rf")
        kill(Int32(endpoint.pid!), SIGKILL)
        usleep(300_000)
        let listed = try rappi.run(["-c", "endpoints", "--json"])
        XCTAssertTrue(listed.stdout.contains("\"endpoints_live\":0"), listed.stdout)
        XCTAssertTrue(listed.stdout.contains("down"), listed.stdout)
        let predicted = try rappi.run(["-c", #"predict on titanic_rf {"Pclass": 1, "Sex": "female", "Age": 30}"#])
        XCTAssertEqual(predicted.status, 1)
        XCTAssertTrue(predicted.stderr.contains("titanic_rf is down: its process (pid \(endpoint.pid!)) has exited — nothing was sent"), predicted.stderr)
    }

    func testDeployWithoutAModelSaysWhatToDo() throws {
        let result = try RappiBinary(workspace: root.appendingPathComponent("empty")).run(["-c", "deploy local"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("deploy needs a model"), result.stderr)
    }

    func testWithoutAContainerEngineTheErrorSaysWhatToDo() throws {
        let result = try rappi.run(["-c", "deploy titanic_rf aci"], environment: ["RAPPI_CONTAINER_ENGINE": "none"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("podman"), result.stderr)
        XCTAssertTrue(result.stderr.contains("local"), result.stderr)
        XCTAssertTrue(try Workspace(directory: rappi.workspace).endpoints().isEmpty)
    }

    func testPackageIsReproducible() throws {
        let a = root.appendingPathComponent("ctx-a"), b = root.appendingPathComponent("ctx-b")
        let first = try rappi.run(["-c", "package titanic_rf:v1 into \(a.path)", "--json"])
        let second = try rappi.run(["-c", "dockerize titanic_rf into \(b.path)", "--json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(second.status, 0, second.stderr)
        func hash(_ r: RappiBinary.Result) throws -> String? {
            ((try JSONSerialization.jsonObject(with: Data(r.lines[0].utf8)) as? [String: Any])?["values"] as? [String: Any])?["context_hash"] as? String
        }
        XCTAssertNotNil(try hash(first))
        XCTAssertEqual(try hash(first), try hash(second))
        for file in ["Dockerfile", "README.md", "MANIFEST.sha256", "rootfs/usr/local/bin/rappi", "rootfs/model/model.rappimodel"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: a.appendingPathComponent(file).path), file)
        }
    }

    func testContainerEndpoint() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["podman", "--version"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { throw XCTSkip("no container engine on this machine") }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { throw XCTSkip("podman does not answer") }

        let deployed = try rappi.run(["-c", "deploy titanic_rf aci as titanic-aci"])
        XCTAssertEqual(deployed.status, 0, deployed.stderr + deployed.stdout)
        let tested = try rappi.run(["-c", "test endpoint titanic-aci"])
        XCTAssertEqual(tested.status, 0, tested.stdout + tested.stderr)
        usleep(300_000)  // the access log is flushed every 100 ms
        let accessLog = rappi.workspace.appendingPathComponent("logs/endpoint-titanic-aci/access.log")
        let lines = (try? String(contentsOf: accessLog, encoding: .utf8))?.split(separator: "\n") ?? []
        XCTAssertGreaterThan(lines.count, 10, "the container's access log lands in the workspace")
        XCTAssertEqual(try rappi.run(["-c", "undeploy titanic-aci"]).status, 0)
    }
}
