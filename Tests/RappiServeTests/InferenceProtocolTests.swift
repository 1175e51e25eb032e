import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RappiML
import XCTest
@testable import RappiServe

/// The Open Inference Protocol (KServe v2) routes of the model server: decoding, answers equal
/// to the model's own, errors as the protocol's `{"error": "…"}` naming the input.
final class InferenceProtocolTests: XCTestCase {
    static let inputs = TestModels.forest.model.preprocessor.inputs

    /// A v2 request for `records`: one `[n, 1]` tensor per input, nulls for missing values.
    static func request(_ records: [[String: Any]], flat: Bool = false) -> [String: Any] {
        ["id": "req-1", "inputs": inputs.map { input -> [String: Any] in
            let values: [Any] = records.map { $0[input.name] ?? NSNull() }
            return ["name": input.name, "datatype": input.type == .text ? "BYTES" : (input.type == .integer ? "INT64" : "FP64"),
                    "shape": flat ? [records.count] : [records.count, 1], "data": flat ? values : values.map { [$0] as Any }]
        }]
    }

    /// The request with the tensor of `name` changed by `edit`.
    static func request(_ records: [[String: Any]], editing name: String, _ edit: (inout [String: Any]) -> Void) -> [String: Any] {
        var body = request(records)
        var tensors = body["inputs"] as! [[String: Any]]
        let index = tensors.firstIndex { $0["name"] as? String == name }!
        edit(&tensors[index])
        body["inputs"] = tensors
        return body
    }

    /// Checks an infer answer against the in-process model: labels and probabilities.
    func assertOutputs(_ response: TestResponse, for records: [[String: Any]],
                       file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(response.status, .ok, response.text, file: file, line: line)
        let body = response.json
        XCTAssertEqual(body["model_name"] as? String, "titanic_rf", file: file, line: line)
        XCTAssertEqual(body["model_version"] as? String, "3", file: file, line: line)
        XCTAssertEqual(body["id"] as? String, "req-1", file: file, line: line)
        let outputs = body["outputs"] as? [[String: Any]] ?? []
        XCTAssertEqual(outputs.map { $0["name"] as? String ?? "" }, ["label", "probabilities"], file: file, line: line)
        let expected = try expectedPredictions(TestModels.forest.model, records)
        let label = outputs[0]
        XCTAssertEqual(label["datatype"] as? String, "INT64", file: file, line: line)
        XCTAssertEqual(label["shape"] as? [Int], [records.count, 1], file: file, line: line)
        XCTAssertEqual((label["data"] as? [Int])?.map(String.init), expected.labels, file: file, line: line)
        let probabilities = outputs[1]
        XCTAssertEqual(probabilities["datatype"] as? String, "FP64", file: file, line: line)
        XCTAssertEqual(probabilities["shape"] as? [Int], [records.count, 2], file: file, line: line)
        XCTAssertEqual((probabilities["parameters"] as? [String: Any])?["classes"] as? String, #"["0","1"]"#, file: file, line: line)
        let served = probabilities["data"] as? [Double] ?? []
        let flat = expected.probabilities!.flatMap { $0 }
        XCTAssertEqual(served.count, flat.count, file: file, line: line)
        for (a, b) in zip(served, flat) { XCTAssertEqual(a, b, accuracy: 1e-6, file: file, line: line) }
    }

    /// Asserts a 400 (or `status`) with the protocol's error body, whose message says `needle`.
    func assertProtocolError(_ response: TestResponse, _ status: HTTPResponse.Status = .badRequest, mentions needle: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.headers[.contentType], "application/json", file: file, line: line)
        guard let message = response.json["error"] as? String else {
            return XCTFail("no {\"error\": \"…\"} body in \(response.text)", file: file, line: line)
        }
        XCTAssertTrue(message.contains(needle), "'\(needle)' not in: \(message)", file: file, line: line)
    }

