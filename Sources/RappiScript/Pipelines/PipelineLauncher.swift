import Foundation
import RappiDeploy
import RappiWorkspace

/// `run pipeline` from a session: queues the run; the workspace server executes it when one is
/// running, else this process does (claiming it through the same queue, so `max-jobs` holds
/// across every executor). Either way it follows the run to its end, printing steps as they go;
/// when the server stops before the run ends, this process takes the run over rather than wait
/// for an executor that will never come.
struct PipelineLauncher {
    let context: CommandContext

    func runToEnd(_ runID: Int) throws -> RunView {
        let workspace = try context.workspace()
        let progress = RunProgress(emit: context.session.liveOutput)
        if let server = WorkspaceServerRecord.live(in: workspace.directory) {
            context.session.liveOutput?("run \(runID) queued on the workspace server at \(server.baseURL) (pid \(server.pid))")
            let view = try follow(runID, progress: progress, whileServerRuns: true)
            if Interrupt.isRequested, !view.isFinished {
                // Ctrl-C cancels the run this statement started, wherever it executes.
                let status = try workspace.cancelPipelineRun(runID)
                context.session.liveOutput?("Ctrl-C: run \(runID) on the workspace server is \(status == "cancelled" ? "cancelled" : "being cancelled")")
                return try RunView.load(runID, from: workspace)
            }
            if view.isFinished || Interrupt.isRequested { return view }
            context.session.liveOutput?("the workspace server stopped before run \(runID) ended — running it here")
        }
        try PipelineScheduler.recoverInterrupted(in: workspace)
        var announcedWait = false
        while true {
            if Interrupt.isRequested {
                _ = try workspace.cancelPipelineRun(runID)
                return try RunView.load(runID, from: workspace)
            }
            if let run = try workspace.claimPipelineRun(executorPID: Int(getpid()), only: runID) {
                let target = try workspace.computeTarget(run.compute)
                var lastLook = Date.distantPast
                _ = try PipelineRunExecutor(workspaceDirectory: workspace.directory).execute(run, on: target) {
                    if Date().timeIntervalSince(lastLook) > 0.2, let view = try? RunView.load(runID, from: workspace) {
                        progress.update(view)
                        lastLook = Date()
                    }
                    return Interrupt.isRequested ? .cancel("interrupted (Ctrl-C)") : nil
                }
                let view = try RunView.load(runID, from: workspace)
                progress.update(view)
                return view
            }
            let current = try workspace.pipelineRun(runID)
            if current.isFinished { return try RunView.load(runID, from: workspace) }
            if !announcedWait {
                let target = try workspace.computeTarget(current.compute)
                context.session.liveOutput?("run \(runID) queued: compute \(target.name) is running \(target.maxJobs) of \(target.maxJobs) allowed runs")
                announcedWait = true
            }
            usleep(200_000)
        }
    }

    /// Follows a run someone else executes until it ends (Ctrl-C stops following, not the run).
    /// With `whileServerRuns`, also stops following when the workspace server is gone.
    func follow(_ runID: Int, progress: RunProgress, timeout: Double? = nil, whileServerRuns: Bool = false) throws -> RunView {
        let workspace = try context.workspace()
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var looks = 0
        while true {
            let view = try RunView.load(runID, from: workspace)
            progress.update(view)
            if view.isFinished || Interrupt.isRequested { return view }
            if let deadline, Date() > deadline { return view }
            looks += 1
            if whileServerRuns, looks % 10 == 0, WorkspaceServerRecord.live(in: workspace.directory) == nil { return view }
            usleep(100_000)
        }
    }
}
