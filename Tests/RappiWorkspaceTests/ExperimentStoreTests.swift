import Foundation
import XCTest
@testable import RappiWorkspace

/// Experiments in the workspace: the row, the control file, batched traffic and the summary the
/// report is computed from.
final class ExperimentStoreTests: XCTestCase {
    private var root: URL!
    private var workspace: Workspace!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-exp-\(UUID().uuidString)")
        workspace = try Workspace(directory: root)
    }

    override func tearDownWithError() throws {
        workspace = nil
        try? FileManager.default.removeItem(at: root)
    }

    private func experiment(_ name: String = "exp", splitA: Int = 50) -> ExperimentRecord {
        ExperimentRecord(name: name,
                         a: ExperimentVariant(label: "A", source: "rf", model: "rf", version: 1, hash: "aa"),
                         b: ExperimentVariant(label: "B", source: "svc", model: "svc", version: 2, hash: "bb"),
                         splitA: splitA, unit: "PassengerId", seed: UInt64.max, auth: "key")
    }

    private func assignment(_ id: String, _ variant: String, prediction: String, shareA: Double = 0.5, micros: Int = 100) -> ExperimentAssignment {
        ExperimentAssignment(requestID: id, variant: variant, unit: id, prediction: prediction, shareA: shareA, latencyMicroseconds: micros)
    }

    func testSaveReadAndControl() throws {
        try workspace.saveExperiment(experiment())
        let stored = try workspace.experiment("exp")
        XCTAssertEqual(stored, experiment().withCreatedAt(stored.createdAt))
        XCTAssertEqual(stored.seed, UInt64.max, "the seed survives SQLite's signed integers")
        XCTAssertEqual(ExperimentControl.read(try workspace.experimentControlFile("exp")), ExperimentControl(splitA: 50, promoted: nil))

        try workspace.updateExperimentControl("exp", splitA: 90)
        try workspace.updateExperimentControl("exp", promoted: .some("B"))
        XCTAssertEqual(try workspace.experiment("exp").splitText, "promoted B")
        let control = try XCTUnwrap(ExperimentControl.read(try workspace.experimentControlFile("exp")))
        XCTAssertEqual(control, ExperimentControl(splitA: 90, promoted: "B"))
        XCTAssertEqual(control.shareA, 0)
        XCTAssertNil(ExperimentControl(text: "split_a=120\n"))

        XCTAssertThrowsError(try workspace.experiment("epx")) { XCTAssertTrue("\($0)".contains("did you mean 'exp'"), "\($0)") }
    }

    func testTrafficSummaryAndReplacement() throws {
        try workspace.saveExperiment(experiment())
        // A: 3 requests (2 with outcomes, 1 correct); B: 1 request (1 outcome, correct). Split changed
        // to 90/10 for the last one: A was expected 0.5 + 0.5 + 0.5 + 0.9 = 2.4 of the 4.
        try workspace.recordExperimentTraffic("exp", assignments: [
            assignment("r1", "A", prediction: "1", micros: 300), assignment("r2", "A", prediction: "0", micros: 100),
            assignment("r3", "B", prediction: "1", micros: 50),
        ], outcomes: [])
        try workspace.recordExperimentTraffic("exp", assignments: [assignment("r4", "A", prediction: "1", shareA: 0.9, micros: 200)],
                                              outcomes: [ExperimentOutcome(requestID: "r1", outcome: "1"),
                                                         ExperimentOutcome(requestID: "r2", outcome: "1"),
                                                         ExperimentOutcome(requestID: "r3", outcome: "1")])
        let summary = try workspace.experimentSummary("exp")
        XCTAssertEqual(summary[0], ExperimentVariantSummary(variant: "A", requests: 3, expectedRequests: 2.4, outcomes: 2, correct: 1,
                                                            latencies: [100, 200, 300]))
        XCTAssertEqual(summary[1].requests, 1)
        XCTAssertEqual(summary[1].expectedRequests, 1.6, accuracy: 1e-12)
        XCTAssertEqual(summary[1].correct, 1)
        XCTAssertEqual(summary[0].latencyMilliseconds(at: 50), 0.2)
        XCTAssertEqual(summary[0].latencyMilliseconds(at: 99), 0.3)
        XCTAssertEqual(try workspace.experimentAssignedVariants("exp", requestIDs: ["r3", "nope", "r1"]), ["r3": "B", "r1": "A"])
        // Units: a unit seen again is counted once, at its first assignment.
        try workspace.recordExperimentTraffic("exp", assignments: [
            ExperimentAssignment(requestID: "r5", variant: "A", unit: "r3", prediction: "1", shareA: 0.5, latencyMicroseconds: 1),
        ], outcomes: [])
        let units = try workspace.experimentUnitCounts("exp")
        XCTAssertEqual(units.a, 3)
        XCTAssertEqual(units.b, 1)
        XCTAssertEqual(units.expectedA, 2.4, accuracy: 1e-12)
        XCTAssertEqual(units.expectedB, 1.6, accuracy: 1e-12)
        XCTAssertEqual(try workspace.experimentAssignedVariants("other", requestIDs: ["r1"]), [:])

        // Starting the name again replaces the experiment and its traffic.
        try workspace.saveExperiment(experiment(splitA: 10))
        XCTAssertEqual(try workspace.experimentRequestCount("exp"), 0)
        XCTAssertEqual(try workspace.experimentOutcomeCount("exp"), 0)
        XCTAssertEqual(try workspace.experiment("exp").splitA, 10)
    }
}

private extension ExperimentRecord {
    func withCreatedAt(_ stamp: String) -> ExperimentRecord {
        ExperimentRecord(name: name, a: a, b: b, splitA: splitA, unit: unit, seed: seed, promoted: promoted, status: status,
                         url: url, port: port, pid: pid, auth: auth, createdAt: stamp, stoppedAt: stoppedAt)
    }
}
