import Foundation
import Hummingbird
import HummingbirdTesting
import RappiML
import XCTest
@testable import RappiServe

final class PredictionTests: XCTestCase {
    func testScoreSingleRecordMatchesInProcessModel() async throws {
        let model = TestModels.forest.model
        let records = TestModels.passengers(0..<1)
        try await withServer { client in
            let response = try await client.post("/score", json: ["data": records])
            try assertPredictions(response, equal: model, for: records)
            // A numeric target is answered with JSON numbers.
            XCTAssertTrue(response.text.hasPrefix(#"{"predictions":[0"#) || response.text.hasPrefix(#"{"predictions":[1"#), response.text)
            // The answer names the order of each probabilities list.
            XCTAssertEqual(response.json["classes"] as? [Int], [0, 1], response.text)
            // A single object under "data" is one record.
            let single = try await client.post("/score", json: ["data": records[0]])
            try assertPredictions(single, equal: model, for: records)
        }
    }

    func testScoreBatchMatchesInProcessModel() async throws {
        let model = TestModels.forest.model
        let records = TestModels.passengers(0..<300)
        try await withServer { client in
            try assertPredictions(try await client.post("/score", json: ["data": records]), equal: model, for: records)
        }
    }

    func testInvocationsAllThreeFormats() async throws {
        let model = TestModels.forest.model
        let records = TestModels.passengers(10..<40)
        let columns = model.preprocessor.inputs.map(\.name)
        let rows: [[Any]] = records.map { r in columns.map { r[$0] ?? NSNull() } }
        try await withServer { client in
            try assertPredictions(try await client.post("/invocations", json: ["dataframe_records": records]), equal: model, for: records)
            try assertPredictions(try await client.post("/invocations", json: ["dataframe_split": ["columns": columns, "data": rows]]),
                                  equal: model, for: records)
            // dataframe_split in another column order.
            let reversed = Array(columns.reversed())
            let reversedRows: [[Any]] = records.map { r in reversed.map { r[$0] ?? NSNull() } }
            try assertPredictions(try await client.post("/invocations", json: ["dataframe_split": ["columns": reversed, "data": reversedRows]]),
                                  equal: model, for: records)
            try assertPredictions(try await client.post("/invocations", json: ["instances": records]), equal: model, for: records)
            try assertPredictions(try await client.post("/invocations", json: ["instances": rows]), equal: model, for: records)

            let wrongWidth = try await client.post("/invocations", json: ["instances": [[1, 2]]])
            assertError(wrongWidth, .unprocessableContent, "invalid_input")
            let none = try await client.post("/invocations", json: ["data": records])
            assertError(none, .unprocessableContent, "invalid_input")
            XCTAssertTrue(none.text.contains("dataframe_records"), none.text)
        }
    }

    func testDataframeSplitWithoutColumnsOrWithAColumnTwiceIsRefusedSayingWhy() async throws {
        try await withServer { client in
            let empty = try await client.post("/invocations", json: ["dataframe_split": ["columns": [String](), "data": [[Any]()]]])
            assertError(empty, .unprocessableContent, "invalid_input")
            XCTAssertTrue(empty.text.contains(#"\"dataframe_split\".\"columns\" is an empty list"#), empty.text)
            let twice = try await client.post("/invocations", json: ["dataframe_split": ["columns": ["Age", "Age"], "data": [[22, 23]]]])
            assertError(twice, .unprocessableContent, "invalid_input")
            XCTAssertTrue(twice.text.contains("column 'Age' is given twice"), twice.text)
        }
    }

    func testAFractionInAnIntegerFieldIsRefusedAndAnEmptyTextFieldIsImputed() async throws {
        try await withServer { client in
            let fraction = try await client.post("/score", json: ["data": [["Pclass": 3, "Sex": "male", "SibSp": 2.589e-42]]])
            assertError(fraction, .unprocessableContent, "invalid_input")
            XCTAssertTrue(fraction.text.contains("field 'SibSp': expected an integer, got 2.589e-42"), fraction.text)
            let whole = try await client.post("/score", json: ["data": [["Pclass": 3, "Sex": "male", "SibSp": 1.0]]])
            XCTAssertEqual(whole.status, .ok, whole.text)
            let empty = try await client.post("/score", json: ["data": [["Pclass": 3, "Sex": "", "Name": ""]]])
            XCTAssertEqual(empty.status, .ok, empty.text)
        }
    }

    func testModelWithoutProbabilitiesAndTextTarget() async throws {
        let model = TestModels.svc.model
        let records: [[String: Any]] = [["size": 1.1, "colour": "red"], ["size": 9.0, "colour": "blue"], ["size": "5", "colour": "blue"]]
        try await withServer(model: TestModels.svc.path) { client in
            let response = try await client.post("/score", json: ["data": records])
            try assertPredictions(response, equal: model, for: records)
            XCTAssertNil(response.json["probabilities"])
            XCTAssertNil(response.json["classes"])
            XCTAssertEqual((response.json["predictions"] as? [String])?.first, "small")
        }
    }

    func testFieldLevelErrors() async throws {
        try await withServer { client in
            var record = TestModels.passengers(0..<1)[0]
            record["Age"] = "abc"
            record.removeValue(forKey: "Sex")
            let response = try await client.post("/score", json: ["data": [TestModels.passengers(1..<2)[0], record]])
            assertError(response, .unprocessableContent, "invalid_input")
            let details = response.errorDetails
            XCTAssertTrue(details.contains { $0["row"] as? Int == 1 && $0["field"] as? String == "Age"
                && $0["problem"] as? String == #"expected a number, got "abc""# }, "\(details)")
            // Only the wrong type is a problem: the absent Sex would be imputed.
            XCTAssertEqual(details.count, 1, "\(details)")

            let huge = try await client.post("/score", #"{"data": [{"Pclass": 3, "Name": "A, Mr. B", "Sex": "male", "Age": 1e400, "SibSp": 0, "Parch": 0, "Fare": 7.25, "Embarked": "S"}]}"#)
            assertError(huge, .unprocessableContent, "invalid_input")
            XCTAssertEqual(huge.errorDetails.first?["field"] as? String, "Age")
        }
    }

    func testShapeErrorsSayTheExpectedShape() async throws {
        try await withServer { client in
            for body in [#"{"records": []}"#, #"{"data": []}"#, #"{"data": 5}"#, #"{"data": [1, 2]}"#, #"[{"Age": 3}]"#, #"{"data": null}"#] {
                let response = try await client.post("/score", body)
                assertError(response, .unprocessableContent, "invalid_input")
                XCTAssertTrue(response.text.contains("data"), response.text)
            }
        }
    }
}
