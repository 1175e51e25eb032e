/// Deterministic little-endian encoding for model files: the same model always gives the same
/// bytes (and so the same hash), on every machine.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    public mutating func write(_ value: Int32) { write(UInt32(bitPattern: value)) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Float) { write(value.bitPattern) }

    public mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    public mutating func write(_ values: [Double]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ values: [Float]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ values: [Int32]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ values: [Int]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ values: [String]) {
        write(values.count)
        for v in values { write(v) }
    }

    /// The header every estimator section starts with: its algorithm and its own format version.
    public mutating func writeSectionHeader(_ tag: String, version: Int) {
        write(tag)
        write(version)
    }

    public mutating func write(bytes other: [UInt8]) {
        write(other.count)
        bytes.append(contentsOf: other)
    }
}
