import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// A/B experiments through the built binary: real endpoint and router processes on loopback
/// ports, libcurl traffic, the workspace's SQLite store.
final class ABTestTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-abtest")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
        let trained = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train rf trees=30; register; train linsvc; register
            """])
        XCTAssertEqual(trained.status, 0, trained.stderr)
    }

    override func tearDownWithError() throws {
        rappi.stopServices()  // never leave a router or a server behind
        try? FileManager.default.removeItem(at: root)
    }

    private func values(_ result: RappiBinary.Result, statement prefix: String) throws -> [String: Any] {
        for line in result.lines {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  (object["statement"] as? String)?.hasPrefix(prefix) == true else { continue }
            return object["values"] as? [String: Any] ?? [:]
        }
        XCTFail("no statement starting with '\(prefix)' in \(result.stdout)")
        return [:]
    }

    func testTheAbtestScriptTrainsOnOnePartAndSendsOnlyUnseenPassengersThenPromotesByEndpointName() throws {
        let script = RappiBinary.repository.appendingPathComponent("scripts/abtest.rappi").path
        let result = try rappi.run(["run", script, "-D", "target=local", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        // The script says what it does: models from passengers 1-446, traffic from 447-891.
        XCTAssertTrue(result.stdout.contains("passengers 447-891, whom neither model saw"), result.stdout)
        let training = try values(result, statement: "load dataset titanic")
        XCTAssertEqual(training["rows"] as? Int, 446)
        let unseen = try values(result, statement: "upload dataset titanic_unseen")
        XCTAssertEqual(unseen["rows"] as? Int, 445)
        let workspace = try Workspace(directory: rappi.workspace)
        for model in ["ab_rf", "ab_linsvc"] {
            let version = try workspace.modelVersion(model, .version(.latest))
            XCTAssertEqual(version.dataset, "titanic", model)
            XCTAssertEqual(version.datasetHash, training["hash"] as? String, model)
        }

        let simulated = try values(result, statement: "abtest simulate titanic from dataset titanic_unseen")
        XCTAssertEqual(simulated["outcomes"] as? Int, 445)
        XCTAssertEqual((simulated["requests_a"] as? Int ?? 0) + (simulated["requests_b"] as? Int ?? 0), 445)
        let report = try values(result, statement: "abtest report titanic")
        // Everything simulated is stored by the time the report runs.
        XCTAssertEqual((report["ab_requests_a"] as? Int ?? 0) + (report["ab_requests_b"] as? Int ?? 0), 445)
        XCTAssertEqual((report["ab_outcomes_a"] as? Int ?? 0) + (report["ab_outcomes_b"] as? Int ?? 0), 445)
        for key in ["ab_accuracy_a", "ab_accuracy_b", "ab_accuracy_a_low", "ab_accuracy_b_high", "ab_p50_ms_a", "ab_p99_ms_b",
                    "ab_difference", "ab_difference_low", "ab_difference_high", "ab_z", "ab_p_value", "ab_srm_chi_square", "ab_srm_p_value"] {
            XCTAssertNotNil(report[key] as? Double, "\(key) in \(report)")
        }
        XCTAssertNotNil(report["ab_verdict"] as? String)
        // On passengers neither model saw, no model is ~13 points ahead as on memorised rows.
        let difference = try XCTUnwrap(report["ab_difference"] as? Double)
        XCTAssertLessThan(abs(difference), 0.10, "\(report)")

        // Promoted by its endpoint name; after the stop nothing is lost and the report still works.
        let experiment = try workspace.experiment("titanic")
        XCTAssertEqual(experiment.status, "stopped")
        XCTAssertEqual(experiment.promoted, "A")
        XCTAssertEqual(try workspace.experimentRequestCount("titanic"), 645)
        XCTAssertEqual(try workspace.experimentOutcomeCount("titanic"), 645)
        let after = try rappi.run(["-c", "abtest report titanic", "--json"])
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertTrue(after.stdout.contains("\"ab_requests_a\":"), after.stdout)
        // The report's picture: accuracy per variant and the difference, stored with the run.
        let chart = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])?["charts"] as? [String])
        XCTAssertEqual(chart.count, 1)
        XCTAssertTrue(try String(contentsOfFile: chart[0], encoding: .utf8).contains("difference in accuracy (95% interval)"))
        let listed = try rappi.run(["-c", "abtests"])
        XCTAssertTrue(listed.stdout.contains("stopped"), listed.stdout)
    }

    func testSplitAndPromoteCommandsTakeEffectForTheNextRequest() throws {
        let started = try rappi.run(["-c", "abtest start live titanic_rf vs titanic_linsvc:v1 split=100/0 auth=none", "--json"])
        XCTAssertEqual(started.status, 0, started.stderr)
        let url = try XCTUnwrap(try values(started, statement: "abtest start")["url"] as? String)
        let client = HTTPClient()
        let body = #"{"data": [{"PassengerId": 1, "Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Embarked": "S"}]}"#
        func variant() throws -> String? {
            let response = try client.post(url + "/score", json: body)
            XCTAssertEqual(response.status, 200, response.text)
            return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["variant"] as? String
        }
        XCTAssertEqual(try variant(), "A")
        XCTAssertEqual(try rappi.run(["-c", "abtest split live 0/100"]).status, 0)
        XCTAssertEqual(try variant(), "B")
        // No winner without outcomes: promote names the fix.
        let refused = try rappi.run(["-c", "abtest promote live"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("not enough data yet") && refused.stderr.contains("abtest promote live A"), refused.stderr)
        XCTAssertEqual(try rappi.run(["-c", "abtest promote live A"]).status, 0)
        XCTAssertEqual(try variant(), "A")
        // A variant may be named by its model (or endpoint) as well as by its letter.
        let byModel = try rappi.run(["-c", "abtest promote live titanic_linsvc", "--json"])
        XCTAssertEqual(byModel.status, 0, byModel.stderr)
        XCTAssertEqual(try values(byModel, statement: "abtest promote")["promoted"] as? String, "B")
        XCTAssertEqual(try variant(), "B")
        XCTAssertEqual(try rappi.run(["-c", "abtest promote live titanic_rf:v1"]).status, 0)
        XCTAssertEqual(try variant(), "A")
        let stranger = try rappi.run(["-c", "abtest promote live titanic_logreg"])
        XCTAssertEqual(stranger.status, 1)
        XCTAssertTrue(stranger.stderr.contains("'titanic_logreg' is not a variant of live (A = titanic_rf v1, B = titanic_linsvc:v1 (titanic_linsvc v1))"), stranger.stderr)

        // Feedback for an unknown id: 404, nothing stored.
        let unknown = try client.post(url + "/feedback", json: #"{"request_id": "nobody", "outcome": 1}"#)
        XCTAssertEqual(unknown.status, 404, unknown.text)
        let stopped = try rappi.run(["-c", "abtest stop live", "--json"])
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        XCTAssertEqual(try values(stopped, statement: "abtest stop")["ab_requests"] as? Int, 5)
        XCTAssertEqual(try values(stopped, statement: "abtest stop")["ab_outcomes"] as? Int, 0)
        XCTAssertThrowsError(try client.get(url + "/health/live", timeout: 1))
        let report = try rappi.run(["-c", "abtest report live"])
        XCTAssertTrue(report.stdout.contains("not enough data yet"), report.stdout)
    }

    func testErrorsNameTheFix() throws {
        func failure(_ statement: String) throws -> String {
            let result = try rappi.run(["-c", statement])
            XCTAssertEqual(result.status, 1, "\(statement) should fail: \(result.stdout)")
            return result.stderr
        }
        XCTAssertTrue(try failure("abtest start x titanic_rff vs titanic_linsvc").contains("did you mean 'titanic_rf'"))
        XCTAssertTrue(try failure("abtest start x titanic_rf vs titanic_linsvc split=60/30").contains("sum to 100"))
        XCTAssertTrue(try failure("abtest start x titanic_rf vs titanic_linsvc unit=PassengerID").contains("did you mean 'PassengerId'"))
        XCTAssertTrue(try failure("abtest report nope").contains("no experiment named 'nope'"))
        XCTAssertEqual(try rappi.run(["-c", "abtest start x titanic_rf vs titanic_linsvc auth=none"]).status, 0)
        XCTAssertTrue(try failure("abtest start x titanic_rf vs titanic_linsvc").contains("already running"))
        XCTAssertTrue(try failure("abtest report xx").contains("did you mean 'x'"))
        XCTAssertTrue(try failure("abtest split x 101/-1").contains("SPLIT must be two whole percentages"))
        // A port in use (here: the running router's) is refused before anything is saved or started.
        let busy = try XCTUnwrap(try Workspace(directory: rappi.workspace).experiment("x").port)
        XCTAssertTrue(try failure("abtest start y titanic_rf vs titanic_linsvc port=\(busy)").contains("port \(busy) is in use"))
        XCTAssertThrowsError(try Workspace(directory: rappi.workspace).experiment("y"))
    }
}
