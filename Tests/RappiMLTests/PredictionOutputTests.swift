import Foundation
import XCTest
@testable import RappiML

/// The pieces every prediction path shares: number text, the coercion of CSV columns, and the
/// CSV file `predict … into` writes.
final class PredictionOutputTests: XCTestCase {
    typealias F = PreprocessFixtures

    func testProbabilitiesAreWrittenWithSixDecimalsInTheirShortestForm() {
        let cases: [(Double, String)] = [
            (0.8266666666666667, "0.826667"), (1, "1"), (0, "0"), (0.5, "0.5"), (0.000001, "0.000001"),
            (0.0000004, "0"), (-0.0000004, "0"), (-2.25, "-2.25"), (0.1 + 0.2, "0.3"), (123.4567891, "123.456789"),
            (0.0999996, "0.1"), (.nan, "null"), (.infinity, "null"),
        ]
        for (value, text) in cases { XCTAssertEqual(DecimalText.string(value, decimals: 6), text, "\(value)") }
        XCTAssertEqual(DecimalText.string(7.5, decimals: 0), "8")
        // What is written reads back as the value rounded to six decimals.
        for value in stride(from: 0.0, through: 1.0, by: 0.0123457) {
            XCTAssertEqual(Double(DecimalText.string(value, decimals: 6)), (value * 1e6).rounded() / 1e6, "\(value)")
        }
    }

    func testNumbersForATextInputTakeOneCanonicalTextInACSVColumnAsInJSON() throws {
        let inputs = [InputColumn(name: "code", type: .text, completeInTraining: false)]
        let fromCSV = try InputCoercion.select(DataFrame(columns: [F.num("code", [7.0, 2.5, nil], type: .real)]), inputs: inputs, rows: nil)
        let fromJSON = try RecordFrame.make(records: [["code": 7], ["code": 2.5], ["code": nil]], inputs: inputs)
        XCTAssertEqual((0..<3).map { fromCSV.column(named: "code")!.string($0) }, ["7", "2.5", nil])
        XCTAssertEqual((0..<3).map { fromJSON.column(named: "code")!.string($0) }, ["7", "2.5", nil])
    }

    func testTheCSVHasTheRecordsThenThePredictionAndProbabilitiesWhateverTheChunking() {
        let rows = 5_000
        let frame = DataFrame(columns: [
            F.text("Name", (0..<rows).map { $0 % 3 == 0 ? "Doe, \"Jim\"" : $0 % 3 == 1 ? "plain" : nil }),
            F.num("n", (0..<rows).map { $0 % 7 == 0 ? nil : Double($0 - 100) }, type: .integer),
            F.num("x", (0..<rows).map { $0 % 5 == 0 ? nil : Double($0) / 8 }),
        ])
        let indices = (0..<rows).map { $0 % 2 }
        let probabilities = (0..<rows).flatMap { r -> [Double] in let p = Double(r % 100) / 300; return [1 - p, p] }
        let bytes = PredictionCSV.bytes(records: frame, classIndices: indices, classes: ["no", "yes, really"], probabilities: probabilities)

        // The same file written one row at a time with the RFC 4180 writer.
        var expected = CSVWriter(header: ["Name", "n", "x", "prediction", "probability_no", "probability_yes, really"])
        for r in 0..<rows {
            expected.append(frame.columns.map { $0.string(r) } + [["no", "yes, really"][indices[r]]]
                            + [probabilities[2 * r], probabilities[2 * r + 1]].map { DecimalText.string($0, decimals: 6) })
        }
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), expected.text)

        // Without probabilities: the prediction is the last column.
        let plain = String(decoding: PredictionCSV.bytes(records: frame, classIndices: indices, classes: ["no", "yes"], probabilities: nil), as: UTF8.self)
        XCTAssertTrue(plain.hasPrefix("Name,n,x,prediction\n\"Doe, \"\"Jim\"\"\",,,no\nplain,-99,0.125,yes\n"), String(plain.prefix(80)))
    }
}
