import Foundation

/// Where pipeline runs execute: a worker process limited to `cores` threads and `memoryBytes`
/// of memory, with at most `maxJobs` runs executing at once (the rest wait queued) — on this
/// machine, or as a job on a Ray cluster (`cluster`).
public struct ComputeTarget: Sendable, Equatable {
    public let name: String
    /// 0 means every core of the machine.
    public let cores: Int
    /// 0 means no memory limit.
    public let memoryBytes: Int
    public let maxJobs: Int
    public let createdAt: String
    /// Nil: this machine.
    public let cluster: RayCluster?

    public init(name: String, cores: Int, memoryBytes: Int, maxJobs: Int, createdAt: String = Timestamp.now(), cluster: RayCluster? = nil) {
        self.name = name; self.cores = cores; self.memoryBytes = memoryBytes; self.maxJobs = maxJobs; self.createdAt = createdAt
        self.cluster = cluster
    }

    /// `local` or `ray`.
    public var kind: String { cluster == nil ? "local" : "ray" }

    /// The thread count a run on this target uses.
    public var threads: Int { cores > 0 ? cores : ProcessInfo.processInfo.activeProcessorCount }

    /// "7 GB", "512 MB", or "no limit".
    public var memoryDescription: String { memoryBytes > 0 ? ByteSize.describe(memoryBytes) : "no limit" }
}

/// A Ray cluster runs a target's pipeline runs as Ray jobs (submitted to its dashboard's Jobs API).
public struct RayCluster: Codable, Sendable, Equatable {
    /// The dashboard's URL, `http://HOST:8265`.
    public let address: String
    /// Custom resources each run's job reserves (`resources=hidden:1`): how runs pick nodes.
    public let resources: [String: Double]
    /// A job waiting longer than this for a node with the resources it asks fails.
    public let queueTimeoutSeconds: Double
    /// Where rappi is installed on the nodes (nil: the workspace server's own path — a cluster
    /// on this machine, or nodes with rappi at the same path).
    public let rappiPath: String?

    public init(address: String, resources: [String: Double], queueTimeoutSeconds: Double, rappiPath: String?) {
        self.address = address; self.resources = resources; self.queueTimeoutSeconds = queueTimeoutSeconds; self.rappiPath = rappiPath
    }

    /// `hidden:1, gpu_box:0.5`.
    public var resourcesDescription: String {
        resources.sorted { $0.key < $1.key }.map { "\($0.key):\(Self.describe($0.value))" }.joined(separator: ",")
    }

    public static func describe(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
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
