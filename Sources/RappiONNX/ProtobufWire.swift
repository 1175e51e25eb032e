/// The protobuf wire format, only as far as ONNX needs it: varints, 64/32-bit fixed values and
/// length-delimited fields. Writing is deterministic (fields in the order the caller writes
/// them), so a model always encodes to the same bytes.
public struct ProtobufWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wireType: WireType) { varint(UInt64(field << 3 | Int(wireType.rawValue))) }

    mutating func int(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func bytesField(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ write: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        write(&inner)
        bytesField(field, inner.bytes)
    }

    mutating func packedInts(_ field: Int, _ values: [Int64]) {
        guard !values.isEmpty else { return }
        var inner = ProtobufWriter()
        for v in values { inner.varint(UInt64(bitPattern: v)) }
        bytesField(field, inner.bytes)
    }

    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        guard !values.isEmpty else { return }
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        bytesField(field, raw)
    }

    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        guard !values.isEmpty else { return }
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        bytesField(field, raw)
    }
}

public enum WireType: UInt8, Sendable {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
}

/// A malformed or unsupported protobuf / ONNX file, with what was wrong and where.
public struct ONNXDecodingError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads one message's fields. A pure function of its bytes: no I/O, no global state, every
/// length checked before use (so a fuzzer can throw anything at it).
struct ProtobufReader {
    let bytes: ArraySlice<UInt8>
    private(set) var offset: Int
    let context: String

    init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.offset = bytes.startIndex
        self.context = context
    }

    var isAtEnd: Bool { offset >= bytes.endIndex }

    func failure(_ what: String) -> ONNXDecodingError {
        ONNXDecodingError("not a valid ONNX file: \(what) in \(context) at byte \(offset)")
    }

    mutating func varint() throws(ONNXDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.endIndex else { throw failure("truncated varint") }
            let b = bytes[offset]
            offset += 1
            guard shift < 64 else { throw failure("varint longer than 10 bytes") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws(ONNXDecodingError) -> (field: Int, wireType: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else { throw failure("unsupported wire type \(key & 7)") }
        let field = key >> 3
        guard field >= 1, field < 1 << 29 else { throw failure("bad field number \(field)") }
        return (Int(field), wireType)
    }

    mutating func lengthDelimited() throws(ONNXDecodingError) -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(bytes.endIndex - offset) else { throw failure("length \(length) past the end") }
        let slice = bytes[offset..<(offset + Int(length))]
        offset += Int(length)
        return slice
    }

    mutating func fixed(_ count: Int) throws(ONNXDecodingError) -> UInt64 {
        guard bytes.endIndex - offset >= count else { throw failure("truncated fixed-width value") }
        var v: UInt64 = 0
        for i in 0..<count { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += count
        return v
    }

    mutating func skip(_ wireType: WireType) throws(ONNXDecodingError) {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed(8)
        case .fixed32: _ = try fixed(4)
        case .lengthDelimited: _ = try lengthDelimited()
        }
    }

    mutating func expect(_ wireType: WireType, _ expected: WireType, field: String) throws(ONNXDecodingError) {
        guard wireType == expected else { throw failure("field \(field) has wire type \(wireType.rawValue), expected \(expected.rawValue)") }
    }

    mutating func int(_ wireType: WireType, field: String) throws(ONNXDecodingError) -> Int64 {
        try expect(wireType, .varint, field: field)
        return Int64(bitPattern: try varint())
    }

    mutating func string(_ wireType: WireType, field: String) throws(ONNXDecodingError) -> String {
        try expect(wireType, .lengthDelimited, field: field)
        return String(decoding: try lengthDelimited(), as: UTF8.self)
    }

    mutating func data(_ wireType: WireType, field: String) throws(ONNXDecodingError) -> [UInt8] {
        try expect(wireType, .lengthDelimited, field: field)
        return Array(try lengthDelimited())
    }

    mutating func float(_ wireType: WireType, field: String) throws(ONNXDecodingError) -> Float {
        try expect(wireType, .fixed32, field: field)
        return Float(bitPattern: UInt32(try fixed(4)))
    }

    /// A repeated integer field, packed or not: appends to `values`.
    mutating func ints(_ wireType: WireType, into values: inout [Int64], field: String) throws(ONNXDecodingError) {
        if wireType == .varint { values.append(Int64(bitPattern: try varint())); return }
        try expect(wireType, .lengthDelimited, field: field)
        var inner = ProtobufReader(try lengthDelimited(), context: context)
        while !inner.isAtEnd { values.append(Int64(bitPattern: try inner.varint())) }
    }

    mutating func floats(_ wireType: WireType, into values: inout [Float], field: String) throws(ONNXDecodingError) {
        if wireType == .fixed32 { values.append(Float(bitPattern: UInt32(try fixed(4)))); return }
        try expect(wireType, .lengthDelimited, field: field)
        var inner = ProtobufReader(try lengthDelimited(), context: context)
        guard inner.bytes.count % 4 == 0 else { throw failure("packed floats of \(inner.bytes.count) bytes") }
        while !inner.isAtEnd { values.append(Float(bitPattern: UInt32(try inner.fixed(4)))) }
    }

    mutating func doubles(_ wireType: WireType, into values: inout [Double], field: String) throws(ONNXDecodingError) {
        if wireType == .fixed64 { values.append(Double(bitPattern: try fixed(8))); return }
        try expect(wireType, .lengthDelimited, field: field)
        var inner = ProtobufReader(try lengthDelimited(), context: context)
        guard inner.bytes.count % 8 == 0 else { throw failure("packed doubles of \(inner.bytes.count) bytes") }
        while !inner.isAtEnd { values.append(Double(bitPattern: try inner.fixed(8))) }
    }

    mutating func message(_ wireType: WireType, field: String, context inner: String) throws(ONNXDecodingError) -> ProtobufReader {
        try expect(wireType, .lengthDelimited, field: field)
        return ProtobufReader(try lengthDelimited(), context: inner)
    }
}
