import Foundation
import RappiWorkspace
import XCTest

/// The durable run queue in SQLite: claims, max-jobs, cancel, requeue, step reuse lookup.
final class PipelineQueueTests: XCTestCase {
    private var directory: URL!
    private var workspace: Workspace!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-queue-\(UUID().uuidString)")
        workspace = try Workspace(directory: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func define(_ body: String = "echo hi") throws -> PipelineDefinition {
        try workspace.definePipeline(name: "p", parameters: [.init(name: "trees", defaultValue: "10")], body: body,
                                     steps: [.init(kind: "echo", statement: body)], baseDirectory: nil).definition
    }

    func testEveryWorkspaceHasTheLocalTargetAndSizesParse() throws {
        XCTAssertEqual(try workspace.computeTargets().map(\.name), ["local"])
        XCTAssertEqual(ByteSize.parse("7g"), 7 << 30)
        XCTAssertEqual(ByteSize.parse("512m"), 512 << 20)
        XCTAssertEqual(ByteSize.parse("64MB"), 64 << 20)
        XCTAssertEqual(ByteSize.parse("1.5G"), 3 << 29)
        XCTAssertNil(ByteSize.parse("lots"))
        XCTAssertNil(ByteSize.parse("-1g"))
        XCTAssertThrowsError(try workspace.deleteComputeTarget("local"))
        XCTAssertThrowsError(try workspace.computeTarget("lcoal")) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'local'?"), "\(error)")
        }
    }

    func testRedefiningWithTheSameTextIsNoChange() throws {
        let first = try define()
        let same = try workspace.definePipeline(name: "p", parameters: first.parameters, body: first.body, steps: first.steps, baseDirectory: nil)
        XCTAssertFalse(same.created)
        XCTAssertEqual(same.definition.version, 1)
        XCTAssertEqual(try define("echo bye").version, 2)
        XCTAssertEqual(try workspace.pipeline("p", version: 1).body, "echo hi")
    }

    func testMaxJobsBoundsClaimsAcrossExecutors() throws {
        try workspace.createComputeTarget(ComputeTarget(name: "one", cores: 1, memoryBytes: 1 << 30, maxJobs: 1))
        let definition = try define()
        let a = try workspace.enqueuePipelineRun(definition, parameters: [("trees", "10")], compute: "one", reuse: true, trigger: "test")
        let b = try workspace.enqueuePipelineRun(definition, parameters: [("trees", "11")], compute: "one", reuse: true, trigger: "test")
        XCTAssertEqual(try workspace.pipelineSteps(a).map(\.status), ["pending"])

        // A second connection stands for another process.
        let other = try Workspace(directory: directory)
        XCTAssertEqual(try workspace.claimPipelineRun(executorPID: 1)?.id, a)
        XCTAssertNil(try other.claimPipelineRun(executorPID: 2), "the target's one slot is taken")
        XCTAssertNil(try other.claimPipelineRun(executorPID: 2, only: b))
        XCTAssertTrue(try workspace.finishPipelineRun(a, status: "succeeded", error: nil, outputsJSON: "{}"))
        XCTAssertFalse(try workspace.finishPipelineRun(a, status: "failed", error: nil, outputsJSON: "{}"), "finished runs stay finished")
        let claimed = try XCTUnwrap(try other.claimPipelineRun(executorPID: 2))
        XCTAssertEqual(claimed.id, b)
        XCTAssertEqual(claimed.parameters.map(\.value), ["11"])
        XCTAssertEqual(claimed.attempt, 1)
    }

    func testCancelAndRequeue() throws {
        let definition = try define()
        let queued = try workspace.enqueuePipelineRun(definition, parameters: [], compute: "local", reuse: true, trigger: "test")
        XCTAssertEqual(try workspace.cancelPipelineRun(queued), "cancelled")
        XCTAssertNil(try workspace.claimPipelineRun(executorPID: 1), "a cancelled run is never claimed")

        let running = try workspace.enqueuePipelineRun(definition, parameters: [], compute: "local", reuse: true, trigger: "test")
        _ = try workspace.claimPipelineRun(executorPID: 1)
        XCTAssertEqual(try workspace.cancelPipelineRun(running), "cancelling")
        XCTAssertTrue(try workspace.pipelineRun(running).cancelRequested)

        try workspace.requeuePipelineRun(running, reason: "server stopped")
        let again = try XCTUnwrap(try workspace.claimPipelineRun(executorPID: 2))
        XCTAssertEqual(again.id, running)
        XCTAssertEqual(again.attempt, 2)
    }

    func testReusableStepIsTheLatestSuccessfulOneWithState() throws {
        let definition = try define()
        let run = try workspace.enqueuePipelineRun(definition, parameters: [], compute: "local", reuse: true, trigger: "test")
        XCTAssertNil(try workspace.reusableStep(fingerprint: "f1"))
        try workspace.finishStep(run, step: 1, StepOutcome(status: "failed", fingerprint: "f1", reusedFrom: nil, durationMilliseconds: 1,
                                                          valuesJSON: "{}", stateJSON: "{}", log: nil, error: "boom"))
        XCTAssertNil(try workspace.reusableStep(fingerprint: "f1"), "failed steps are never reused")
        try workspace.finishStep(run, step: 1, StepOutcome(status: "succeeded", fingerprint: "f1", reusedFrom: nil, durationMilliseconds: 1,
                                                          valuesJSON: #"{"accuracy":0.8}"#, stateJSON: "{}", log: "ok", error: nil))
        XCTAssertEqual(try workspace.reusableStep(fingerprint: "f1")?.valuesJSON, #"{"accuracy":0.8}"#)
    }
}
