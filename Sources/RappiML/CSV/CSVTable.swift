/// The result of reading a CSV file.
public struct CSVTable: Sendable {
    public let frame: DataFrame
    /// Bytes of the optional UTF-8 BOM plus the header record including its line terminator
    /// (plus any blank lines before the header). The body of the file starts at this offset,
    /// so a caller can concatenate the bodies of several files that share a header.
    public let headerByteCount: Int

    public init(frame: DataFrame, headerByteCount: Int) {
        self.frame = frame
        self.headerByteCount = headerByteCount
    }
}