    func testSingleAndBatchInferenceEqualTheModelsOwnPredictions() async throws {
        let one = TestModels.passengers(0..<1), batch = TestModels.passengers(0..<200)
        try await withServer { client in
            try self.assertOutputs(try await client.post("/v2/models/titanic_rf/infer", json: Self.request(one)), for: one)
            try self.assertOutputs(try await client.post("/v2/models/titanic_rf/infer", json: Self.request(batch)), for: batch)
            // [n] shapes and flat data, the versions form, and no Content-Type (tritonclient sends none).
            try self.assertOutputs(try await client.post("/v2/models/titanic_rf/versions/3/infer", json: Self.request(batch, flat: true)),
                                   for: batch)
            let data = try JSONSerialization.data(withJSONObject: Self.request(one))
            try self.assertOutputs(try await client.post("/v2/models/titanic_rf/infer", String(decoding: data, as: UTF8.self), contentType: nil),
                                   for: one)
        }
    }

    func testTheSameRecordGetsTheSameAnswerOnScoreAndInfer() async throws {
        let records = TestModels.passengers(40..<90)
        try await withServer { client in
            let score = try await client.post("/score", json: ["data": records]).json
            let infer = try await client.post("/v2/models/titanic_rf/infer", json: Self.request(records)).json
            let outputs = infer["outputs"] as! [[String: Any]]
            XCTAssertEqual(outputs[0]["data"] as? [Int], score["predictions"] as? [Int])
            XCTAssertEqual(outputs[1]["data"] as? [Double], (score["probabilities"] as? [[Double]])?.flatMap { $0 })
        }
    }

    func testRequestedOutputsAloneAreAnswered() async throws {
        let records = TestModels.passengers(0..<3)
        try await withServer { client in
            var body = Self.request(records)
            body["outputs"] = [["name": "probabilities", "parameters": ["binary_data": false]]]
            let answer = try await client.post("/v2/models/titanic_rf/infer", json: body)
            XCTAssertEqual((answer.json["outputs"] as? [[String: Any]])?.map { $0["name"] as? String }, ["probabilities"], answer.text)
            body["outputs"] = [["name": "survival"]]
            self.assertProtocolError(try await client.post("/v2/models/titanic_rf/infer", json: body), mentions: "unknown output 'survival'")
        }
    }

    func testEachMalformedTensorIsA400NamingTheInput() async throws {
        let records = TestModels.passengers(0..<2)
        try await withServer { client in
            func infer(_ body: [String: Any]) async throws -> TestResponse { try await client.post("/v2/models/titanic_rf/infer", json: body) }
            // Wrong datatype for the column, and values that are not of the declared datatype.
            self.assertProtocolError(try await infer(Self.request(records, editing: "Age") { $0["datatype"] = "BYTES" }),
                                     mentions: "input 'Age' has datatype BYTES")
            self.assertProtocolError(try await infer(Self.request(records, editing: "Sex") { $0["datatype"] = "FP64" }),
                                     mentions: "input 'Sex' has datatype FP64")
            self.assertProtocolError(try await infer(Self.request(records, editing: "Fare") { $0["data"] = [["cheap"], [7.25]] }),
                                     mentions: "input 'Fare' row 0 is a string")
            self.assertProtocolError(try await infer(Self.request(records, editing: "Pclass") { $0["data"] = [[1.5], [3]] }),
                                     mentions: "input 'Pclass' row 0 is 1.5, not an integer")
            // Missing, unknown and repeated inputs.
            var missing = Self.request(records)
            missing["inputs"] = (missing["inputs"] as! [[String: Any]]).filter { $0["name"] as? String != "Cabin" }
            self.assertProtocolError(try await infer(missing), mentions: "missing input 'Cabin'")
            var unknown = Self.request(records)
            unknown["inputs"] = (unknown["inputs"] as! [[String: Any]]) + [["name": "Agee", "datatype": "FP64", "shape": [2, 1], "data": [1, 2]]]
            self.assertProtocolError(try await infer(unknown), mentions: "unknown input 'Agee'")
            var twice = Self.request(records)
            twice["inputs"] = (twice["inputs"] as! [[String: Any]]) + [(twice["inputs"] as! [[String: Any]])[0]]
            self.assertProtocolError(try await infer(twice), mentions: "is given twice")
            // Ragged: the shape and the data disagree, or two inputs have different row counts.
            self.assertProtocolError(try await infer(Self.request(records, editing: "Age") { $0["data"] = [[22.0]] }),
                                     mentions: "input 'Age' has shape [2, 1] but 1 values")
            self.assertProtocolError(try await infer(Self.request(records, editing: "Fare") { $0["shape"] = [1, 1]; $0["data"] = [7.25] }),
                                     mentions: "input 'Fare' has 1 rows but input")
            self.assertProtocolError(try await infer(Self.request(records, editing: "Age") { $0["shape"] = [1, 2] }),
                                     mentions: "input 'Age' has shape [1, 2]; expected [n, 1] or [n]")
            // A huge declared row count costs nothing before the data is counted (on the fast
            // reader and on the general path, which a value of the wrong kind sends it to).
            for data: [Any] in [[[22.0], [38.0]], [["old"], [38.0]]] {
                self.assertProtocolError(try await infer(Self.request(records, editing: "Age") { $0["shape"] = [999_999_999, 1]; $0["data"] = data }),
                                         mentions: "input 'Age' has shape [999999999, 1] but 2 values")
            }
            // Not a request at all.
            self.assertProtocolError(try await infer(["instances": []]), mentions: "the body has no \"inputs\"")
            self.assertProtocolError(try await client.post("/v2/models/titanic_rf/infer", "{not json"), mentions: "not valid JSON")
            // The binary data extension is refused with the way out.
            let binary = try await client.post("/v2/models/titanic_rf/infer", "{}", contentType: "application/octet-stream",
                                               headers: [HTTPField.Name("Inference-Header-Content-Length")!: "2"])
            self.assertProtocolError(binary, mentions: "binary_data=False")
        }
    }

