import XCTest
@testable import RappiML

final class CSVQuotingTests: XCTestCase {
    func testQuotedCommasNewlinesAndDoubledQuotes() throws {
        let csv = "id,name,note\n1,\"Smith, John\",\"line one\nline two\"\n2,\"say \"\"hi\"\"\",plain\n3,\"\",\"\"\"\"\n"
        let t = try parseCSV(csv)
        let f = t.frame
        XCTAssertEqual(f.rowCount, 3)
        XCTAssertEqual(f.columnNames, ["id", "name", "note"])
        XCTAssertEqual(strings(f.columns[1]), ["Smith, John", "say \"hi\"", nil])
        XCTAssertEqual(strings(f.columns[2]), ["line one\nline two", "plain", "\""])
        XCTAssertEqual(f.columns[0].type, .integer)
    }

    func testQuotedCRLFInsideField() throws {
        let t = try parseCSV("a,b\r\n\"x\r\ny\",2\r\n")
        XCTAssertEqual(strings(t.frame.columns[0]), ["x\r\ny"])
        XCTAssertEqual(t.frame.columns[1].double(0), 2)
    }

    func testCRLFRecords() throws {
        let t = try parseCSV("a,b,c\r\n1,2.5,x\r\n3,,y\r\n")
        let f = t.frame
        XCTAssertEqual(f.rowCount, 2)
        XCTAssertEqual(f.columns.map(\.type), [.integer, .real, .text])
        XCTAssertEqual(strings(f.columns[2]), ["x", "y"])   // no stray \r
        XCTAssertTrue(f.columns[1].isMissing(1))
        XCTAssertEqual(t.headerByteCount, 7)
    }

    func testLoneCRRecords() throws {
        let t = try parseCSV("a,b\r1,x\r2,y")
        XCTAssertEqual(t.frame.rowCount, 2)
        XCTAssertEqual(strings(t.frame.columns[1]), ["x", "y"])
    }

    func testBOMIsSkipped() throws {
        let t = try parseCSV(bytes: [0xEF, 0xBB, 0xBF] + Array("Name,Age\nAnn,3\n".utf8))
        XCTAssertEqual(t.frame.columnNames, ["Name", "Age"])
        XCTAssertEqual(t.headerByteCount, 3 + 9)
    }

    func testFinalLineWithoutTerminatorAndTrailingEmptyLines() throws {
        XCTAssertEqual(try parseCSV("a,b\n1,2").frame.rowCount, 1)
        XCTAssertEqual(try parseCSV("a,b\n1,2\n\n").frame.rowCount, 1)
        XCTAssertEqual(try parseCSV("a,b\r\n1,2\r\n\r\n").frame.rowCount, 1)
        // Blank lines in the middle are skipped too.
        XCTAssertEqual(try parseCSV("a,b\n1,2\n\n3,4\n").frame.rowCount, 2)
    }

    func testEmptyAndQuotedEmptyAreMissing() throws {
        let f = try parseCSV("a,b,c\n,\"\",x\n1,2,\n").frame
        XCTAssertTrue(f.columns[0].isMissing(0))
        XCTAssertTrue(f.columns[1].isMissing(0))
        XCTAssertTrue(f.columns[2].isMissing(1))
        XCTAssertNil(f.columns[0].double(0))
        XCTAssertNil(f.columns[2].string(1))
        XCTAssertEqual(f.columns[2].codes, [0, -1])
    }

    func testHeaderOnlyFileHasNoRows() throws {
        for text in ["a,b,c", "a,b,c\n", "a,b,c\r\n\r\n"] {
            let t = try parseCSV(text)
            XCTAssertEqual(t.frame.rowCount, 0)
            XCTAssertEqual(t.frame.columnNames, ["a", "b", "c"])
        }
    }

    func testQuotedHeaderNames() throws {
        let f = try parseCSV("\"first, name\",\"a \"\"b\"\"\"\n1,2\n").frame
        XCTAssertEqual(f.columnNames, ["first, name", "a \"b\""])
    }

    func testHeaderByteCountAllowsConcatenatingBodies() throws {
        let one = "x,y\r\n1,a\r\n2,b\r\n"
        let two = "\u{FEFF}x,y\n3,c\n"
        let t1 = try parseCSV(one), t2 = try parseCSV(two)
        XCTAssertEqual(t1.headerByteCount, 5)
        XCTAssertEqual(t2.headerByteCount, 3 + 4)
        let bytes2 = Array(two.utf8)
        let joined = Array(one.utf8) + bytes2[t2.headerByteCount...]
        let all = try parseCSV(bytes: joined).frame
        XCTAssertEqual(strings(all.columns[1]), ["a", "b", "c"])
    }

    func testUnicodeText() throws {
        let f = try parseCSV("name,city\nJosé,Zürich\n李,東京\n").frame
        XCTAssertEqual(strings(f.columns[0]), ["José", "李"])
        XCTAssertEqual(f.columns[1].levels, ["Zürich", "東京"])
    }
}
