import Foundation
import XCTest
@testable import RappiML

/// Inputs the libFuzzer harnesses (Fuzz/) found to crash or exhaust memory, kept in FuzzFindings/.
final class FuzzRegressionTests: XCTestCase {
    private func finding(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzFindings/\(name)")
        return [UInt8](try Data(contentsOf: url))
    }

    private func read(_ bytes: [UInt8], chunks: Int) -> Result<CSVTable, CSVError> {
        bytes.withUnsafeBytes { raw in
            Result { try CSVReader.read(bytes: raw, fileName: "finding.csv", chunkCount: chunks, isCancelled: nil) }
                .mapError { $0 as! CSVError }
        }
    }

    func testAQuotedFieldLeftOpenToTheEndOfAFileReadInParallelChunksIsAnErrorNotACrash() throws {
        // The open quote swallowed every later chunk boundary, so the chunk holding the file's
        // unterminated last record was not the last chunk and was given room for one record too few.
        let bytes = try finding("csv-quote-open-to-end-of-file.csv")
        let whole = read(bytes, chunks: 1)
        for chunks in [2, 3, 5, 8] {
            let chunked = read(bytes, chunks: chunks)
            switch (whole, chunked) {
            case (.failure(let a), .failure(let b)): XCTAssertEqual(a.description, b.description, "\(chunks) chunks")
            case (.success(let a), .success(let b)): XCTAssertEqual(a.frame.rowCount, b.frame.rowCount, "\(chunks) chunks")
            default: XCTFail("one chunk gave \(whole), \(chunks) chunks gave \(chunked)")
            }
        }
        // The same shape — a last record whose quote never closes — in a file big enough to be read
        // in parallel without forcing it.
        var big = Array("a,b\n".utf8)
        for i in 0..<60_000 { big += Array("\(i),\"x y\"\n".utf8) }
        big += Array("1,\"never closed, and no line end".utf8)
        if case .success = read(big, chunks: 8) { XCTFail("an unterminated quoted field was accepted") }
    }

    func testAModelFileClaimingAnAbsurdNumberOfTreesIsRefusedWithoutReservingMemoryForThem() throws {
        let bytes = try finding("gbm-absurd-tree-count.model")
        // Refused at the count itself (it cannot fit in the bytes left), before any tree is read —
        // not after reserving room for 10^8 trees (2.4 GB under the fuzzer).
        XCTAssertThrowsError(try ModelFile.decode(bytes)) { error in
            XCTAssertTrue("\(error)".contains("model file is damaged (bad length"), "\(error)")
        }
    }

    func testAForestTreeWhoseChildrenHaveTwoParentsIsRefusedNotACrashInTheWalkLayout() throws {
        // Found by the CI fuzz run: two internal nodes pointing at the same pair of children left
        // another node unreachable, and laying the tree out for the batch walk trapped.
        let bytes = try finding("forest-children-shared-by-two-parents.model")
        XCTAssertThrowsError(try ModelFile.decode(bytes)) { error in
            XCTAssertTrue("\(error)".contains("model file is damaged"), "\(error)")
        }
    }
}
