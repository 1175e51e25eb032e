/// Reads what `BinaryWriter` wrote; every read checks bounds, so a damaged file is an error,
/// never a crash.
public struct BinaryReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
            throw Failure(message: "model file is truncated or damaged (needed \(count) bytes at offset \(offset))")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    public mutating func readUInt8() throws -> UInt8 { try take(1).first! }
    public mutating func readBool() throws -> Bool { try readUInt8() != 0 }

    public mutating func readUInt32() throws -> UInt32 {
        try take(4).reversed().reduce(0) { ($0 << 8) | UInt32($1) }
    }

    public mutating func readUInt64() throws -> UInt64 {
        try take(8).reversed().reduce(0) { ($0 << 8) | UInt64($1) }
    }

    public mutating func readInt() throws -> Int { Int(Int64(bitPattern: try readUInt64())) }
    public mutating func readInt32() throws -> Int32 { Int32(bitPattern: try readUInt32()) }
    public mutating func readDouble() throws -> Double { Double(bitPattern: try readUInt64()) }
    public mutating func readFloat() throws -> Float { Float(bitPattern: try readUInt32()) }

    /// A count of things that take at least `elementSize` bytes each, so it must fit in what is
    /// left: a damaged file can neither overrun the bytes nor make the reader reserve memory
    /// for absurd lengths.
    public mutating func readCount(elementSize: Int) throws -> Int {
        let count = try readInt()
        guard count >= 0, count <= (bytes.count - offset) / Swift.max(elementSize, 1) else {
            throw Failure(message: "model file is damaged (bad length \(count) at offset \(offset))")
        }
        return count
    }

    public mutating func readString() throws -> String {
        let count = try readCount(elementSize: 1)
        return String(decoding: try take(count), as: UTF8.self)
    }

    public mutating func readDoubles() throws -> [Double] {
        let count = try readCount(elementSize: 8)
        return try (0..<count).map { _ in try readDouble() }
    }

    public mutating func readFloats() throws -> [Float] {
        let count = try readCount(elementSize: 4)
        return try (0..<count).map { _ in try readFloat() }
    }

    public mutating func readInt32s() throws -> [Int32] {
        let count = try readCount(elementSize: 4)
        return try (0..<count).map { _ in try readInt32() }
    }

    public mutating func readInts() throws -> [Int] {
        let count = try readCount(elementSize: 8)
        return try (0..<count).map { _ in try readInt() }
    }

    public mutating func readStrings() throws -> [String] {
        let count = try readCount(elementSize: 8)
        return try (0..<count).map { _ in try readString() }
    }

    /// Reads what `writeSectionHeader` wrote and checks it is `tag` at `version`.
    public mutating func expectSectionHeader(_ tag: String, version: Int) throws {
        let found = try readString()
        guard found == tag else {
            throw Failure(message: "model file is damaged (expected algorithm '\(tag)', found '\(found.prefix(40))')")
        }
        let foundVersion = try readInt()
        guard foundVersion == version else {
            throw Failure(message: "model file is damaged (\(tag): unsupported format version \(foundVersion))")
        }
    }

    public mutating func readBytes() throws -> [UInt8] {
        let count = try readCount(elementSize: 1)
        return Array(try take(count))
    }
}
