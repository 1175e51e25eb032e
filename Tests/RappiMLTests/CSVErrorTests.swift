import XCTest
@testable import RappiML

final class CSVErrorTests: XCTestCase {
    private func check(_ e: CSVError?, line: Int, column: Int, problem: String, hintContains: String,
                       file: String = "test.csv", _ src: StaticString = #filePath, _ l: UInt = #line) {
        guard let e else { return }
        XCTAssertEqual(e.file, file, file: src, line: l)
        XCTAssertEqual(e.line, line, "\(e)", file: src, line: l)
        XCTAssertEqual(e.column, column, "\(e)", file: src, line: l)
        XCTAssertEqual(e.problem, problem, "\(e)", file: src, line: l)
        XCTAssertTrue(e.hint.contains(hintContains), "\(e)", file: src, line: l)
        XCTAssertTrue(e.description.hasPrefix("\(file):\(line):\(column): \(problem) — "), e.description, file: src, line: l)
    }

    func testTooManyFields() {
        let e = csvError("a,b,c\n1,2,3\n4,5,6,7\n", file: "titanic.csv")
        check(e, line: 3, column: 7, problem: "row has 4 fields but the header has 3",
              hintContains: "unquoted comma", file: "titanic.csv")
    }

    func testTooManyFieldsCountsQuotedFields() {
        let e = csvError("a,b\n\"x,y\",2,\"3\",4\n")
        check(e, line: 2, column: 9, problem: "row has 4 fields but the header has 2", hintContains: "unquoted comma")
    }

    func testTooFewFields() {
        check(csvError("a,b,c\n1,2\n"), line: 2, column: 4, problem: "row has 2 fields but the header has 3",
              hintContains: "missing field")
        check(csvError("a,b,c\n1,2,3\n1"), line: 3, column: 2, problem: "row has 1 field but the header has 3",
              hintContains: "missing field")
    }

    func testUnterminatedQuoteReportsWhereItOpened() {
        check(csvError("a,b\n1,\"abc\n2,3\n"), line: 2, column: 3, problem: "quoted field opened here is never closed",
              hintContains: "closing quote")
    }

    func testStrayQuoteInUnquotedField() {
        check(csvError("a,b\n1,ab\"c\n"), line: 2, column: 5, problem: "quote inside an unquoted field",
              hintContains: "quote the whole field")
        // leading space before a quote makes it an unquoted field too
        check(csvError("a,b\n1, \"x\"\n"), line: 2, column: 4, problem: "quote inside an unquoted field",
              hintContains: "quote the whole field")
    }

    func testCharacterAfterClosingQuote() {
        check(csvError("a,b\n1,\"ab\"c\n"), line: 2, column: 7, problem: "unexpected character after a closing quote",
              hintContains: "two quotes")
    }

    func testInvalidUTF8ReportsLineAndColumnOfBadByte() {
        check(csvError(bytes: Array("a,b\n1,xy".utf8) + [0xFF] + Array("\n".utf8)), line: 2, column: 5,
              problem: "invalid UTF-8 byte", hintContains: "UTF-8")
        // column counts characters, not bytes
        check(csvError(bytes: Array("a,b\n1,é".utf8) + [0xC3, 0x28] + Array("\n".utf8)), line: 2, column: 4,
              problem: "invalid UTF-8 byte", hintContains: "UTF-8")
        // in the header
        check(csvError(bytes: [0x61, 0xE2, 0x82, 0x2C, 0x62, 0x0A]), line: 1, column: 2,
              problem: "invalid UTF-8 byte", hintContains: "UTF-8")
    }

    func testInvalidUTF8InLaterChunk() {
        var bytes = Array("a,b\n".utf8)
        for i in 0..<20_000 { bytes += Array("\(i),x\n".utf8) }
        bytes += Array("5,caf".utf8) + [0xE9] + Array("\n".utf8)
        for chunks in [1, 7] {
            check(csvError(bytes: bytes, chunks: chunks), line: 20_002, column: 6, problem: "invalid UTF-8 byte",
                  hintContains: "UTF-8")
        }
    }

    func testEmptyFile() {
        for bytes: [UInt8] in [[], [0xEF, 0xBB, 0xBF], Array(" \n\r\n \t\n".utf8)] {
            check(csvError(bytes: bytes), line: 1, column: 1, problem: "file is empty", hintContains: "a CSV needs a header line")
        }
        XCTAssertEqual(csvError("")?.description, "test.csv:1:1: file is empty — a CSV needs a header line")
    }

    func testMissingHeaderName() {
        check(csvError("a,,c\n1,2,3\n"), line: 1, column: 3, problem: "header column 2 has no name",
              hintContains: "give every column a name")
        check(csvError("a,b,\n"), line: 1, column: 5, problem: "header column 3 has no name",
              hintContains: "give every column a name")
    }

    func testDuplicatedHeaderName() {
        let e = csvError("Id,Age,x,Age\n1,2,3,4\n")
        check(e, line: 1, column: 10, problem: "header name 'Age' appears in columns 2 and 4",
              hintContains: "column names must be unique")
    }

    func testLineNumbersCountNewlinesInsideQuotes() {
        check(csvError("a,b\n\"multi\nline\",1\n2\n"), line: 4, column: 2, problem: "row has 1 field but the header has 2",
              hintContains: "missing field")
    }

    func testFirstErrorInFileOrderWhateverTheChunking() {
        var text = "a,b,c\n"
        for i in 0..<30_000 { text += "\(i),\"q,\(i)\",\(i % 7)\n" }
        text += "1,2\n"                       // line 30_002: too few
        for i in 0..<10_000 { text += "\(i),2,3,4\n" }   // later errors must not win
        for chunks in [1, 2, 5, 16] {
            check(csvError(text, chunks: chunks), line: 30_002, column: 4, problem: "row has 2 fields but the header has 3",
                  hintContains: "missing field")
        }
    }

    func testMissingFile() {
        do {
            _ = try CSVReader.read(path: "/nonexistent/dir/x.csv")
            XCTFail("expected error")
        } catch let e as CSVError {
            XCTAssertEqual(e.file, "/nonexistent/dir/x.csv")
            XCTAssertTrue(e.problem.hasPrefix("cannot read file"), e.description)
        } catch {
            XCTFail("\(error)")
        }
    }

    func testCancellation() {
        var text = "a,b\n"
        for i in 0..<200_000 { text += "\(i),\(i)\n" }
        for chunks in [1, 4] {
            do {
                _ = try parseCSV(text, chunks: chunks, isCancelled: { true })
                XCTFail("expected cancellation")
            } catch let e as CSVError {
                XCTAssertEqual(e.problem, "cancelled")
                XCTAssertTrue(e.isCancellation)
            } catch {
                XCTFail("\(error)")
            }
        }
        XCTAssertNoThrow(try parseCSV(text, isCancelled: { false }))
    }

    func testAFileSeparatedBySemicolonsOrTabsIsNamedForWhatItIs() {
        check(csvError("a;b;c\n1;2;3\n"), line: 1, column: 1,
              problem: "the header is a single column that contains ';' — the file looks separated by ';', not commas",
              hintContains: "comma")
        check(csvError("a\tb\n1\t2\n"), line: 1, column: 1,
              problem: "the header is a single column that contains tabs — the file looks separated by tabs, not commas",
              hintContains: "comma")
        // One column with an ordinary name is a valid one-column file.
        XCTAssertEqual(try parseCSV("score\n1\n2\n").frame.columnNames, ["score"])
    }
}
