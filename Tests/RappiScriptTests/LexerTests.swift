import Foundation
import XCTest
import RappiML
@testable import RappiScript

final class LexerTests: XCTestCase {
    private func kinds(_ source: String) throws -> [TokenKind] {
        try Lexer.tokenize(source).map(\.kind)
    }

    func testWordsStringsOptionsAndSeparators() throws {
        XCTAssertEqual(try kinds("train rf trees=200; echo \"a; b\" # comment\nhead"), [
            .word("train"), .word("rf"), .word("trees"), .equals, .word("200"), .separator,
            .word("echo"), .string("a; b"), .separator, .word("head"),
        ])
    }

    func testVariablesAndPaths() throws {
        XCTAssertEqual(try kinds("load dataset titanic $version from ../data/x.csv"), [
            .word("load"), .word("dataset"), .word("titanic"), .variable("version"), .word("from"), .word("../data/x.csv"),
        ])
    }

    func testSingleQuotedStringsAreLiteralAndAnEscapedDollarIsKept() throws {
        // A `$` that must stay literal is kept doubled for the interpolation step.
        XCTAssertEqual(try kinds(#"echo 'cost $5; $x' "\$x" don't"#), [
            .word("echo"), .string("cost $$5; $$x"), .string("$$x"), .word("don't"),
        ])
        XCTAssertThrowsError(try kinds("echo 'open")) { error in
            XCTAssertTrue("\(error)".contains("unterminated string — close it with '"), "\(error)")
        }
    }

    func testComparisonOperatorsAreWords() throws {
        XCTAssertEqual(try kinds("assert rows >= 891"), [.word("assert"), .word("rows"), .word(">="), .word("891")])
        XCTAssertEqual(try kinds("assert rows == 1"), [.word("assert"), .word("rows"), .word("=="), .word("1")])
        XCTAssertEqual(try kinds("assert rows != 1")[2], .word("!="))
        XCTAssertEqual(try kinds("assert rows < 1")[2], .word("<"))
    }

    func testBlocksSpanLinesAndKeepBracesInStrings() throws {
        let tokens = try Lexer.tokenize("predict {\n  \"Name\": \"a } b\",\n  \"x\": {\"y\": 1}\n}; echo done")
        XCTAssertEqual(tokens[1].kind, .block("\n  \"Name\": \"a } b\",\n  \"x\": {\"y\": 1}\n"))
        XCTAssertEqual(tokens[2].kind, .separator)
        XCTAssertEqual(tokens[3].position, SourcePosition(line: 4, column: 4))
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try kinds(#"echo "say \"hi\"\tnow""#)[1], .string("say \"hi\"\tnow"))
    }

    func testPositionsCountCharactersNotBytes() throws {
        let tokens = try Lexer.tokenize("echo \"é\" x")
        XCTAssertEqual(tokens[2].position, SourcePosition(line: 1, column: 10))
    }

    func testUnterminatedStringNamesWhereItOpened() {
        XCTAssertThrowsError(try Lexer.tokenize("echo ok\necho \"oops")) { error in
            guard case Lexer.Failure.error(let e) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(e.position, SourcePosition(line: 2, column: 6))
            XCTAssertTrue(e.message.contains("unterminated string"))
        }
    }

    func testOpenBlockIsIncompleteSoTheREPLCanAskForMore() {
        XCTAssertThrowsError(try Lexer.tokenize("pipeline p {\n load dataset x")) { error in
            guard case Lexer.Failure.incompleteBlock(let e) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(e.position, SourcePosition(line: 1, column: 12))
        }
    }

    func testStrayClosingBrace() {
        XCTAssertThrowsError(try Lexer.tokenize("echo }")) { error in
            guard case Lexer.Failure.error(let e) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(e.position.column, 6)
        }
    }

    func testDollarWithoutName() {
        XCTAssertThrowsError(try Lexer.tokenize("echo $ x"))
    }

    func testAMillionSeparatorsOnOneLineLexInLinearTime() throws {
        var tokens: [Token] = []
        let growth = try timeGrowth(small: { _ = try Lexer.tokenize(String(repeating: ";", count: 250_000) + "echo é x") },
                                    large: { tokens = try Lexer.tokenize(String(repeating: ";", count: 1_000_000) + "echo é x") })
        XCTAssertEqual(tokens.count, 1_000_003)
        XCTAssertEqual(tokens.last?.position, SourcePosition(line: 1, column: 1_000_008))
        XCTAssertLessThan(growth, 10, "4× the input took \(growth)× the time: lexing one long line must not be quadratic (16×)")
    }

    func testFortyThousandStatementsOnOneLineParseInLinearTimeWithTheirColumns() throws {
        var statements: [ParsedStatement] = []
        let growth = try timeGrowth(small: { _ = try Parser().parse(String(repeating: "echo a; ", count: 10_000)) },
                                    large: { statements = try Parser().parse(String(repeating: "echo a; ", count: 40_000)) })
        XCTAssertEqual(statements.count, 40_000)
        XCTAssertEqual(statements.last?.position, SourcePosition(line: 1, column: 39_999 * 8 + 1))
        // Quadratic columns took 20 s for 40,000 statements in a release build.
        XCTAssertLessThan(growth, 10, "4× the statements took \(growth)× the time: parsing must not be quadratic (16×)")
    }

    /// How many times longer `large` (4× the input) takes than `small`: about 4 when linear, 16
    /// when quadratic — a ratio, so a busy machine slows both and the verdict holds.
    private func timeGrowth(small: () throws -> Void, large: () throws -> Void) rethrows -> Double {
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let started = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
        let smallSeconds = try min(seconds(small), seconds(small))
        return try seconds(large) / Swift.max(smallSeconds, 1e-6)
    }
}

final class JSONTextTests: XCTestCase {
    func testFlatFieldsKeepValuesAsWritten() {
        let json = JSONText.object([("a", "0.30000000000000004"), ("b", JSONText.quote("x, \"y\"")), ("c", "true"), ("d", "12")])
        let fields = JSONText.flatFields(json)
        XCTAssertEqual(fields.map(\.key), ["a", "b", "c", "d"])
        XCTAssertEqual(fields.map(\.value), ["0.30000000000000004", #""x, \"y\"""#, "true", "12"])
        XCTAssertTrue(JSONText.flatFields("{}").isEmpty)
    }
}
