import Foundation
import RappiWorkspace
import Synchronization

/// The workspace server's worker loop: claims queued runs while their compute targets have free
/// slots, executes each on its own thread, and recovers runs a crash left `running`.
/// Stopping finishes running work within a grace period and requeues what is left.
public final class PipelineScheduler: Sendable {
    public let workspaceDirectory: URL
    private let executor: PipelineRunExecutor
    private struct State {
        var active: Set<Int> = []
        var stopping = false
        var requeueNow = false
    }
    private let state = Mutex(State())
    /// Signalled to make the loop look at the queue now (a REST trigger, a run ending, stop).
    private let wakeUp = DispatchSemaphore(value: 0)
    public let log: @Sendable (String) -> Void

    public init(workspaceDirectory: URL, executable: String = PipelineRunExecutor.currentExecutable, dataRoots: [URL] = [],
                controlPlane: PipelineRunExecutor.ControlPlane? = nil, localWorkersOverHTTP: Bool = false,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.workspaceDirectory = workspaceDirectory
        executor = PipelineRunExecutor(workspaceDirectory: workspaceDirectory, executable: executable, dataRoots: dataRoots,
                                       controlPlane: controlPlane, localWorkersOverHTTP: localWorkersOverHTTP)
        self.log = log
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
        thread.start()
    }

    /// Looks at the queue now rather than at the next tick (after a REST trigger).
    public func wake() { wakeUp.signal() }

    /// Stops claiming; waits up to `grace` seconds for running runs, then requeues the rest.
    public func stop(grace: Double) {
        state.withLock { $0.stopping = true }
        wakeUp.signal()
        let deadline = Date().addingTimeInterval(grace)
        while runningCount > 0, Date() < deadline { usleep(20_000) }
        state.withLock { $0.requeueNow = true }
        while runningCount > 0 { usleep(20_000) }
    }

    public var runningCount: Int { state.withLock { $0.active.count } }

    private func loop() {
        guard let workspace = try? Workspace(directory: workspaceDirectory) else { return }
        var lastRecovery = Date()
        while !state.withLock({ $0.stopping }) {
            if Date().timeIntervalSince(lastRecovery) > 5 {
                let here = state.withLock { $0.active }
                for note in (try? Self.recoverInterrupted(in: workspace, activeHere: here)) ?? [] { log(note) }
                lastRecovery = Date()
            }
            while let run = try? workspace.claimPipelineRun(executorPID: Int(getpid())) {
                guard let target = try? workspace.computeTarget(run.compute) else { continue }
                launch(run, on: target)
            }
            _ = wakeUp.wait(timeout: .now() + 0.25)
        }
    }

    private var requeueRequested: PipelineRunExecutor.Stop? {
        state.withLock { $0.requeueNow } ? .requeue("requeued: the workspace server stopped while it ran") : nil
    }

    private func launch(_ run: PipelineRun, on target: ComputeTarget) {
        state.withLock { _ = $0.active.insert(run.id) }
        log("run \(run.id): \(run.pipeline) v\(run.pipelineVersion) started on \(target.name)")
        let thread = Thread { [self] in
            let status = (try? executor.execute(run, on: target) { self.requeueRequested }) ?? "failed"
            log("run \(run.id): \(status)")
            state.withLock { _ = $0.active.remove(run.id) }
            wakeUp.signal()
        }
        thread.name = "pipeline-run-\(run.id)"
        thread.start()
    }
}
