import Foundation

/// CPU time and resident memory of a process, read from /proc (Linux).
struct ProcessUsage {
    let pid: Int32

    /// User + system CPU seconds used so far (all threads).
    var cpuSeconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size now, in bytes.
    var residentBytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }
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
