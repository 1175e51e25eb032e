import Foundation

/// A run of a pipeline: a row in `runs` (kind `pipeline`) plus its place in the queue.
/// Status goes queued → running → succeeded | failed | cancelled; a run interrupted by a
/// crash goes back to queued (a new attempt) or fails with the reason.
public struct PipelineRun: Sendable {
    public let id: Int
    public let pipeline: String
    public let pipelineVersion: Int
    public let compute: String
    public let reuse: Bool
    /// Who asked: `repl`, `script`, `rest`.
    public let trigger: String
    /// Parameter values as given (defaults filled in), in the definition's order.
    public let parameters: [(name: String, value: String)]
    public let status: String
    public let error: String?
    public let queuedAt: String
    public let startedAt: String?
    public let endedAt: String?
    public let executorPID: Int?
    public let workerPID: Int?
    public let attempt: Int
    public let cancelRequested: Bool
    /// The values the run's steps published (metrics, model versions), as one JSON object.
    public let outputsJSON: String
    /// How long one attempt may execute before it is stopped and failed.
    public let timeoutSeconds: Double

    /// The timeout of a run when none is given: one hour.
    public static let defaultTimeoutSeconds = 3600.0

    public var isFinished: Bool { ["succeeded", "failed", "cancelled"].contains(status) }
}

/// One statement of a pipeline run. Status: pending, running, succeeded, reused, failed, skipped, cancelled.
public struct PipelineStep: Sendable {
    public let runID: Int
    public let step: Int
    /// The command's name (`train rf`), or `let`.
    public let kind: String
    public let statement: String
    public let status: String
    /// What identifies the work: kind, parameters, input content hashes and rappi version.
    public let fingerprint: String?
    /// For a reused step: the run whose recorded outputs were used.
    public let reusedFrom: Int?
    public let startedAt: String?
    public let durationMilliseconds: Double?
    public let valuesJSON: String
    /// The session state after the step (for reuse), as JSON.
    public let stateJSON: String?
    public let log: String?
    public let error: String?
}

/// What a finished step records.
public struct StepOutcome: Sendable {
    public let status: String
    public let fingerprint: String?
    public let reusedFrom: Int?
    public let durationMilliseconds: Double
    public let valuesJSON: String
    public let stateJSON: String?
    public let log: String?
    public let error: String?

    public init(status: String, fingerprint: String?, reusedFrom: Int?, durationMilliseconds: Double,
                valuesJSON: String, stateJSON: String?, log: String?, error: String?) {
        self.status = status; self.fingerprint = fingerprint; self.reusedFrom = reusedFrom
        self.durationMilliseconds = durationMilliseconds; self.valuesJSON = valuesJSON; self.stateJSON = stateJSON
        self.log = log; self.error = error
    }
}
