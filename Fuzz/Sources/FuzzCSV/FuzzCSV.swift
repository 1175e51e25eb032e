import FuzzSupport
@testable import RappiML

/// The CSV reader (`upload dataset`, `predict on FILE`), read whole and split into chunks read in
/// parallel: both must give the same table, or the same error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    func read(chunks: Int) -> String {
        input.bytes.withUnsafeBytes { raw in
            do {
                let table = try CSVReader.read(bytes: raw, fileName: "fuzz.csv", chunkCount: chunks, isCancelled: nil)
                return "header \(table.headerByteCount)\n" + FrameText.describe(table.frame)
            } catch {
                return "error \(error)"
            }
        }
    }
    let whole = read(chunks: 1)
    let chunked = read(chunks: 3)
    if whole != chunked { fatalError("one chunk and three chunks disagree:\n\(whole)\n---\n\(chunked)") }
    return 0
}
