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
/// it spins; after `TeamState.spinChecks` idle checks it yields its core between checks instead,
/// and once it has been idle for 2 ms it parks on a condition variable, so an idle team costs
/// nothing. Measured (BENCHMARKS.md): a 2-thread fit went from 1.46× to 1.76× the speed of one.
///
/// Unlike an OpenMP team, the caller never waits for a worker to show up: items are claimed one
/// by one, the caller claims whatever the workers have not, and a job is done when every item is.
/// A worker the OS has descheduled (another program busy on the cores) therefore costs nothing —
/// without this, a 2-thread fit on a loaded machine took 3–4 times as long as a 1-thread one.
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
        var first = 0
        while first < count {
            let items = Swift.min(count - first, TeamState.maxItems), offset = first
            state.run(count: items) { body(offset + $0) }
            first += items
        }
    }

    /// Workers parked on the condition variable now (for tests).
    var parkedWorkers: Int { state.sleepers.load(ordering: .relaxed) }
    /// The worker threads (for tests).
    var workerThreads: [pthread_t] { workers }
}

/// What the caller and the worker threads of a `WorkerTeam` share.
///
/// A job is published as one 64-bit ticket: its generation (high 32 bits), its item count (16
/// bits) and the next unclaimed item (16 bits). Claiming an item is a compare-and-swap on the
/// whole ticket, so a worker that was about to claim from a finished job (it saw an old
/// generation) fails instead of taking an item of the next one.
private final class TeamState: @unchecked Sendable {
    /// Idle checks with a pause between them (tens of microseconds) before a worker yields its
    /// core between checks instead, and the idle time after which it parks.
    static let spinChecks = 2_000
    static let parkAfterNanoseconds: UInt64 = 2_000_000
    /// Items a job can have (its count is 16 bits of the ticket); `WorkerTeam.run` splits more.
    static let maxItems = 0xFFFF

    let ticket = Atomic<UInt64>(0)
    /// Items of the current job finished by workers.
    let completed = Atomic<Int>(0)
    let sleepers = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// The caller's count of jobs (the ticket's generation).
    private var generation: UInt64 = 0
    /// The current job's body: written by the caller before it publishes the ticket, read by a
    /// worker only after it claimed an item of that ticket (the publication releases it, the
    /// claim acquires it), and replaced only after every item is finished.
    private var body: ((Int) -> Void)?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wakeUp: UnsafeMutablePointer<pthread_cond_t>

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

    private static func generation(of ticket: UInt64) -> UInt64 { ticket >> 32 }

    func run(count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            self.body = body
            completed.store(0, ordering: .relaxed)
            generation = (generation + 1) & 0xFFFF_FFFF
            // Sequentially consistent with the workers' `sleepers` increment: either a parking
            // worker sees the new ticket, or this sees it parking and wakes it.
            ticket.store(generation << 32 | UInt64(count) << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 { wakeAll() }
            var mine = 0
            while let i = claim(generation) {
                body(i)
                mine += 1
            }
            // Every item is claimed; wait only for the ones a worker is still running.
            var checks = 0
            while mine + completed.load(ordering: .acquiring) < count {
                checks += 1
                if checks < Self.spinChecks { rappi_cpu_relax() } else { sched_yield() }
            }
            self.body = nil
        }
    }

    /// The next unclaimed item of job `generation`, or nil when there is none (or that job is over).
    private func claim(_ generation: UInt64) -> Int? {
        var current = ticket.load(ordering: .acquiring)
        while true {
            guard Self.generation(of: current) == generation else { return nil }
            let next = current & 0xFFFF, count = current >> 16 & 0xFFFF
            guard next < count else { return nil }
            let (claimed, now) = ticket.compareExchange(expected: current, desired: current + 1,
                                                        successOrdering: .acquiring, failureOrdering: .acquiring)
            if claimed { return Int(next) }
            current = now
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

    /// A worker thread: waits for each new job and claims its items until none is left.
    func work() {
        var seen: UInt64 = 0
        while let current = nextGeneration(after: seen) {
            seen = current
            while let i = claim(current) {
                body!(i)
                completed.add(1, ordering: .releasing)
            }
        }
    }

    /// Spins, then yields, then parks until a job newer than `seen` is published; nil when stopping.
    private func nextGeneration(after seen: UInt64) -> UInt64? {
        var checks = 0
        var idleSince: UInt64 = 0
        while true {
            if stopping.load(ordering: .relaxed) { return nil }
            let current = Self.generation(of: ticket.load(ordering: .relaxed))
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
            while Self.generation(of: ticket.load(ordering: .sequentiallyConsistent)) == seen
                && !stopping.load(ordering: .sequentiallyConsistent) {
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
