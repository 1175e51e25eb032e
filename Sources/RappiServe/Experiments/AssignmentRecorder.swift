import Foundation
import RappiWorkspace

/// Keeps the router's assignments and outcomes off the request path: handlers append to an
/// in-memory buffer; a background thread writes it to the workspace in one transaction every
/// `interval` (or as soon as `batchRows` are waiting). A record stays findable in memory (the
/// buffer, then the batch being written) until its transaction commits, so feedback for a request
/// id that is still buffered joins.
/// `close()` writes everything that is left: a clean stop loses nothing.
final class AssignmentRecorder: @unchecked Sendable {
    let experiment: String
    private let workspace: Workspace
    private let interval: Double
    private let batchRows: Int

    private let condition = NSCondition()
    private var assignments: [ExperimentAssignment] = []
    private var outcomes: [ExperimentOutcome] = []
    /// The batch being written now (still searchable until it commits).
    private var writing: [ExperimentAssignment] = []
    private var writingOutcomes: [ExperimentOutcome] = []
    /// Makes "has this request an outcome yet? then record it" one step for concurrent feedback.
    private let feedbackLock = NSLock()
    private var closed = false
    private var flusherDone = false
    /// Serialises writes and database look-ups (one connection, batches in order).
    private let storage = NSLock()

    init(workspace: Workspace, experiment: String, interval: Double = 0.1, batchRows: Int = 500) {
        self.workspace = workspace
        self.experiment = experiment
        self.interval = interval
        self.batchRows = batchRows
        let thread = Thread { [self] in self.flushLoop() }
        thread.name = "rappi-abtest-recorder"
        thread.start()
    }

    func record(_ batch: [ExperimentAssignment]) {
        condition.lock()
        assignments.append(contentsOf: batch)
        if assignments.count >= batchRows { condition.signal() }
        condition.unlock()
    }

    /// Records `batch` unless some of its request ids already have an outcome (buffered or
    /// stored); then records nothing and returns those ids.
    func recordFirstOutcomes(_ batch: [ExperimentOutcome]) throws -> [String] {
        feedbackLock.lock()
        defer { feedbackLock.unlock() }
        let wanted = Set(batch.map(\.requestID))
        var known: Set<String> = []
        condition.lock()
        for outcome in writingOutcomes + outcomes where wanted.contains(outcome.requestID) { known.insert(outcome.requestID) }
        condition.unlock()
        // Memory first, then the store: an outcome flushed in between is found in the store.
        let missing = wanted.subtracting(known)
        if !missing.isEmpty {
            storage.lock()
            defer { storage.unlock() }
            known.formUnion(try workspace.experimentRequestsWithOutcome(experiment, requestIDs: missing.sorted()))
        }
        let repeated = batch.map(\.requestID).filter(known.contains)
        if repeated.isEmpty { record(outcomes: batch) }
        return repeated
    }

    func record(outcomes batch: [ExperimentOutcome]) {
        condition.lock()
        outcomes.append(contentsOf: batch)
        if outcomes.count >= batchRows { condition.signal() }
        condition.unlock()
    }

    /// The variant each known request id was assigned to: from memory, else from the workspace.
    /// Unknown ids are absent.
    func variants(of requestIDs: [String]) throws -> [String: String] {
        // A scan, not an index: feedback is rarer than scoring, which then pays no hashing.
        let wanted = Set(requestIDs)
        var found: [String: String] = [:]
        condition.lock()
        for assignment in writing where wanted.contains(assignment.requestID) { found[assignment.requestID] = assignment.variant }
        for assignment in assignments where wanted.contains(assignment.requestID) { found[assignment.requestID] = assignment.variant }
        condition.unlock()
        let missing = requestIDs.filter { found[$0] == nil }
        // An id missing from memory had committed before we looked (or never existed).
        guard !missing.isEmpty else { return found }
        storage.lock()
        defer { storage.unlock() }
        return try found.merging(workspace.experimentAssignedVariants(experiment, requestIDs: missing)) { a, _ in a }
    }

    /// Writes what is buffered now.
    func flush() throws {
        storage.lock()
        defer { storage.unlock() }
        condition.lock()
        let pendingAssignments = assignments, pendingOutcomes = outcomes
        writing = assignments
        writingOutcomes = outcomes
        assignments.removeAll(keepingCapacity: true)
        outcomes.removeAll(keepingCapacity: true)
        condition.unlock()
        do {
            try workspace.recordExperimentTraffic(experiment, assignments: pendingAssignments, outcomes: pendingOutcomes)
        } catch {
            // Put the batch back in front, so a later flush retries it in order.
            condition.lock()
            assignments.insert(contentsOf: pendingAssignments, at: 0)
            outcomes.insert(contentsOf: pendingOutcomes, at: 0)
            writing = []
            writingOutcomes = []
            condition.unlock()
            throw error
        }
        condition.lock()
        writing = []
        writingOutcomes = []
        condition.unlock()
    }

    /// Stops the background writer after a last flush (retried for a while if the database is busy).
    func close() {
        condition.lock()
        if closed { condition.unlock(); return }
        closed = true
        condition.signal()
        while !flusherDone { condition.wait() }
        condition.unlock()
        for attempt in 0..<50 {
            do { try flush(); return } catch {
                if attempt == 0 { Self.log("cannot store the last A/B assignments yet, retrying: \(error)") }
                usleep(200_000)
            }
        }
        Self.log("gave up storing the last A/B assignments of \(experiment)")
    }

    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return assignments.count + outcomes.count
    }

    private func flushLoop() {
        condition.lock()
        while !closed {
            if assignments.count < batchRows && outcomes.count < batchRows {
                _ = condition.wait(until: Date(timeIntervalSinceNow: interval))
            }
            if closed { break }
            let waiting = !assignments.isEmpty || !outcomes.isEmpty
            condition.unlock()
            if waiting {
                do { try flush() } catch {
                    Self.log("cannot store A/B assignments (will retry): \(error)")
                    usleep(100_000)
                }
            }
            condition.lock()
        }
        flusherDone = true
        condition.broadcast()
        condition.unlock()
    }

    private static func log(_ message: String) {
        FileHandle.standardError.write(Data("rappi serve-router: \(message)\n".utf8))
    }
}
