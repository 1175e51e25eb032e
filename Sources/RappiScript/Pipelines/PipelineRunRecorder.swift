import Foundation
import RappiWorkspace

/// Where a pipeline worker records its run as it goes: the steps' starts and outcomes, the
/// run's end, and which earlier step a fingerprint can reuse. A local worker writes the
/// workspace database itself (`LocalRunRecorder`); a remote worker sends the same records to the
/// workspace server (`HTTPRunRecorder`), which stores them with the same calls — so the step
/// logic (`PipelineWorker`) is one, wherever it runs.
public protocol PipelineRunRecorder {
    /// True for a worker away from the workspace's machine: steps that need that machine
    /// (deploying, reading local files) are refused.
    var isRemote: Bool { get }
    func markStepRunning(_ step: Int) throws
    /// The latest successful step with this fingerprint, in the workspace.
    func reusableStep(fingerprint: String) throws -> PipelineStep?
    /// Records a finished step; what it left in `workspace` (the model file its state names, the
    /// versions it registered) is carried to the workspace first.
    func finishStep(_ step: Int, _ outcome: StepOutcome, from workspace: Workspace) throws
    func finishRun(status: String, error: String?, outputsJSON: String) throws
}

/// Records into the workspace the worker runs in.
public struct LocalRunRecorder: PipelineRunRecorder {
    let workspace: Workspace
    let runID: Int

    public init(workspace: Workspace, runID: Int) { self.workspace = workspace; self.runID = runID }

    public var isRemote: Bool { false }
    public func markStepRunning(_ step: Int) throws { try workspace.markStepRunning(runID, step: step) }
    public func reusableStep(fingerprint: String) throws -> PipelineStep? { try workspace.reusableStep(fingerprint: fingerprint) }
    public func finishStep(_ step: Int, _ outcome: StepOutcome, from _: Workspace) throws {
        try workspace.finishStep(runID, step: step, outcome)
    }
    public func finishRun(status: String, error: String?, outputsJSON: String) throws {
        try workspace.finishPipelineRun(runID, status: status, error: error, outputsJSON: outputsJSON)
    }
}
