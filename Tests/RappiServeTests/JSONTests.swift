import XCTest
@testable import RappiServe

final class JSONTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func testParsesValues() throws {
        guard case .object(let members) = try parse(#" {"a": [1, -2.5, 0.125, 1e3, true, false, null, "x\"\u00e9\ud83d\ude00\n"]} "#) else {
            return XCTFail("not an object")
        }
        XCTAssertEqual(members.first?.key, "a")
        guard case .array(let items)? = members.first?.value else { return XCTFail("not an array") }
        let numbers = items.prefix(4).compactMap { if case .number(let v) = $0 { return v } else { return nil } }
        XCTAssertEqual(numbers, [1, -2.5, 0.125, 1000])
        if case .string(let s) = items[7] { XCTAssertEqual(s, "x\"é😀\n") } else { XCTFail("not a string") }
    }

    func testNumbersMatchSwiftParsing() throws {
        for text in ["0", "-0", "7.25", "71.2833", "0.1", "123456789012345", "1234567890123456789", "3.141592653589793",
                     "1e-7", "2.5E+10", "1e400", "-1e400", "1e-400", "0.30000000000000004", "9007199254740993"] {
            guard case .number(let v) = try parse(text) else { return XCTFail(text) }
            XCTAssertEqual(v, Double(text)!, text)
        }
    }

    func testRejectsInvalidJSONAndDeepNesting() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", ".5", "+1", "nul", "\"abc", "\"\\x\"", "[1] 2",
                     "\"\u{01}\"", "\"\\ud800\"", "NaN", "Infinity"] {
            XCTAssertThrowsError(try parse(text), text)
        }
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 100_000)))
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)))
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
    }

    func testWriterEscapesAndRounds() {
        var w = JSONWriter()
        w.string("a\"b\\c\n\u{01}é")
        w.raw(",")
        w.number(0.1234567)
        w.raw(",")
        w.number(1.0)
        w.raw(",")
        w.number(-0.0000001)
        XCTAssertEqual(w.text, #""a\"b\\c\n\u0001é",0.123457,1,0"#)
        XCTAssertTrue("-1.5e3".isJSONNumber)
        XCTAssertFalse("inf".isJSONNumber)
        XCTAssertFalse("01".isJSONNumber)
    }
}
