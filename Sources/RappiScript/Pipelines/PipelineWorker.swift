import Foundation
import RappiML
import RappiWorkspace

/// Executes one claimed pipeline run, step by step, inside the worker process: each statement
/// of the body is a step; a reusable step whose fingerprint matches an earlier successful step
/// is not executed — its recorded state and values are restored and it shows as `reused`.
public struct PipelineWorker {
    public let workspace: Workspace
    public let runID: Int
    public let threads: Int
    /// Where a run triggered over REST may read and write (empty: the workspace's `data/`).
    public let dataRoots: [URL]
    public let recorder: PipelineRunRecorder

    /// A worker on `workspace`, recording there unless `recorder` says otherwise (a remote
    /// worker runs in a scratch workspace and records on the server).
    public init(workspace: Workspace, runID: Int, threads: Int, dataRoots: [URL] = [], recorder: PipelineRunRecorder? = nil) {
        self.workspace = workspace; self.runID = runID; self.threads = threads; self.dataRoots = dataRoots
        self.recorder = recorder ?? LocalRunRecorder(workspace: workspace, runID: runID)
    }

    /// Runs every step and records the outcome. Returns true when the run succeeded.
    public func run() throws -> Bool {
        let run = try workspace.pipelineRun(runID)
        let definition = try workspace.pipeline(run.pipeline, version: run.pipelineVersion)
        let base = URL(fileURLWithPath: definition.baseDirectory ?? FileManager.default.currentDirectoryPath)
        var parameters: [String: Value] = [:]
        for parameter in run.parameters { parameters[parameter.name] = Value(literal: parameter.value) }
        let session = Session(workspace: workspace, baseDirectory: base, parameters: parameters)
        session.threads = threads
        session.runID = runID
        if run.trigger == "rest" || recorder.isRemote {
            session.dataRoots = DataRoots(dataRoots.isEmpty ? [DataRoots.defaultRoot(of: workspace.directory)] : dataRoots)
        }
        let interpreter = Interpreter(session: session)
        let statements = try interpreter.parser.parse(definition.body)

        var outputs: [(name: String, value: Value)] = []
        func remember(_ values: PublishedValues) {
            for value in values {
                if let index = outputs.firstIndex(where: { $0.name == value.name }) { outputs[index] = value } else { outputs.append(value) }
            }
        }
        // The session's state as last captured or reused (nil: unknown, capture again). A reused
        // step's state is applied lazily — only when a later step executes — so a run whose
        // steps are all reused never decodes a model.
        var known: SessionState?
        var pending: SessionState?
        for (index, parsed) in statements.enumerated() {
            let step = index + 1
            try recorder.markStepRunning(step)
            let started = Date()
            var fingerprint: String?
            var reusable = false
            if case .success(let statement) = parsed.result, case .command(let invocation) = statement.kind,
               invocation.command.reusableInPipelines {
                reusable = true
                let before = try known ?? SessionState.capture(session, in: workspace)
                known = before
                fingerprint = try? StepFingerprint.make(invocation, call: BoundCall(invocation: invocation, session: session),
                                                        stateDigest: before.digest)
            }
            if run.reuse, let fingerprint, let earlier = try recorder.reusableStep(fingerprint: fingerprint),
               let stateJSON = earlier.stateJSON {
                let state = try SessionState.decode(stateJSON)
                (known, pending) = (state, state)
                let values = Value.publishedValues(fromJSON: earlier.valuesJSON)
                session.publish(values)
                remember(values)
                try recorder.finishStep(step, StepOutcome(
                    status: "reused", fingerprint: fingerprint, reusedFrom: earlier.reusedFrom ?? earlier.runID,
                    durationMilliseconds: Date().timeIntervalSince(started) * 1000, valuesJSON: earlier.valuesJSON,
                    stateJSON: stateJSON, log: earlier.log, error: nil), from: workspace)
                continue
            }
            if case .success(let statement) = parsed.result, case .command(let invocation) = statement.kind,
               let message = Self.refusal(of: invocation.command, remote: recorder.isRemote) {
                try recorder.finishStep(step, StepOutcome(
                    status: "failed", fingerprint: nil, reusedFrom: nil, durationMilliseconds: 0,
                    valuesJSON: "{}", stateJSON: nil, log: nil, error: message), from: workspace)
                try recorder.finishRun(status: "failed", error: "step \(step) failed: \(message)", outputsJSON: outputs.jsonObject)
                return false
            }
            if let state = pending {
                try state.restore(into: session, from: workspace)
                pending = nil
            }
            let cell = interpreter.execute(parsed)
            let milliseconds = Date().timeIntervalSince(started) * 1000
            known = nil
            // Step records keep secrets (a deployed endpoint's key, a new token) redacted.
            guard let error = cell.error else {
                remember(cell.recordedValues)
                if reusable { known = try SessionState.capture(session, in: workspace) }
                try recorder.finishStep(step, StepOutcome(
                    status: "succeeded", fingerprint: fingerprint, reusedFrom: nil, durationMilliseconds: milliseconds,
                    valuesJSON: cell.recordedValues.jsonObject, stateJSON: known?.json, log: cell.recordedOutput, error: nil), from: workspace)
                continue
            }
            try recorder.finishStep(step, StepOutcome(
                status: "failed", fingerprint: fingerprint, reusedFrom: nil, durationMilliseconds: milliseconds,
                valuesJSON: "{}", stateJSON: nil, log: cell.recordedOutput, error: error.message), from: workspace)
            let kind = definition.steps.indices.contains(index) ? definition.steps[index].kind : "step"
            try recorder.finishRun(status: "failed", error: "step \(step) (\(kind)) failed: \(error.message)",
                                            outputsJSON: outputs.jsonObject)
            return false
        }
        try recorder.finishRun(status: "succeeded", error: nil, outputsJSON: outputs.jsonObject)
        return true
    }

    /// Why a step's command cannot run in this worker, if it cannot.
    static func refusal(of command: any RappiCommand.Type, remote: Bool) -> String? {
        let name = command.signature.name
        // A definition stored before nesting was refused: fail rather than wait on ourselves.
        if !command.allowedInPipelines {
            return "`\(name)` cannot run inside a pipeline — run the pipelines one after the other from a script"
        }
        if remote, !command.runsOnRemoteWorkers {
            return """
                `\(name)` needs the workspace's own machine and cannot run on a remote worker — run this pipeline on a \
                local compute target, or do this step from a script after the run
                """
        }
        return nil
    }
}
