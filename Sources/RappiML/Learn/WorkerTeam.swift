import CCPUHints
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads of one gradient-boosting fit, kept between its parallel loops and spinning briefly
/// while they wait for the next one, as OpenMP's threads do in LightGBM and XGBoost.
///
/// Why not `DispatchQueue.concurrentPerform` (what `ParallelFor` uses): a fit runs about a
/// hundred parallel loops per tree (histograms, partitions, split searches), each only tens of
/// microseconds long, and Dispatch wakes a parked thread for every one of them — a wake-up costs
/// about as much as the loop. A worker here sees new work within a fraction of a microsecond while
/// it spins; after `TeamState.spinChecks` idle checks it yields its core instead, and once it has
/// been idle for `parkAfterNanoseconds` (2 ms) it parks on a condition variable, so a team left idle costs nothing. Measured
/// (BENCHMARKS.md): 2-thread fits went from 1.46× to about 1.9× the speed of 1 thread.
///
/// `run` has `ParallelFor.run`'s contract: items are handed out dynamically, every item writes
/// only its own result, so results never depend on the number of threads or their timing. One
/// caller at a time, and not from inside an item (the team does not nest).
final class WorkerTeam {
    /// Threads that run items, the caller included.
    let size: Int
    private let state: TeamState
    private var workers: [pthread_t] = []

    /// A team of `threads` (at least 1): `threads − 1` worker threads plus the caller of `run`.
    init(threads: Int) {
        state = TeamState()
        for _ in 1..<Swift.max(1, threads) {
            var thread = pthread_t()
            // Each worker holds the shared state (not the team), so the team is freed when its
            // owner lets go of it, and its `deinit` stops the workers.
            let context = Unmanaged.passRetained(state).toOpaque()
            let started = pthread_create(&thread, nil, { context in
                Unmanaged<TeamState>.fromOpaque(context!).takeRetainedValue().work()
                return nil
            }, context)
            guard started == 0 else {
                Unmanaged<TeamState>.fromOpaque(context).release()
                break
            }
            workers.append(thread)
        }
        state.workers = workers.count
        size = workers.count + 1
    }

    deinit {
        state.stop()
        for thread in workers { pthread_join(thread, nil) }
    }

    /// Runs `body(i)` for every `i` in `0..<count` on the team's threads and returns when all
    /// are done. `body` must only write state owned by item `i`.
    func run(count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        guard count > 1, !workers.isEmpty else {
            for i in 0..<count { body(i) }
            return
        }
        state.run(count: count, body)
    }

    /// Workers parked on the condition variable now (for tests).
    var parkedWorkers: Int { state.sleepers.load(ordering: .relaxed) }
}

/// What the caller and the worker threads of a `WorkerTeam` share.
private final class TeamState: @unchecked Sendable {
    /// Idle checks with a pause between them (tens of microseconds) before a worker yields its
    /// core between checks instead, and the idle time after which it parks.
    static let spinChecks = 2_000
    static let parkAfterNanoseconds: UInt64 = 2_000_000

    /// Set once, before any job.
    var workers = 0
    /// Bumped to publish a job; workers compare it with the last one they ran.
    let generation = Atomic<Int>(0)
    let nextItem = Atomic<Int>(0)
    /// Workers done with the current job.
    let finished = Atomic<Int>(0)
    let sleepers = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// The current job: written by the caller before it bumps `generation`, read by the workers
    /// after they see the new generation (the bump releases it, their load acquires it).
    private var job: Job?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wakeUp: UnsafeMutablePointer<pthread_cond_t>

    private struct Job {
        let count: Int
        let body: (Int) -> Void
    }

    init() {
        mutex = .allocate(capacity: 1)
        wakeUp = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeUp, nil)
    }

    deinit {
        pthread_cond_destroy(wakeUp)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        wakeUp.deallocate()
    }

    func run(count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let job = Job(count: count, body: body)
            self.job = job
            nextItem.store(0, ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            // Sequentially consistent with the workers' `sleepers` increment: either a parking
            // worker sees the new generation, or this sees it parking and wakes it.
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 { wakeAll() }
            drain(job)
            var checks = 0
            while finished.load(ordering: .acquiring) < workers {
                checks += 1
                if checks < Self.spinChecks { rappi_cpu_relax() } else { sched_yield() }
            }
            self.job = nil
        }
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeAll()
    }

    private func wakeAll() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wakeUp)
        pthread_mutex_unlock(mutex)
    }

    private func drain(_ job: Job) {
        while true {
            let i = nextItem.add(1, ordering: .relaxed).oldValue
            if i >= job.count { return }
            job.body(i)
        }
    }

    /// A worker thread: waits for each new generation, takes items until none are left, checks in.
    func work() {
        var seen = 0
        while let current = nextGeneration(after: seen) {
            seen = current
            drain(job!)
            finished.add(1, ordering: .releasing)
        }
    }

    /// Spins, then yields, then parks until the generation moves past `seen`; nil when stopping.
    private func nextGeneration(after seen: Int) -> Int? {
        var checks = 0
        var idleSince: UInt64 = 0
        while true {
            if stopping.load(ordering: .relaxed) { return nil }
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            checks += 1
            if checks < Self.spinChecks {
                rappi_cpu_relax()
                continue
            }
            let now = Self.monotonicNanoseconds()
            if idleSince == 0 { idleSince = now }
            if now - idleSince < Self.parkAfterNanoseconds {
                sched_yield()
                continue
            }
            pthread_mutex_lock(mutex)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            while generation.load(ordering: .sequentiallyConsistent) == seen && !stopping.load(ordering: .sequentiallyConsistent) {
                pthread_cond_wait(wakeUp, mutex)
            }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(mutex)
            checks = 0
            idleSince = 0
        }
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
