import Foundation
import RappiWorkspace

/// CPU time and resident memory of a process (see `ProcessTable`).
struct ProcessUsage {
    let pid: Int32

    /// User + system CPU seconds used so far (all threads).
    var cpuSeconds: Double? { ProcessTable.cpuSeconds(pid) }

    /// Resident set size now, in bytes.
    var residentBytes: Int? { ProcessTable.residentBytes(pid) }
}

/// Samples a process's resident memory in the background and keeps the peak.
final class MemorySampler: @unchecked Sendable {
    private let usage: ProcessUsage
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private var thread: Thread?

    init(pid: Int32) {
        usage = ProcessUsage(pid: pid)
        peak = usage.residentBytes ?? 0
        let thread = Thread { [weak self] in
            while let self, self.isRunning {
                if let rss = self.usage.residentBytes { self.lock.lock(); self.peak = max(self.peak, rss); self.lock.unlock() }
                usleep(20_000)
            }
        }
        self.thread = thread
        thread.start()
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }

    /// Stops sampling; returns the peak resident bytes seen.
    func stop() -> Int {
        lock.lock(); running = false; let value = peak; lock.unlock()
        return value
    }
}
