import Foundation
import ServiceLifecycle

/// The pipeline scheduler as a service of the workspace server: it starts with the server and,
/// on graceful shutdown (SIGTERM, SIGINT), stops claiming runs, gives the running ones
/// `drainSeconds` to finish and requeues the rest.
///
/// The server shuts it down before its HTTP server (see `WorkspaceServer.run`): a remote worker
/// (a Ray node, `--remote-workers`) reports every step over HTTP, so the server must keep
/// answering until the runs it lets finish have finished.
public struct PipelineSchedulerService: Service {
    public let scheduler: PipelineScheduler
    public let drainSeconds: Double

    public init(_ scheduler: PipelineScheduler, drainSeconds: Double) {
        self.scheduler = scheduler
        self.drainSeconds = drainSeconds
    }

    public func run() async throws {
        try scheduler.start()
        // Returns at graceful shutdown; throws when the service is cancelled instead.
        let graceful = (try? await gracefulShutdown()) != nil
        let running = scheduler.runningCount
        let grace = graceful ? drainSeconds : 0
        if running > 0 { scheduler.log("stopping: letting \(running) running run(s) finish (up to \(Int(grace)) s)") }
        // `stop` waits on a condition: on a thread of its own, not on the concurrency pool.
        let scheduler = self.scheduler
        await withCheckedContinuation { (stopped: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                scheduler.stop(grace: grace)
                stopped.resume()
            }
        }
    }
}
