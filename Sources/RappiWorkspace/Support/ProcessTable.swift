import Foundation

/// What /proc says about a process (Linux): its state, CPU time, resident memory, and whether a
/// pid still names a rappi process (pids are reused, so a bare `kill(pid, 0)` is not enough).
public enum ProcessTable {
    /// The state letter from /proc/PID/stat (R, S, D, Z, T, …), nil when unreadable.
    public static func state(_ pid: Int32) -> Character? {
        statFields(pid)?.first?.first
    }

    /// User + system CPU seconds used so far (all threads).
    public static func cpuSeconds(_ pid: Int32) -> Double? {
        // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        guard let fields = statFields(pid), fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// VmRSS in bytes, nil when the process is gone.
    public static func residentBytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    /// Whether `pid` is a live (not zombie) process whose executable is named `rappi`.
    public static func isRappi(pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM, let state = state(pid), state != "Z", state != "X" else { return false }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return false }
        let first = data.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return first.hasSuffix("rappi")
    }

    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}

extension ProcessTable {
    /// The process's arguments (argv, from /proc/PID/cmdline), nil when it is gone or unreadable.
    public static func commandLine(_ pid: Int32) -> [String]? {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast(data.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
