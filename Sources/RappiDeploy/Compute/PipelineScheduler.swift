import Foundation
import RappiWorkspace

/// The workspace server's worker loop: claims queued runs while their compute targets have free
/// slots, executes each on its own thread, and recovers runs a crash left `running`.
/// Stopping finishes running work within a grace period and requeues what is left.
public final class PipelineScheduler: @unchecked Sendable {
    public let workspaceDirectory: URL
    private let executor: PipelineRunExecutor
    private let lock = NSCondition()
    private var active: Set<Int> = []
    private var stopping = false
    private var requeueNow = false
    private var wakeRequested = false
    private var loopThread: Thread?
    public var log: @Sendable (String) -> Void = { _ in }

    public init(workspaceDirectory: URL, executable: String = PipelineRunExecutor.currentExecutable, dataRoots: [URL] = [],
                controlPlane: PipelineRunExecutor.ControlPlane? = nil, localWorkersOverHTTP: Bool = false) {
        self.workspaceDirectory = workspaceDirectory
        executor = PipelineRunExecutor(workspaceDirectory: workspaceDirectory, executable: executable, dataRoots: dataRoots,
                                       controlPlane: controlPlane, localWorkersOverHTTP: localWorkersOverHTTP)
    }

    /// Marks runs whose executor is gone: requeued for another attempt (finished steps are
    /// reused), or failed with the reason after three attempts. Returns one line per run.
    @discardableResult
    public static func recoverInterrupted(in workspace: Workspace, activeHere: Set<Int> = []) throws -> [String] {
        var notes: [String] = []
        for run in try workspace.runningPipelineRuns() where !activeHere.contains(run.id) {
            if let executor = run.executorPID, Int32(executor) != getpid(), ProcessTable.isRappi(pid: Int32(executor)) { continue }
            if let worker = run.workerPID, ProcessTable.isRappi(pid: Int32(worker)) { kill(Int32(worker), SIGKILL) }
            let who = run.executorPID.map { "the process running it (pid \($0))" } ?? "the process running it"
            try PipelineRunExecutor.retryOrFail(run, because: "\(who) stopped unexpectedly", in: workspace)
            notes.append(run.attempt >= 3 ? "run \(run.id): interrupted \(run.attempt) times, marked failed"
                                          : "run \(run.id): interrupted, requeued (attempt \(run.attempt + 1) next)")
        }
        return notes
    }

    public func start() throws {
        let workspace = try Workspace(directory: workspaceDirectory)
        for note in try Self.recoverInterrupted(in: workspace) { log(note) }
        let thread = Thread { [self] in loop() }
        thread.name = "pipeline-scheduler"
        loopThread = thread
        thread.start()
    }

    /// Looks at the queue now rather than at the next tick (after a REST trigger).
    public func wake() {
        lock.lock(); wakeRequested = true; lock.signal(); lock.unlock()
    }

    /// Stops claiming; waits up to `grace` seconds for running runs, then requeues the rest.
    public func stop(grace: Double) {
        lock.lock()
        stopping = true
        lock.broadcast()
        let deadline = Date().addingTimeInterval(grace)
        while !active.isEmpty, Date() < deadline { _ = lock.wait(until: min(deadline, Date().addingTimeInterval(0.1))) }
        requeueNow = true
        while !active.isEmpty { _ = lock.wait(until: Date().addingTimeInterval(0.1)) }
        lock.unlock()
    }

    public var runningCount: Int { lock.lock(); defer { lock.unlock() }; return active.count }

    private func loop() {
        guard let workspace = try? Workspace(directory: workspaceDirectory) else { return }
        var lastRecovery = Date()
        while true {
            lock.lock()
            if stopping { lock.unlock(); return }
            lock.unlock()
            if Date().timeIntervalSince(lastRecovery) > 5 {
                lock.lock(); let here = active; lock.unlock()
                for note in (try? Self.recoverInterrupted(in: workspace, activeHere: here)) ?? [] { log(note) }
                lastRecovery = Date()
            }
            while let run = try? workspace.claimPipelineRun(executorPID: Int(getpid())) {
                guard let target = try? workspace.computeTarget(run.compute) else { continue }
                launch(run, on: target)
            }
            lock.lock()
            if !wakeRequested && !stopping { _ = lock.wait(until: Date().addingTimeInterval(0.25)) }
            wakeRequested = false
            lock.unlock()
        }
    }

    private var requeueRequested: PipelineRunExecutor.Stop? {
        lock.lock(); defer { lock.unlock() }
        return requeueNow ? .requeue("requeued: the workspace server stopped while it ran") : nil
    }

    private func launch(_ run: PipelineRun, on target: ComputeTarget) {
        lock.lock(); active.insert(run.id); lock.unlock()
        log("run \(run.id): \(run.pipeline) v\(run.pipelineVersion) started on \(target.name)")
        let thread = Thread { [self] in
            let status = (try? executor.execute(run, on: target) { self.requeueRequested }) ?? "failed"
            log("run \(run.id): \(status)")
            lock.lock(); active.remove(run.id); lock.broadcast(); wakeRequested = true; lock.unlock()
        }
        thread.name = "pipeline-run-\(run.id)"
        thread.start()
    }
}
