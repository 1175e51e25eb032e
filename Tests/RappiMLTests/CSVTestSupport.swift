import XCTest
@testable import RappiML

/// Parses CSV text held in memory (optionally forcing the number of chunks).
func parseCSV(_ text: String, file: String = "test.csv", chunks: Int? = nil,
              isCancelled: (@Sendable () -> Bool)? = nil) throws -> CSVTable {
    try parseCSV(bytes: Array(text.utf8), file: file, chunks: chunks, isCancelled: isCancelled)
}

func parseCSV(bytes: [UInt8], file: String = "test.csv", chunks: Int? = nil,
              isCancelled: (@Sendable () -> Bool)? = nil) throws -> CSVTable {
    try bytes.withUnsafeBytes { raw in
        try CSVReader.read(bytes: raw, fileName: file, chunkCount: chunks, isCancelled: isCancelled)
    }
}

/// The `CSVError` thrown while parsing (fails the test when parsing succeeds).
func csvError(_ text: String, file: String = "test.csv", chunks: Int? = nil,
              _ sourceFile: StaticString = #filePath, _ line: UInt = #line) -> CSVError? {
    csvError(bytes: Array(text.utf8), file: file, chunks: chunks, sourceFile, line)
}

func csvError(bytes: [UInt8], file: String = "test.csv", chunks: Int? = nil,
              _ sourceFile: StaticString = #filePath, _ line: UInt = #line) -> CSVError? {
    do {
        _ = try parseCSV(bytes: bytes, file: file, chunks: chunks)
        XCTFail("expected a CSVError", file: sourceFile, line: line)
        return nil
    } catch let e as CSVError {
        return e
    } catch {
        XCTFail("unexpected error \(error)", file: sourceFile, line: line)
        return nil
    }
}

/// Asserts two frames are identical: names, types, numeric bit patterns (NaN = NaN), codes and levels.
func assertIdentical(_ a: DataFrame, _ b: DataFrame, _ sourceFile: StaticString = #filePath, _ line: UInt = #line) {
    XCTAssertEqual(a.columnNames, b.columnNames, file: sourceFile, line: line)
    XCTAssertEqual(a.rowCount, b.rowCount, file: sourceFile, line: line)
    for (x, y) in zip(a.columns, b.columns) {
        XCTAssertEqual(x.type, y.type, "column \(x.name)", file: sourceFile, line: line)
        XCTAssertEqual(x.numericValues.map(\.bitPattern), y.numericValues.map(\.bitPattern),
                       "column \(x.name)", file: sourceFile, line: line)
        XCTAssertEqual(x.codes, y.codes, "column \(x.name)", file: sourceFile, line: line)
        XCTAssertEqual(x.levels, y.levels, "column \(x.name)", file: sourceFile, line: line)
    }
}

/// All values of a column as display strings.
func strings(_ c: Column) -> [String?] { (0..<c.count).map { c.string($0) } }

/// A small deterministic PRNG (SplitMix64) so generated inputs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
