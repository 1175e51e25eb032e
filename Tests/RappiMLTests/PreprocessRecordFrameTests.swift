import Foundation
import XCTest
@testable import RappiML

final class PreprocessRecordFrameTests: XCTestCase {
    typealias F = PreprocessFixtures

    let schema: [(name: String, type: ColumnType)] = [("Pclass", .integer), ("Sex", .text), ("Age", .real)]

    func recordErrors(_ body: () throws -> Void) -> [RecordError] {
        do {
            try body()
            XCTFail("expected RecordErrors")
        } catch let e as RecordErrors {
            return e.errors
        } catch {
            XCTFail("unexpected \(error)")
        }
        return []
    }

    func testConvertsValuesOfEveryKind() throws {
        let records: [[String: Any?]] = [
            ["Pclass": 3, "Sex": "male", "Age": 22.5],
            ["Pclass": "1", "Sex": "female", "Age": " 38 "],
            ["Pclass": Int64(2), "Sex": nil, "Age": NSNull()],
            ["Pclass": 2.0, "Age": "", "Extra": "ignored"],
            ["Pclass": Float(1), "Sex": 7, "Age": Optional<Double>.none as Any],
        ]
        let frame = try RecordFrame.make(records: records, schema: schema)
        XCTAssertEqual(frame.columnNames, ["Pclass", "Sex", "Age"])
        XCTAssertEqual(frame.columns.map(\.type), [.integer, .text, .real])
        XCTAssertEqual(frame.column(named: "Pclass")!.numericValues, [3, 1, 2, 2, 1])
        XCTAssertEqual((0..<5).map { frame.column(named: "Sex")!.string($0) }, ["male", "female", nil, nil, "7"])
        let age = frame.column(named: "Age")!.numericValues
        XCTAssertEqual(age[0], 22.5)
        XCTAssertEqual(age[1], 38)
        XCTAssertTrue(age[2].isNaN && age[3].isNaN && age[4].isNaN)
    }

    func testJSONSerializationValues() throws {
        let json = #"[{"Pclass": 1, "Sex": "female", "Age": 2.5}, {"Pclass": true, "Sex": false, "Age": null}]"#
        let records = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]).map { $0.mapValues { Optional($0) } }
        XCTAssertEqual(recordErrors { _ = try RecordFrame.make(records: records, schema: schema) },
                       [RecordError(row: 1, field: "Pclass", problem: "expected an integer, got true")])
        let ok = try RecordFrame.make(records: [records[0]], schema: schema)
        XCTAssertEqual(ok.column(named: "Pclass")!.numericValues, [1])
        XCTAssertEqual(ok.column(named: "Age")!.numericValues, [2.5])
        let text = try RecordFrame.make(records: [["Sex": records[1]["Sex"]!]], schema: [("Sex", .text)])
        XCTAssertEqual(text.column(named: "Sex")!.string(0), "false")
    }

    func testCollectsEveryProblemInRowOrder() throws {
        let records: [[String: Any?]] = [
            ["Pclass": 3, "Sex": "male", "Age": "abc"],
            ["Pclass": 1, "Sex": "female", "Age": 30],
            ["Pclass": [1, 2], "Sex": ["a": 1], "Age": "4 2"],
        ]
        let errors = recordErrors { _ = try RecordFrame.make(records: records, schema: schema) }
        XCTAssertEqual(errors, [
            RecordError(row: 0, field: "Age", problem: "expected a number, got \"abc\""),
            RecordError(row: 2, field: "Pclass", problem: "expected an integer, got an array"),
            RecordError(row: 2, field: "Sex", problem: "expected a string, got an object"),
            RecordError(row: 2, field: "Age", problem: "expected a number, got \"4 2\""),
        ])
        XCTAssertEqual(errors[0].description, "row 0, field 'Age': expected a number, got \"abc\"")
    }

    func testMissingFieldsAreMissingValuesAndMisspellingsAndEmptyRecordsAreErrors() throws {
        let inputs = [InputColumn(name: "Sex", type: .text, completeInTraining: true),
                      InputColumn(name: "Age", type: .real, completeInTraining: false),
                      InputColumn(name: "Fare", type: .real, completeInTraining: true)]
        let errors = recordErrors {
            _ = try RecordFrame.make(records: [["Sex": "male", "Agee": 3, "Fare": 7], ["Fare": nil, "Sex": ""], ["Comment": "x"]], inputs: inputs)
        }
        XCTAssertEqual(errors, [
            RecordError(row: 0, field: "Agee", problem: "unknown field — did you mean 'Age'?"),
            RecordError(row: 2, field: "", problem: "the record has none of the model's fields (Sex, Age, Fare) — send at least one; the others are imputed"),
        ])
        // Null, empty and absent are all missing values, whether or not training had any.
        let frame = try RecordFrame.make(records: [["Sex": "male", "Fare": 7], ["Fare": nil, "Sex": ""]], inputs: inputs)
        XCTAssertTrue(frame.column(named: "Age")!.numericValues[0].isNaN)
        XCTAssertTrue(frame.column(named: "Fare")!.numericValues[1].isNaN)
        XCTAssertNil(frame.column(named: "Sex")!.string(1))
    }

    func testNumbersForTextFieldsUseOneCanonicalText() throws {
        let inputs = [InputColumn(name: "Code", type: .text, completeInTraining: true)]
        let frame = try RecordFrame.make(records: [["Code": 7], ["Code": 7.0], ["Code": "7"], ["Code": 2.5]], inputs: inputs)
        XCTAssertEqual((0..<4).map { frame.column(named: "Code")!.string($0) }, ["7", "7", "7", "2.5"])
    }

    func testErrorCountIsCapped() {
        let records: [[String: Any?]] = (0..<150).map { _ in ["Age": "x"] }
        do {
            _ = try RecordFrame.make(records: records, schema: schema)
            XCTFail("expected an error")
        } catch let e as RecordErrors {
            XCTAssertEqual(e.errors.count, RecordErrors.limit)
            XCTAssertTrue(e.truncated)
            XCTAssertTrue(e.description.hasPrefix("invalid input (100+ problems): row 0, field 'Age': expected a number, got \"x\"; "))
        } catch {
            XCTFail("unexpected \(error)")
        }
    }

    /// Records built from a model's inputs give the same features as the CSV rows they came from.
    func testRecordsMatchCSVRowsThroughThePreprocessor() throws {
        let frame = try CSVReader.read(path: PreprocessTitanicTests.path).frame
        let p = try Preprocessor.fit(frame, rows: Array(0..<891), target: "Survived", recipe: .titanic, standardize: true)
        let rows = [0, 1, 5, 61, 829]   // row 5: no Age; rows 61 and 829: no Embarked
        let records: [[String: Any?]] = rows.map { r in
            var record: [String: Any?] = [:]
            for input in p.inputs {
                let c = frame.column(named: input.name)!
                record[input.name] = input.type.isNumeric ? c.double(r).map { $0 as Any } : c.string(r).map { $0 as Any }
            }
            return record
        }
        let served = try RecordFrame.make(records: records, inputs: p.inputs)
        XCTAssertEqual(try p.transform(served), try p.transform(frame, rows: rows))
    }
}
