import Foundation

/// Counts requests in flight and refuses to go past a limit.
final class InFlightLimiter: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var count = 0

    init(limit: Int) { self.limit = Swift.max(0, limit) }

    /// `false` when the limit is reached (nothing is taken).
    func tryEnter() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard count < limit else { return false }
        count += 1
        return true
    }

    func leave() {
        lock.lock()
        count -= 1
        lock.unlock()
    }
}
