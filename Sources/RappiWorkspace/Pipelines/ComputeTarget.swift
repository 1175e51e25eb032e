import Foundation

/// Where pipeline runs execute: a worker process limited to `cores` threads and `memoryBytes`
/// of memory, with at most `maxJobs` runs executing at once (the rest wait queued).
public struct ComputeTarget: Sendable, Equatable {
    public let name: String
    /// 0 means every core of the machine.
    public let cores: Int
    /// 0 means no memory limit.
    public let memoryBytes: Int
    public let maxJobs: Int
    public let createdAt: String

    public init(name: String, cores: Int, memoryBytes: Int, maxJobs: Int, createdAt: String = Timestamp.now()) {
        self.name = name; self.cores = cores; self.memoryBytes = memoryBytes; self.maxJobs = maxJobs; self.createdAt = createdAt
    }

    /// The thread count a run on this target uses.
    public var threads: Int { cores > 0 ? cores : ProcessInfo.processInfo.activeProcessorCount }

    /// "7 GB", "512 MB", or "no limit".
    public var memoryDescription: String { memoryBytes > 0 ? ByteSize.describe(memoryBytes) : "no limit" }
}

/// Memory sizes as people write them: `7g`, `512m`, `64MB`, `1.5G`, `2048` (bytes).
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
        let (gib, mib, kib) = (1 << 30, 1 << 20, 1 << 10)
        let units: [(suffix: String, factor: Int)] = [
            ("gib", gib), ("mib", mib), ("kib", kib), ("gb", gib), ("mb", mib), ("kb", kib),
            ("g", gib), ("m", mib), ("k", kib), ("b", 1),
        ]
        for (suffix, factor) in units where lowered.hasSuffix(suffix) {
            guard let number = Double(lowered.dropLast(suffix.count)), number > 0, number.isFinite else { return nil }
            return Int((number * Double(factor)).rounded())
        }
        guard let bytes = Int(lowered), bytes > 0 else { return nil }
        return bytes
    }

    public static func describe(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        if gib >= 1 { return gib == gib.rounded() ? "\(Int(gib)) GB" : String(format: "%.1f GB", gib) }
        let mib = Double(bytes) / Double(1 << 20)
        if mib >= 1 { return mib == mib.rounded() ? "\(Int(mib)) MB" : String(format: "%.1f MB", mib) }
        return "\(bytes) bytes"
    }
}
