import Foundation
import RappiWorkspace
import Synchronization

/// Keeps the router's assignments and outcomes off the request path: handlers append to an
/// in-memory buffer; `flusher`, a service of the router's application, writes it to the workspace
/// in one transaction every `interval`. A record stays findable in memory (the buffer, then the
/// batch being written) until its transaction commits, so feedback for a request id that is still
/// buffered joins. When the router stops, the flusher writes everything that is left (retrying
/// while the database is busy): a clean stop loses nothing.
final class AssignmentRecorder: Sendable {
    let experiment: String
    private let interval: Duration

    private struct Buffers {
        var assignments: [ExperimentAssignment] = []
        var outcomes: [ExperimentOutcome] = []
        /// The batch being written now (still searchable until it commits).
        var writing: [ExperimentAssignment] = []
        var writingOutcomes: [ExperimentOutcome] = []
    }
    private let buffers = Mutex(Buffers())
    /// The recorder's own connection. Holding it serialises writes and look-ups (batches in order).
    private let storage: Mutex<Workspace>
    /// Makes "has this request an outcome yet? then record it" one step for concurrent feedback.
    private let feedbackTurn = Mutex(())

    init(workspaceDirectory: URL, experiment: String, interval: Double = 0.1) throws {
        storage = Mutex(try Workspace(directory: workspaceDirectory))
        self.experiment = experiment
        self.interval = .milliseconds(Int((Swift.max(0.001, interval) * 1000).rounded()))
    }

    func record(_ batch: [ExperimentAssignment]) {
        buffers.withLock { $0.assignments.append(contentsOf: batch) }
    }

    /// Records `batch` unless some of its request ids already have an outcome (buffered or
    /// stored); then records nothing and returns those ids.
    func recordFirstOutcomes(_ batch: [ExperimentOutcome]) throws -> [String] {
        try feedbackTurn.withLock { _ in
            let wanted = Set(batch.map(\.requestID))
            var known = buffers.withLock { buffers in
                Set((buffers.writingOutcomes + buffers.outcomes).map(\.requestID).filter(wanted.contains))
            }
            // Memory first, then the store: an outcome flushed in between is found in the store.
            let missing = wanted.subtracting(known)
            if !missing.isEmpty {
                let experiment = self.experiment
                known.formUnion(try storage.withLock { try $0.experimentRequestsWithOutcome(experiment, requestIDs: missing.sorted()) })
            }
            let repeated = batch.map(\.requestID).filter(known.contains)
            if repeated.isEmpty { record(outcomes: batch) }
            return repeated
        }
    }

    func record(outcomes batch: [ExperimentOutcome]) {
        buffers.withLock { $0.outcomes.append(contentsOf: batch) }
    }

    /// The variant each known request id was assigned to: from memory, else from the workspace.
    /// Unknown ids are absent.
    func variants(of requestIDs: [String]) throws -> [String: String] {
        // A scan, not an index: feedback is rarer than scoring, which then pays no hashing.
        let wanted = Set(requestIDs)
        let found = buffers.withLock { buffers in
            var found: [String: String] = [:]
            for assignment in buffers.writing + buffers.assignments where wanted.contains(assignment.requestID) {
                found[assignment.requestID] = assignment.variant
            }
            return found
        }
        let missing = requestIDs.filter { found[$0] == nil }
        // An id missing from memory had committed before we looked (or never existed).
        guard !missing.isEmpty else { return found }
        let experiment = self.experiment
        let stored = try storage.withLock { try $0.experimentAssignedVariants(experiment, requestIDs: missing) }
        return found.merging(stored) { a, _ in a }
    }

    /// Writes what is buffered now.
    func flush() throws {
        let experiment = self.experiment
        try storage.withLock { workspace in
            let (assignments, outcomes) = buffers.withLock { buffers in
                buffers.writing = buffers.assignments
                buffers.writingOutcomes = buffers.outcomes
                buffers.assignments.removeAll(keepingCapacity: true)
                buffers.outcomes.removeAll(keepingCapacity: true)
                return (buffers.writing, buffers.writingOutcomes)
            }
            defer { buffers.withLock { $0.writing = []; $0.writingOutcomes = [] } }
            guard !assignments.isEmpty || !outcomes.isEmpty else { return }
            do {
                try workspace.recordExperimentTraffic(experiment, assignments: assignments, outcomes: outcomes)
            } catch {
                // Put the batch back in front, so a later flush retries it in order.
                buffers.withLock { buffers in
                    buffers.assignments.insert(contentsOf: assignments, at: 0)
                    buffers.outcomes.insert(contentsOf: outcomes, at: 0)
                }
                throw error
            }
        }
    }

    /// The service that writes every `interval` while the router runs and everything left when it stops.
    var flusher: PeriodicFlush {
        PeriodicFlush(every: interval, flush: {
            do { try self.flush() } catch { Self.log("cannot store A/B assignments (will retry): \(error)") }
        }, finish: { self.flushLeft() })
    }

    /// The last flush, retried for a while if the database is busy.
    func flushLeft() {
        for attempt in 0..<50 {
            do { try flush(); return } catch {
                if attempt == 0 { Self.log("cannot store the last A/B assignments yet, retrying: \(error)") }
                usleep(200_000)
            }
        }
        Self.log("gave up storing the last A/B assignments of \(experiment)")
    }

    var pendingCount: Int {
        buffers.withLock { $0.assignments.count + $0.outcomes.count }
    }

    private static func log(_ message: String) {
        FileHandle.standardError.write(Data("rappi serve-router: \(message)\n".utf8))
    }
}
