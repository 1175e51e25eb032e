import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// The Open Inference Protocol through the built binary: a deployed endpoint's
/// `/v2/models/NAME/infer` decodes column tensors into the records `/score` takes and answers
/// the same predictions, over real HTTP on loopback.
final class InferenceProtocolEndToEndTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-v2")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
        let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path
        let trained = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train rf trees=20; register; deploy titanic_rf local as v2e2e
            """])
        XCTAssertEqual(trained.status, 0, trained.stderr + trained.stdout)
    }

    override func tearDownWithError() throws {
        rappi.stopServices()
        try? FileManager.default.removeItem(at: root)
    }

    func testColumnTensorsGetTheAnswersScoreGivesTheSameRecords() throws {
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("v2e2e")
        let key = try String(contentsOf: rappi.workspace.appendingPathComponent("endpoints/v2e2e/keys/keys"), encoding: .utf8)
            .split(separator: "\n")[0]
        let headers = ["Authorization": "Bearer \(key)"]
        // Two passengers; the second lacks Age and Cabin (null: imputed on both routes). /score
        // ignores Ticket, which the model does not use; the protocol takes exactly the inputs the
        // metadata lists, like Triton.
        let score = #"{"data": [{"Pclass": 1, "Name": "Cumings, Mrs. John Bradley", "Sex": "female", "Age": 38, "SibSp": 1, "Parch": 0, "Ticket": "PC 17599", "Fare": 71.2833, "Cabin": "C85", "Embarked": "C"}, {"Pclass": 3, "Name": "Moran, Mr. James", "Sex": "male", "Age": null, "SibSp": 0, "Parch": 0, "Ticket": "330877", "Fare": 8.4583, "Cabin": null, "Embarked": "Q"}]}"#
        let infer = """
            {"id": "e2e", "inputs": [
              {"name": "Pclass", "datatype": "INT64", "shape": [2, 1], "data": [[1], [3]]},
              {"name": "Name", "datatype": "BYTES", "shape": [2, 1], "data": ["Cumings, Mrs. John Bradley", "Moran, Mr. James"]},
              {"name": "Sex", "datatype": "BYTES", "shape": [2, 1], "data": ["female", "male"]},
              {"name": "Age", "datatype": "FP64", "shape": [2, 1], "data": [38, null]},
              {"name": "SibSp", "datatype": "INT64", "shape": [2], "data": [1, 0]},
              {"name": "Parch", "datatype": "INT32", "shape": [2, 1], "data": [0, 0]},
              {"name": "Fare", "datatype": "FP32", "shape": [2, 1], "data": [71.2833, 8.4583]},
              {"name": "Cabin", "datatype": "BYTES", "shape": [2, 1], "data": ["C85", null]},
              {"name": "Embarked", "datatype": "BYTES", "shape": [2, 1], "data": ["C", "Q"]}]}
            """
        let client = HTTPClient()
        let scored = try client.post(endpoint.url + "/score", json: score, headers: headers)
        XCTAssertEqual(scored.status, 200, scored.text)
        let inferred = try client.send("POST", endpoint.url + "/v2/models/titanic_rf/versions/1/infer", headers: headers,
                                       body: Array(infer.utf8), timeout: 30)  // libcurl's default form type, as `curl -d` sends
        XCTAssertEqual(inferred.status, 200, inferred.text)
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(scored.body)) as? [String: Any])
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inferred.body)) as? [String: Any])
        XCTAssertEqual(answer["id"] as? String, "e2e")
        XCTAssertEqual(answer["model_version"] as? String, "1")
        let outputs = try XCTUnwrap(answer["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs[0]["data"] as? [Int], expected["predictions"] as? [Int])
        XCTAssertEqual(outputs[1]["data"] as? [Double], (expected["probabilities"] as? [[Double]])?.flatMap { $0 })

        // A wrong datatype is the protocol's 400, naming the input; the key is checked first.
        let wrong = infer.replacingOccurrences(of: #""name": "Sex", "datatype": "BYTES""#, with: #""name": "Sex", "datatype": "BOOL""#)
        let refused = try client.post(endpoint.url + "/v2/models/titanic_rf/infer", json: wrong, headers: headers)
        XCTAssertEqual(refused.status, 400, refused.text)
        XCTAssertTrue(refused.text.hasPrefix(#"{"error":"input 'Sex' has datatype BOOL"#), refused.text)
        XCTAssertEqual(try client.post(endpoint.url + "/v2/models/titanic_rf/infer", json: infer).status, 401)
    }
}
