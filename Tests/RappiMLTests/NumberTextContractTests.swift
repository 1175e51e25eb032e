import Foundation
import XCTest
@testable import RappiML

/// The model servers' OpenAPI documents give `NumberText.decimalPattern` / `integerPattern` for
/// numbers sent as text; the server must accept exactly what they match (schemathesis checks
/// both directions from outside, these from inside).
final class NumberTextContractTests: XCTestCase {
    private let spellings = [
        "", "0", "22", " 38 ", "\t-7\t", "+5", "2.5", "2.", ".5", "-.5e-3", "1e5", "1E+99", "1e100", "1e999",
        String(repeating: "9", count: 200), String(repeating: "9", count: 201), "0x1p3", "nan", "inf", "Infinity",
        "1_000", "1,5", "٣", "e5", ".", "+", "-e1", "1e", "1e+", "4 2", " ", "2.0",
    ]

    private func matches(_ pattern: String, _ text: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    func testTheDocumentedDecimalPatternMatchesExactlyTheTextsTheServerReadsAsNumbers() {
        for text in spellings {
            let read = text.isEmpty || NumberText.parse(text) != nil  // "" is a missing value
            XCTAssertEqual(matches(NumberText.decimalPattern, text), read, "'\(text)'")
        }
    }

    func testTheDocumentedIntegerPatternMatchesExactlyTheTextsTheServerReadsAsIntegers() {
        for text in spellings {
            let read = text.isEmpty || NumberText.parseInteger(text) != nil
            XCTAssertEqual(matches(NumberText.integerPattern, text), read, "'\(text)'")
        }
    }

    func testAnIntegerFieldRefusesAFractionAndTakesAWholeNumberHoweverSpelt() throws {
        let schema: [(name: String, type: ColumnType)] = [("SibSp", .integer)]
        let frame = try RecordFrame.make(records: [["SibSp": 2.0], ["SibSp": " 3 "], ["SibSp": ""]], schema: schema)
        XCTAssertEqual(frame.column(named: "SibSp")!.type, .integer)
        XCTAssertEqual(Array(frame.column(named: "SibSp")!.numericValues.prefix(2)), [2, 3])
        do {
            _ = try RecordFrame.make(records: [["SibSp": 2.589e-42], ["SibSp": "1.5"]], schema: schema)
            XCTFail("a fraction in an integer field was accepted")
        } catch let e as RecordErrors {
            XCTAssertEqual(e.errors, [
                RecordError(row: 0, field: "SibSp", problem: "expected an integer, got 2.589e-42"),
                RecordError(row: 1, field: "SibSp", problem: "expected an integer, got \"1.5\""),
            ])
        }
    }
}
