import Foundation
import RappiWorkspace
import Synchronization

/// CPU time and resident memory of a process (see `ProcessTable`).
public struct ProcessUsage: Sendable {
    public let pid: Int32

    public init(pid: Int32) { self.pid = pid }

    /// User + system CPU seconds used so far (all threads).
    public var cpuSeconds: Double? { ProcessTable.cpuSeconds(pid) }

    /// Resident set size now, in bytes.
    public var residentBytes: Int? { ProcessTable.residentBytes(pid) }
}

/// Samples a process's resident memory in the background and keeps the peak.
public final class MemorySampler: Sendable {
    private let usage: ProcessUsage
    private let state: Mutex<(peak: Int, running: Bool)>

    public init(pid: Int32) {
        usage = ProcessUsage(pid: pid)
        state = Mutex((peak: usage.residentBytes ?? 0, running: true))
        Thread { [weak self] in
            while let self, self.state.withLock({ $0.running }) {
                if let rss = self.usage.residentBytes { self.state.withLock { $0.peak = max($0.peak, rss) } }
                usleep(20_000)
            }
        }.start()
    }

    /// Stops sampling; returns the peak resident bytes seen.
    public func stop() -> Int {
        state.withLock { $0.running = false; return $0.peak }
    }
}
