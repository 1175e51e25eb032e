import Synchronization

/// Counts requests in flight and refuses to go past a limit.
final class InFlightLimiter: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) { self.limit = Swift.max(0, limit) }

    /// `false` when the limit is reached (nothing is taken).
    func tryEnter() -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, found) = count.weakCompareExchange(expected: current, desired: current + 1,
                                                               successOrdering: .acquiring, failureOrdering: .relaxed)
            if exchanged { return true }
            current = found
        }
        return false
    }

    func leave() {
        count.subtract(1, ordering: .releasing)
    }
}
