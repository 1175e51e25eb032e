import XCTest
@testable import RappiML

final class PreprocessSerializationTests: XCTestCase {
    typealias F = PreprocessFixtures

    func bytes(_ p: Preprocessor) -> [UInt8] {
        var w = BinaryWriter()
        p.encode(to: &w)
        return w.bytes
    }

    func decode(_ bytes: [UInt8]) throws -> Preprocessor {
        var r = BinaryReader(bytes)
        let p = try Preprocessor(from: &r)
        XCTAssertTrue(r.isAtEnd)
        return p
    }

    func checkRoundTrip(_ p: Preprocessor, on frame: DataFrame, file: StaticString = #filePath, line: UInt = #line) throws {
        let encoded = bytes(p)
        let q = try decode(encoded)
        XCTAssertEqual(try q.transform(frame), try p.transform(frame), file: file, line: line)
        XCTAssertEqual(bytes(q), encoded, file: file, line: line)
        XCTAssertEqual(q.featureNames, p.featureNames, file: file, line: line)
        XCTAssertEqual(q.inputs, p.inputs, file: file, line: line)
        XCTAssertEqual(q.notes, p.notes, file: file, line: line)
        XCTAssertEqual(q.recipe, p.recipe, file: file, line: line)
        XCTAssertEqual(q.target, p.target, file: file, line: line)
        XCTAssertEqual(q.standardize, p.standardize, file: file, line: line)
    }

    func testTitanicRoundTripAndSameFitSameBytes() throws {
        let frame = try CSVReader.read(path: PreprocessTitanicTests.path).frame
        let rows = (0..<frame.rowCount).filter { $0 % 5 != 2 }
        for standardize in [false, true] {
            let p = try Preprocessor.fit(frame, rows: rows, target: "Survived", recipe: .titanic, standardize: standardize)
            try checkRoundTrip(p, on: frame)
            let again = try Preprocessor.fit(frame, rows: rows, target: "Survived", recipe: .titanic, standardize: standardize)
            XCTAssertEqual(bytes(again), bytes(p))
        }
        let auto = try Preprocessor.fit(frame, rows: rows, target: "Survived", recipe: .auto, standardize: true)
        try checkRoundTrip(auto, on: frame)
    }

    func testAutoRoundTripWithUnseenCategories() throws {
        let frame = DataFrame(columns: [
            F.num("a", [1, nil, 3, 8]), F.text("k", ["x", "y", nil, "z"]), F.num("y", [0, 1, 0, 1], type: .integer),
        ])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2], target: "y", recipe: .auto, standardize: true)
        try checkRoundTrip(p, on: frame)
    }

    func testDamagedBytesAreAnErrorNotACrash() throws {
        let frame = DataFrame(columns: [F.num("a", [1, 2, 3]), F.text("k", ["x", "y", "x"]), F.num("y", [0, 1, 0])])
        let encoded = bytes(try Preprocessor.fit(frame, rows: [0, 1, 2], target: "y", recipe: .auto, standardize: true))
        for cut in stride(from: 0, to: encoded.count, by: 7) {
            var r = BinaryReader(Array(encoded.prefix(cut)))
            XCTAssertThrowsError(try Preprocessor(from: &r), "cut at \(cut)")
        }
        var wrong = BinaryReader(Array(repeating: 0, count: 16))
        XCTAssertThrowsError(try Preprocessor(from: &wrong))
    }
}
