import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RappiML
import XCTest
@testable import RappiServe

/// Starts the server on a loopback port (HummingbirdTesting `.live`) and runs `body` against it.
func withServer<T: Sendable>(
    model: String = TestModels.forest.path,
    _ configure: (inout ModelServerConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
) async throws -> T {
    var configuration = ModelServerConfiguration(modelPath: model, modelName: "titanic_rf", modelVersion: 3)
    configure(&configuration)
    let app = try ModelServer.makeApplication(configuration)
    return try await app.test(.live, body)
}

extension TestClientProtocol {
    /// POSTs `text` as JSON (or with `contentType`).
    func post(_ uri: String, _ text: String, contentType: String? = "application/json",
              headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        if let contentType { fields[.contentType] = contentType }
        return try await execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(string: text))
    }

    func post(_ uri: String, json: Any, headers: HTTPFields = [:]) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await post(uri, String(decoding: data, as: UTF8.self), headers: headers)
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The error envelope's code (nil when the body is not an envelope).
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }

    var errorDetails: [[String: Any]] { ((json["error"] as? [String: Any])?["details"] as? [[String: Any]]) ?? [] }
}

/// Asserts an error response: status, code, and the full envelope shape.
func assertError(_ response: TestResponse, _ status: HTTPResponse.Status, _ code: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(response.status, status, response.text, file: file, line: line)
    XCTAssertEqual(response.headers[.contentType], "application/json", file: file, line: line)
    guard let error = response.json["error"] as? [String: Any] else {
        return XCTFail("no error envelope in \(response.text)", file: file, line: line)
    }
    XCTAssertEqual(error["code"] as? String, code, response.text, file: file, line: line)
    XCTAssertFalse((error["message"] as? String ?? "").isEmpty, file: file, line: line)
    XCTAssertNotNil(error["details"] as? [Any], file: file, line: line)
    XCTAssertNotNil(response.headers[HTTPField.Name("X-Request-Id")!], file: file, line: line)
}

/// What the model answers in-process for `records`: labels and probabilities.
func expectedPredictions(_ model: TrainedModel, _ records: [[String: Any]]) throws -> (labels: [String], probabilities: [[Double]]?) {
    let frame = try RecordFrame.make(records: records.map { $0.mapValues { Optional($0) } }, inputs: model.preprocessor.inputs)
    let p = try model.predict(frame)
    let probabilities = p.probabilities.map { _ in (0..<p.indices.count).map { Array(p.probabilities(row: $0)!) } }
    return (p.labels, probabilities)
}

/// Checks a prediction response against the in-process model.
func assertPredictions(_ response: TestResponse, equal model: TrainedModel, for records: [[String: Any]],
                       file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(response.status, .ok, response.text, file: file, line: line)
    let body = response.json
    let expected = try expectedPredictions(model, records)
    let predictions = body["predictions"] as? [Any] ?? []
    XCTAssertEqual(predictions.count, records.count, file: file, line: line)
    let got = predictions.map { value -> String in
        if let n = value as? NSNumber, !(value is String) { return String(n.intValue) }
        return value as? String ?? "?"
    }
    XCTAssertEqual(got, expected.labels, file: file, line: line)
    if let probabilities = expected.probabilities {
        let served = body["probabilities"] as? [[Double]] ?? []
        XCTAssertEqual(served.count, probabilities.count, file: file, line: line)
        for (a, b) in zip(served, probabilities) {
            XCTAssertEqual(a.count, b.count, file: file, line: line)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6, file: file, line: line) }
        }
    } else {
        XCTAssertNil(body["probabilities"], "no probabilities expected", file: file, line: line)
    }
    XCTAssertEqual(body["model"] as? String, "titanic_rf", file: file, line: line)
    XCTAssertEqual(body["version"] as? Int, 3, file: file, line: line)
}
