/// The bytes libFuzzer hands a harness, as an array and (when valid UTF-8) as text.
public struct FuzzInput {
    public let bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// nil unless the bytes are valid UTF-8 (the text parsers' callers decode first).
    public var text: String? { String(validating: bytes, as: UTF8.self) }
}
