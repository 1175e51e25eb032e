import Synchronization
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small helpers for the estimators' parallel loops. Work items are handed out dynamically
/// (a shared counter under a lock), but every item writes only its own result slot, so the
/// output never depends on the number of threads or on their timing.
enum ParallelFor {
    /// Number of online processors (at least 1).
    static var coreCount: Int { Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Runs `body(i)` for every `i` in `0..<count` on up to `threads` threads, dynamically
    /// scheduled. `body` must only write state owned by item `i`.
    static func run(count: Int, threads: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.max(1, Swift.min(threads, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let counter = WorkCounter()
        withoutActuallyEscaping(body) { body in
            // Shared on purpose: every item writes only state it owns (see above).
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let i = counter.take()
                    if i >= count { break }
                    body(i)
                }
            }
        }
    }

    /// Runs `body(range)` over contiguous chunks of `0..<count` (at most `threads` at a time).
    static func chunks(count: Int, threads: Int, minimumChunk: Int, piecesPerWorker: Int = 4, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = Swift.max(1, Swift.min(threads, count / Swift.max(1, minimumChunk)))
        if workers <= 1 {
            body(0..<count)
            return
        }
        // A few chunks per worker balances uneven rows without much overhead.
        let pieces = Swift.min(count, workers * Swift.max(1, piecesPerWorker))
        run(count: pieces, threads: workers) { p in
            let start = count * p / pieces
            let end = count * (p + 1) / pieces
            if start < end { body(start..<end) }
        }
    }
}

/// A counter handing out work items to the threads of a parallel loop.
final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// The next item (0, 1, 2, …), each handed out once.
    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// Adds one and returns the new total.
    func increment() -> Int { value.wrappingAdd(1, ordering: .relaxed).newValue }
}

/// A fixed-size buffer that parallel items write into at their own index.
final class SlotBuffer<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    let count: Int

    init(count: Int) {
        self.count = count
        base = UnsafeMutablePointer<T?>.allocate(capacity: Swift.max(count, 1))
        base.initialize(repeating: nil, count: Swift.max(count, 1))
    }

    deinit {
        base.deinitialize(count: Swift.max(count, 1))
        base.deallocate()
    }

    func set(_ index: Int, _ value: T) { base[index] = value }
    func get(_ index: Int) -> T? { base[index] }
    func values() -> [T?] { (0..<count).map { base[$0] } }
}
