import Foundation
import RappiML
import Synchronization

/// Decides which variant answers a record. With a unit field the choice is a pure function of
/// (experiment name, unit value), so the same passenger always sees the same variant — in this
/// process, after a restart and on another machine (FNV-1a, not Swift's per-process `Hasher`).
/// Without one it is a draw from one SplitMix64 stream seeded by the experiment's seed.
final class VariantAssignment: Sendable {
    static let a = 0, b = 1
    static let labels = ["A", "B"]

    let experiment: String
    let unitField: String?
    private let random: Mutex<SplitMix64>

    init(experiment: String, unitField: String?, seed: UInt64) {
        self.experiment = experiment
        self.unitField = unitField
        random = Mutex(SplitMix64(seed: seed))
    }

    /// 0 for A, 1 for B, for a record whose unit value is `unit` (nil without a unit field).
    func variant(unit: String?, shareA: Double) -> Int {
        if shareA >= 1 { return Self.a }
        if shareA <= 0 { return Self.b }
        let position: Double
        if let unit {
            position = Self.position(experiment: experiment, unit: unit)
        } else {
            position = random.withLock { $0.nextDouble() }
        }
        return position < shareA ? Self.a : Self.b
    }

    /// A unit's fixed place in [0, 1): FNV-1a over `experiment NUL unit`, then SplitMix64's
    /// finaliser so that similar ids (1, 2, 3 …) spread evenly.
    static func position(experiment: String, unit: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for byte in experiment.utf8 { mix(byte) }
        mix(0)
        for byte in unit.utf8 { mix(byte) }
        var generator = SplitMix64(seed: hash)
        return generator.nextDouble()
    }

    /// The unit value of a record as text: strings as they are, integral numbers without a
    /// fraction (so `7` and `7.0` are one passenger), booleans as `true`/`false`; nil when the
    /// field is missing, null or nested.
    static func unitValue(_ record: JSONRecord, field: String) -> String? {
        switch record.last(where: { $0.key == field })?.value {
        case .string(let s)?: return s
        case .number(let v)? where v.isFinite:
            return v == v.rounded() && v.magnitude < 1e15 ? String(Int64(v)) : String(v)
        case .bool(let b)?: return b ? "true" : "false"
        default: return nil
        }
    }
}
