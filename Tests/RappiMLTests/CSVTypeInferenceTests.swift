import XCTest
@testable import RappiML

final class CSVTypeInferenceTests: XCTestCase {
    func testIntegerRealText() throws {
        let f = try parseCSV("i,r,t,e\n1,1.5,a,1e3\n-2,2,b,2E-2\n+3,.5,c,3.\n").frame
        XCTAssertEqual(f.columns.map(\.type), [.integer, .real, .text, .real])
        XCTAssertEqual(f.columns[0].numericValues, [1, -2, 3])
        XCTAssertEqual(f.columns[1].numericValues, [1.5, 2, 0.5])
        XCTAssertEqual(f.columns[3].numericValues, [1000, 0.02, 3])
        XCTAssertEqual(strings(f.columns[0]), ["1", "-2", "3"])   // no ".0"
        XCTAssertEqual(strings(f.columns[1]), ["1.5", "2.0", "0.5"])
    }

    func testMixedNumericAndTextBecomesTextWithRawSpelling() throws {
        let f = try parseCSV("m\n007\n1.50\nx\n\n").frame
        XCTAssertEqual(f.columns[0].type, .text)
        XCTAssertEqual(f.columns[0].levels, ["007", "1.50", "x"])
        XCTAssertEqual(f.rowCount, 3)
    }

    func testMissingValuesDoNotAffectType() throws {
        let f = try parseCSV("a,b\n,1\n2,\n,\n").frame
        XCTAssertEqual(f.columns.map(\.type), [.integer, .integer])
        XCTAssertEqual(f.columns[0].nonMissingCount, 1)
        XCTAssertTrue(f.columns[0].numericValues[0].isNaN)
    }

    func testAllMissingColumnIsReal() throws {
        let f = try parseCSV("a,b\n,1\n,2\n").frame
        XCTAssertEqual(f.columns[0].type, .real)
        XCTAssertEqual(f.columns[0].nonMissingCount, 0)
    }

    func testSpacesAreTrimmedForNumericInferenceOnly() throws {
        let f = try parseCSV("a,b,c\n 3 ,x , 1\n4,  ,\t2\n").frame
        XCTAssertEqual(f.columns[0].type, .integer)
        XCTAssertEqual(f.columns[0].numericValues, [3, 4])
        XCTAssertEqual(f.columns[1].type, .text)
        XCTAssertEqual(f.columns[1].levels, ["x ", "  "])        // text keeps the raw field
        XCTAssertEqual(f.columns[2].numericValues, [1, 2])
        // a blank field in a numeric column is missing
        let g = try parseCSV("a\n1\n  \n2\n").frame
        XCTAssertEqual(g.columns[0].type, .integer)
        XCTAssertTrue(g.columns[0].isMissing(1))
    }

    func testQuotedNumbersAreNumbers() throws {
        let f = try parseCSV("a,b\n\"1\",\" 2.5 \"\n\"3\",\"\"\n").frame
        XCTAssertEqual(f.columns[0].type, .integer)
        XCTAssertEqual(f.columns[1].type, .real)
        XCTAssertEqual(f.columns[1].double(0), 2.5)
        XCTAssertTrue(f.columns[1].isMissing(1))
    }

    func testNanInfHexAndOddSpellingsAreText() throws {
        for v in ["nan", "inf", "-inf", "NaN", "0x1p3", "1e", "1e+", "-", ".", "+", "1.2.3", "1,5", "1_000", "--1", "1 2"] {
            let field = v.contains(",") ? "\"\(v)\"" : v
            let f = try parseCSV("a\n1\n\(field)\n").frame
            XCTAssertEqual(f.columns[0].type, .text, v)
            XCTAssertEqual(f.columns[0].string(1), v)
        }
    }

    func testTextLevelsInFirstSeenOrder() throws {
        let f = try parseCSV("s\nb\na\nb\nc\na\n").frame
        XCTAssertEqual(f.columns[0].levels, ["b", "a", "c"])
        XCTAssertEqual(f.columns[0].codes, [0, 1, 0, 2, 1])
    }

    func testLargeIntegersAndNegativeZero() throws {
        let f = try parseCSV("a\n12345678901234567890\n-0\n").frame
        XCTAssertEqual(f.columns[0].type, .integer)
        XCTAssertEqual(f.columns[0].double(0), 12345678901234567890.0)
        XCTAssertEqual(f.columns[0].string(1), "0")
    }
}