    func testMetadataDescribesOneTensorPerColumnAndTheOutputs() async throws {
        try await withServer { client in
            let metadata = try await client.get("/v2/models/titanic_rf").json
            XCTAssertEqual(metadata["name"] as? String, "titanic_rf")
            XCTAssertEqual(metadata["versions"] as? [String], ["3"])
            let inputs = metadata["inputs"] as? [[String: Any]] ?? []
            XCTAssertEqual(inputs.map { $0["name"] as? String ?? "" }, Self.inputs.map(\.name))
            let byName = Dictionary(uniqueKeysWithValues: inputs.map { ($0["name"] as! String, $0) })
            XCTAssertEqual(byName["Sex"]?["datatype"] as? String, "BYTES")
            XCTAssertEqual(byName["Fare"]?["datatype"] as? String, "FP64")
            XCTAssertEqual(byName["Pclass"]?["datatype"] as? String, "INT64")
            XCTAssertEqual(byName["Age"]?["shape"] as? [Int], [-1, 1])
            let outputs = metadata["outputs"] as? [[String: Any]] ?? []
            XCTAssertEqual(outputs.map { $0["name"] as? String ?? "" }, ["label", "probabilities"])
            XCTAssertEqual(outputs[1]["shape"] as? [Int], [-1, 2])
            let versioned = try await client.get("/v2/models/titanic_rf/versions/3")
            XCTAssertEqual(versioned.json["name"] as? String, "titanic_rf")

            let server = try await client.get("/v2"), live = try await client.get("/v2/health/live")
            let ready = try await client.get("/v2/health/ready"), modelReady = try await client.get("/v2/models/titanic_rf/ready")
            XCTAssertEqual(server.json["name"] as? String, "rappi")
            XCTAssertEqual(live.text, #"{"live":true}"#)
            XCTAssertEqual(ready.text, #"{"ready":true}"#)
            XCTAssertEqual(modelReady.json["ready"] as? Bool, true)
            self.assertProtocolError(try await client.get("/v2/models/other"), .notFound, mentions: "no model 'other'")
            self.assertProtocolError(try await client.get("/v2/models/titanic_rf/versions/2/ready"), .notFound, mentions: "no version '2'")
            let wrongMethod = try await client.get("/v2/models/titanic_rf/infer")
            self.assertProtocolError(wrongMethod, .methodNotAllowed, mentions: "use POST")
            XCTAssertEqual(wrongMethod.headers[.allow], "POST")
        }
    }

    func testAModelWithoutProbabilitiesAndATextTargetHasOneBYTESLabelOutput() async throws {
        let records: [[String: Any]] = [["size": 1.1, "colour": "red"], ["size": 9.0, "colour": NSNull()], ["size": NSNull(), "colour": "blue"]]
        let body: [String: Any] = ["inputs": [
            ["name": "size", "datatype": "FP64", "shape": [3, 1], "data": records.map { $0["size"]! }],
            ["name": "colour", "datatype": "BYTES", "shape": [3], "data": ["red", NSNull(), "blue"]],
        ]]
        try await withServer(model: TestModels.svc.path) { client in
            let metadata = try await client.get("/v2/models/titanic_rf").json
            let described = metadata["outputs"] as? [[String: Any]] ?? []
            XCTAssertEqual(described.map { $0["name"] as? String }, ["label"])
            XCTAssertEqual(described.first?["datatype"] as? String, "BYTES")
            let answer = try await client.post("/v2/models/titanic_rf/infer", json: body)
            let outputs = answer.json["outputs"] as? [[String: Any]] ?? []
            XCTAssertEqual(outputs.map { $0["name"] as? String }, ["label"], answer.text)
            XCTAssertEqual(outputs.first?["datatype"] as? String, "BYTES")
            let expected = try expectedPredictions(TestModels.svc.model, records)
            XCTAssertEqual(outputs.first?["data"] as? [String], expected.labels)
            XCTAssertNil(expected.probabilities)
        }
    }

    func testInferTakesTheKeyAndHealthAndMetadataStayOpen() async throws {
        let records = TestModels.passengers(0..<1)
        try await withServer({ $0.apiKeys = ["the-key"] }) { client in
            let refused = try await client.post("/v2/models/titanic_rf/infer", json: Self.request(records))
            self.assertProtocolError(refused, .unauthorized, mentions: "missing API key")
            XCTAssertNotNil(refused.headers[.wwwAuthenticate])
            try self.assertOutputs(try await client.post("/v2/models/titanic_rf/infer", json: Self.request(records),
                                                         headers: [.authorization: "Bearer the-key"]), for: records)
            for path in ["/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/titanic_rf", "/v2/models/titanic_rf/ready"] {
                let r = try await client.get(path)
                XCTAssertEqual(r.status, .ok, path)
            }
        }
    }

    func testOpenAPIDescribesTheV2Routes() async throws {
        try await withServer { client in
            let document = try await client.get("/openapi.json").json
            let paths = document["paths"] as? [String: Any] ?? [:]
            for path in ["/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/titanic_rf", "/v2/models/titanic_rf/ready",
                         "/v2/models/titanic_rf/infer", "/v2/models/titanic_rf/versions/3/infer", "/score"] {
                XCTAssertNotNil(paths[path], "no \(path) in \(paths.keys.sorted())")
            }
            let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
            XCTAssertNotNil(schemas["InferenceRequest"])
            XCTAssertNotNil(schemas["Record"], "the v2 schemas are added, not swapped in")
        }
    }

    func testPathsParseIntoTheirRoutes() {
        XCTAssertEqual(InferencePath(path: "/v2"), .server)
        XCTAssertEqual(InferencePath(path: "/v2/health/ready/"), .ready)
        XCTAssertEqual(InferencePath(path: "/v2/models/a%20b/versions/7/infer?x=1"), .infer(name: "a b", version: "7"))
        XCTAssertEqual(InferencePath(path: "/v2/models/m/ready"), .modelReady(name: "m", version: nil))
        XCTAssertEqual(InferencePath(path: "/v2/models/m/versions/2"), .model(name: "m", version: "2"))
        XCTAssertNil(InferencePath(path: "/v2/models/"))
        XCTAssertNil(InferencePath(path: "/v2/models/m/explain"))
        XCTAssertNil(InferencePath(path: "/v2/models/m/versions//infer"))
        XCTAssertEqual(Route(path: "/v2/models/m/infer"), .v2Infer)
        XCTAssertEqual(Route(path: "/v2/nothing"), .unknown)
        XCTAssertEqual(Route(path: "/score"), .score)
    }
}
