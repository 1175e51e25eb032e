import Foundation
import Hummingbird
import HummingbirdTesting
import RappiML
import RappiWorkspace
import XCTest
@testable import RappiServe

/// The A/B router in-process on a loopback port, with a real workspace (SQLite) and two real
/// Titanic models: the 25-tree forest as A and a 3-stump forest as B.
final class ExperimentRouterTests: XCTestCase {
    private var directory: URL!
    private var workspace: Workspace!

    static let stumps: (model: TrainedModel, path: String) = {
        let frame = TestModels.titanicFrame
        let rows = Array(0..<frame.rowCount)
        let target = try! TargetEncoding.fit(frame, target: "Survived", rows: rows)
        let preprocessor = try! Preprocessor.fit(frame, rows: rows, target: "Survived", recipe: .titanic, standardize: false)
        var parameters = RandomForestParameters()
        parameters.trees = 3
        parameters.maxDepth = 1
        let estimator = try! RandomForestClassifier.fit(try! preprocessor.transform(frame), try! target.encode(frame, rows: rows),
                                                        parameters: parameters, threads: 0)
        let model = TrainedModel(algorithm: RandomForestClassifier.algorithm, parameters: [("trees", "3")], target: target,
                                 preprocessor: preprocessor, estimator: estimator, metrics: [], lineage: [])
        return (model, TestModels.write(model, name: "stumps"))
    }()

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-router-\(UUID().uuidString)")
        workspace = try Workspace(directory: directory)
    }

    override func tearDownWithError() throws {
        workspace = nil
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - Support

    private func register(_ model: TrainedModel, as name: String) throws -> ExperimentVariant {
        let version = try workspace.registerModel(ModelRegistration(
            name: name, bytes: ModelFile.encode(model), algorithm: model.algorithm, dataset: nil, datasetVersion: nil,
            datasetHash: nil, parametersJSON: "{}", metricsJSON: "{}", tagsJSON: "{}", runID: nil)).version
        return ExperimentVariant(label: "", source: name, model: name, version: version.version, hash: version.contentHash)
    }

    /// Saves an experiment "exp" of forest (A) vs stumps (B).
    private func createExperiment(splitA: Int = 50, unit: String? = nil) throws {
        let a = try register(TestModels.forest.model, as: "forest"), b = try register(Self.stumps.model, as: "stumps")
        try workspace.saveExperiment(ExperimentRecord(
            name: "exp", a: ExperimentVariant(label: "A", source: a.source, model: a.model, version: a.version, hash: a.hash),
            b: ExperimentVariant(label: "B", source: b.source, model: b.model, version: b.version, hash: b.hash),
            splitA: splitA, unit: unit, seed: 42, status: "running", auth: "none"))
    }

    /// Runs the router for "exp" and stops it cleanly after `body` (its recorder writes what is left).
    private func withRouter(flushInterval: Double = 0.05, apiKeys: [String] = [],
                            _ body: @escaping @Sendable (any TestClientProtocol, AssignmentRecorder) async throws -> Void) async throws {
        var configuration = ExperimentRouterConfiguration(workspacePath: directory.path, experiment: "exp")
        configuration.runTasksOnEventLoops = false
        configuration.flushIntervalSeconds = flushInterval
        configuration.apiKeys = apiKeys
        configuration.maxBodyBytes = 8 << 20
        let (application, recorder, _) = try ExperimentRouter.build(configuration)
        try await application.test(.live) { client in try await body(client, recorder) }
    }

    private func count(_ sql: String) throws -> Int {
        try Workspace(directory: directory).database.scalar(sql).int ?? -1
    }

    /// Titanic records with their PassengerId, `count` of them cycling through the file.
    private static func records(_ count: Int, from start: Int = 0) -> [[String: Any]] {
        let passengers = TestModels.passengers(0..<TestModels.titanicFrame.rowCount)
        return (0..<count).map { i in
            let row = (start + i) % passengers.count
            return passengers[row].merging(["PassengerId": row + 1]) { $1 }
        }
    }

    private struct Answer {
        let variants: [String]
        let requestIDs: [String]
        let predictions: [Int]
    }

    private static func answer(_ response: TestResponse, file: StaticString = #filePath, line: UInt = #line) -> Answer {
        XCTAssertEqual(response.status, .ok, response.text, file: file, line: line)
        let body = response.json
        return Answer(variants: body["variants"] as? [String] ?? [], requestIDs: body["request_ids"] as? [String] ?? [],
                      predictions: (body["predictions"] as? [Any] ?? []).map { ($0 as? NSNumber)?.intValue ?? -1 })
    }

    // MARK: - Assignment

    func testProportionsOverTenThousandRecordsFiftyFiftyAndNinetyTen() async throws {
        try createExperiment(splitA: 50)
        let workspace = self.workspace!
        try await withRouter { client, recorder in
            for (splitA, expectedA) in [(50, 5_000.0), (90, 9_000.0)] {
                try workspace.updateExperimentControl("exp", splitA: splitA)
                var a = 0
                for chunk in 0..<20 {
                    let response = try await client.post("/score", json: ["data": Self.records(500, from: chunk * 500)])
                    a += Self.answer(response).variants.filter { $0 == "A" }.count
                }
                // 4 standard deviations of a binomial(10,000, p): cannot flake in practice.
                let sd = (10_000 * (expectedA / 10_000) * (1 - expectedA / 10_000)).squareRoot()
                XCTAssertLessThan(abs(Double(a) - expectedA), 4 * sd, "split \(splitA)/\(100 - splitA): \(a) of 10,000 to A")
            }
            try recorder.flush()
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM experiment_assignments WHERE experiment = 'exp'"), 20_000)
        let summary = try workspace.experimentSummary("exp")
        XCTAssertEqual(summary[0].expectedRequests + summary[1].expectedRequests, 20_000, accuracy: 1e-6)
        XCTAssertEqual(summary[0].expectedRequests, 5_000 + 9_000, accuracy: 1e-6)
    }

    func testEachVariantAnswersWithItsOwnModel() async throws {
        try createExperiment()
        let records = Self.records(400)
        let forest = try expectedPredictions(TestModels.forest.model, records).labels
        let stumps = try expectedPredictions(Self.stumps.model, records).labels
        XCTAssertNotEqual(forest, stumps, "the two test models must disagree somewhere")
        try await withRouter { client, _ in
            let answer = Self.answer(try await client.post("/score", json: ["data": records]))
            XCTAssertEqual(answer.variants.count, 400)
            XCTAssertEqual(Set(answer.requestIDs).count, 400, "one request id per record")
            for (i, variant) in answer.variants.enumerated() {
                XCTAssertEqual(String(answer.predictions[i]), variant == "A" ? forest[i] : stumps[i], "record \(i), variant \(variant)")
            }
            // A single record carries `variant` and `request_id` too; /invocations is routed as well.
            let single = try await client.post("/score", json: ["data": [records[0]]])
            XCTAssertNotNil(single.json["variant"] as? String, single.text)
            XCTAssertNotNil(single.json["request_id"] as? String, single.text)
            let invocations = Self.answer(try await client.post("/invocations", json: ["dataframe_records": Array(records[0..<10])]))
            XCTAssertEqual(invocations.variants.count, 10)
        }
    }

    func testStickinessByUnit() async throws {
        try createExperiment(unit: "PassengerId")
        try await withRouter { client, _ in
            let records = Self.records(300)
            let batch = Self.answer(try await client.post("/score", json: ["data": records])).variants
            XCTAssertGreaterThan(batch.filter { $0 == "A" }.count, 90)
            XCTAssertGreaterThan(batch.filter { $0 == "B" }.count, 90)
            // The same passengers again, reversed and one by one: the same variants.
            let reversed = Self.answer(try await client.post("/score", json: ["data": Array(records.reversed())])).variants
            XCTAssertEqual(Array(reversed.reversed()), batch)
            for i in stride(from: 0, to: 300, by: 37) {
                var record = records[i]
                record["PassengerId"] = Double(i + 1)   // 7.0 is the same passenger as 7
                let one = Self.answer(try await client.post("/score", json: ["data": [record]])).variants
                XCTAssertEqual(one, [batch[i]])
            }
            // A record without its unit is refused, naming the field.
            var missing = records[0]
            missing["PassengerId"] = nil
            let refused = try await client.post("/score", json: ["data": [records[1], missing]])
            assertError(refused, .unprocessableContent, "invalid_input")
            XCTAssertTrue(refused.text.contains("PassengerId"), refused.text)
        }
        // Placement is a pure function of (experiment, unit): stable across processes.
        XCTAssertEqual(VariantAssignment.position(experiment: "exp", unit: "7"), VariantAssignment.position(experiment: "exp", unit: "7"))
        XCTAssertNotEqual(VariantAssignment.position(experiment: "exp", unit: "7"), VariantAssignment.position(experiment: "other", unit: "7"))
    }

    // MARK: - Feedback

    func testFeedbackJoinsToTheRightAssignment() async throws {
        try createExperiment()
        let workspace = self.workspace!
        // A long flush interval: the first feedback arrives while its assignments are still buffered.
        try await withRouter(flushInterval: 60) { client, recorder in
            let answer = Self.answer(try await client.post("/score", json: ["data": Self.records(40)]))
            XCTAssertGreaterThan(recorder.pendingCount, 0)
            let feedback = answer.requestIDs.enumerated().map { ["request_id": $1, "outcome": $0 % 2] as [String: Any] }
            let posted = try await client.post("/feedback", json: ["feedback": feedback])
            XCTAssertEqual(posted.status, .ok, posted.text)
            XCTAssertEqual(posted.json["recorded"] as? Int, 40)
            try recorder.flush()
            // After the flush the ids are found in the database; a second outcome is refused, not swapped in.
            let single = try await client.post("/feedback", json: ["request_id": answer.requestIDs[0], "outcome": "1"])
            assertError(single, .conflict, "outcome_already_recorded")
            // Not a class of the target: 422, nothing stored.
            let wrong = try await client.post("/feedback", json: [["request_id": answer.requestIDs[2], "outcome": 7]])
            assertError(wrong, .unprocessableContent, "invalid_input")
            XCTAssertTrue(wrong.text.contains("Survived"), wrong.text)
            try recorder.flush()

            let rows = try workspace.database.query("""
                SELECT a.request_id, a.variant, a.prediction, o.outcome FROM experiment_assignments a
                JOIN experiment_outcomes o ON o.request_id = a.request_id WHERE a.experiment = 'exp'
                """)
            XCTAssertEqual(rows.count, 40)
            for row in rows {
                let i = answer.requestIDs.firstIndex(of: row[0].string!)!
                XCTAssertEqual(row[1].string, answer.variants[i])
                XCTAssertEqual(row[2].string, String(answer.predictions[i]))
                XCTAssertEqual(row[3].string, String(i % 2), "outcome of record \(i)")
            }
            let summary = try workspace.experimentSummary("exp")
            XCTAssertEqual(summary[0].outcomes + summary[1].outcomes, 40)
        }
    }

    func testASecondOutcomeForARequestIsRefusedWith409WhetherBufferedOrStored() async throws {
        try createExperiment()
        try await withRouter(flushInterval: 60) { client, recorder in
            let answer = Self.answer(try await client.post("/score", json: ["data": Self.records(4)]))
            let ids = answer.requestIDs
            let first = try await client.post("/feedback", json: ["request_id": ids[0], "outcome": 0])
            XCTAssertEqual(first.status, .ok, first.text)
            // Still buffered in memory: refused all the same, and the batch's other record is not stored either.
            let again = try await client.post("/feedback", json: ["feedback": [
                ["request_id": ids[1], "outcome": 1], ["request_id": ids[0], "outcome": 1],
            ]])
            assertError(again, .conflict, "outcome_already_recorded")
            XCTAssertTrue(again.text.contains(ids[0]), again.text)
            let twice = try await client.post("/feedback", json: ["feedback": [
                ["request_id": ids[2], "outcome": 1], ["request_id": ids[2], "outcome": 0],
            ]])
            assertError(twice, .conflict, "outcome_already_recorded")
            XCTAssertTrue(twice.text.contains("more than once"), twice.text)
            try recorder.flush()
            assertError(try await client.post("/feedback", json: ["request_id": ids[0], "outcome": 0]), .conflict, "outcome_already_recorded")
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM experiment_outcomes"), 1)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM experiment_outcomes WHERE outcome = '0'"), 1)
    }

    func testOutcomesMustSpellAClassAsTheModelKnowsIt() async throws {
        try createExperiment()
        try await withRouter { client, recorder in
            let ids = Self.answer(try await client.post("/score", json: ["data": Self.records(5)])).requestIDs
            for (index, spelling) in ["0x1", "+1", "1e0", " 1"].enumerated() {
                let refused = try await client.post("/feedback", json: ["request_id": ids[index], "outcome": spelling])
                assertError(refused, .unprocessableContent, "invalid_input")
                XCTAssertTrue(refused.text.contains("is not a class"), "\(spelling): \(refused.text)")
            }
            let asText = try await client.post("/feedback", json: ["request_id": ids[0], "outcome": "1"])
            XCTAssertEqual(asText.status, .ok, asText.text)
            let asNumber = try await client.post("/feedback", json: ["request_id": ids[1], "outcome": 1.0])
            XCTAssertEqual(asNumber.status, .ok, asNumber.text)
            try recorder.flush()
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM experiment_outcomes WHERE outcome = '1'"), 2)
    }

    func testUnknownRequestIDIsAnswered404AndNothingIsStored() async throws {
        try createExperiment()
        try await withRouter { client, recorder in
            let answer = Self.answer(try await client.post("/score", json: ["data": Self.records(3)]))
            let response = try await client.post("/feedback", json: ["feedback": [
                ["request_id": answer.requestIDs[0], "outcome": 1], ["request_id": "nobody-42", "outcome": 0],
            ]])
            assertError(response, .notFound, "unknown_request_id")
            XCTAssertTrue(response.text.contains("nobody-42"), response.text)
            assertError(try await client.post("/feedback", json: ["request_id": "nobody", "outcome": 1]), .notFound, "unknown_request_id")
            assertError(try await client.post("/feedback", json: ["outcome": 1]), .unprocessableContent, "invalid_input")
            assertError(try await client.post("/feedback", "{\"request_id\": "), .badRequest, "invalid_json")
            try recorder.flush()
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM experiment_outcomes"), 0)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM experiment_assignments"), 3)
    }

    // MARK: - Live control

    func testSplitChangeAndPromoteTakeEffectForTheNextRequest() async throws {
        try createExperiment(splitA: 50)
        let workspace = self.workspace!
        try await withRouter { client, _ in
            let records = Self.records(50)
            func variants() async throws -> Set<String> {
                Set(Self.answer(try await client.post("/score", json: ["data": records])).variants)
            }
            try workspace.updateExperimentControl("exp", splitA: 100)
            do { let seen = try await variants(); XCTAssertEqual(seen, ["A"]) }
            try workspace.updateExperimentControl("exp", splitA: 0)
            do { let seen = try await variants(); XCTAssertEqual(seen, ["B"]) }
            try workspace.updateExperimentControl("exp", splitA: 50, promoted: .some("A"))
            do { let seen = try await variants(); XCTAssertEqual(seen, ["A"]) }
            try workspace.updateExperimentControl("exp", promoted: .some("B"))
            do { let seen = try await variants(); XCTAssertEqual(seen, ["B"]) }
            try workspace.updateExperimentControl("exp", promoted: .some(nil))
            do { let seen = try await variants(); XCTAssertEqual(seen, ["A", "B"]) }
        }
        XCTAssertEqual(try workspace.experiment("exp").promoted, nil)
    }

    // MARK: - Storage

    func testACleanStopLosesNoAssignment() async throws {
        try createExperiment()
        // Nothing is flushed while serving: everything is written by the stop.
        try await withRouter(flushInterval: 600) { client, recorder in
            for chunk in 0..<10 {
                _ = Self.answer(try await client.post("/score", json: ["data": Self.records(123, from: chunk * 123)]))
            }
            XCTAssertEqual(recorder.pendingCount, 1_230)
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM experiment_assignments WHERE experiment = 'exp'"), 1_230)
        XCTAssertEqual(try count("SELECT COUNT(DISTINCT request_id) FROM experiment_assignments"), 1_230)
    }

    // MARK: - Errors

    func testBadRequestsGetTheEnvelopeAndKeysAreChecked() async throws {
        try createExperiment()
        try await withRouter(apiKeys: ["secret"]) { client, _ in
            assertError(try await client.post("/score", json: ["data": Self.records(1)]), .unauthorized, "unauthorized")
            let auth: HTTPFields = [.authorization: "Bearer secret"]
            assertError(try await client.post("/score", "{", headers: auth), .badRequest, "invalid_json")
            assertError(try await client.post("/score", json: ["data": [["Age": "old"]]], headers: auth), .unprocessableContent, "invalid_input")
            assertError(try await client.post("/feedback", json: ["request_id": "x", "outcome": 1]), .unauthorized, "unauthorized")
            let missing = try await client.get("/nowhere")
            assertError(missing, .notFound, "not_found")
            XCTAssertTrue(missing.text.contains("/feedback"), missing.text)
            let ready = try await client.get("/health/ready")
            XCTAssertEqual(ready.status, .ok)
            XCTAssertEqual(ready.json["experiment"] as? String, "exp")
        }
    }
}
