import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RappiML
import XCTest
@testable import RappiServe
import RappiWorkspace

final class OperationsTests: XCTestCase {
    func testHealth() async throws {
        try await withServer { client in
            let live = try await client.get("/health/live")
            XCTAssertEqual(live.status, .ok)
            XCTAssertEqual(live.json["status"] as? String, "live")
            let ready = try await client.get("/health/ready")
            XCTAssertEqual(ready.status, .ok)
            XCTAssertEqual(ready.json["status"] as? String, "ready")
            XCTAssertEqual(ready.json["model"] as? String, "titanic_rf")
            XCTAssertEqual(ready.json["version"] as? Int, 3)
        }
    }

    func testReadinessNamesTheModelFilesHashAndEchoesTheNonceItWasStartedWith() async throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestModels.forest.path))
        let hash = bytes.withUnsafeBytes { ArtifactStore.hash($0) }
        try await withServer({ $0.readinessNonce = "n0nce-42" }) { client in
            let ready = try await client.get("/health/ready")
            XCTAssertEqual(ready.json["model_sha256"] as? String, hash)
            XCTAssertEqual(ready.json["nonce"] as? String, "n0nce-42")
        }
        try await withServer { client in
            let ready = try await client.get("/health/ready")
            XCTAssertEqual(ready.json["model_sha256"] as? String, hash)
            XCTAssertNil(ready.json["nonce"], "no nonce was given, none is echoed")
        }
    }

    func testRequestIDEchoedOrGenerated() async throws {
        let header = HTTPField.Name("X-Request-Id")!
        try await withServer { client in
            let echoed = try await client.get("/health/live", headers: [header: "abc-123.x"])
            XCTAssertEqual(echoed.headers[header], "abc-123.x")
            let generated = try await client.get("/health/live", headers: [header: "bad id with spaces"])
            let id = try XCTUnwrap(generated.headers[header])
            XCTAssertNotEqual(id, "bad id with spaces")
            let another = try await client.get("/nowhere")
            XCTAssertNotEqual(another.headers[header], id)
            XCTAssertNotNil(another.headers[header])
        }
    }

    func testMetricsCountRequests() async throws {
        try await withServer { client in
            for _ in 0..<3 { _ = try await client.post("/score", json: ["data": TestModels.passengers(0..<2)]) }
            _ = try await client.post("/score", "{oops")
            _ = try await client.get("/nowhere/\(UUID())")
            let metrics = try await client.get("/metrics")
            XCTAssertEqual(metrics.status, .ok)
            let text = metrics.text
            XCTAssertTrue(text.contains(#"rappi_requests_total{route="/score",status="200"} 3"#), text)
            XCTAssertTrue(text.contains(#"rappi_requests_total{route="/score",status="400"} 1"#), text)
            XCTAssertTrue(text.contains(#"rappi_requests_total{route="other",status="404"} 1"#), text)
            XCTAssertTrue(text.contains("rappi_request_duration_seconds_bucket{"), text)
            XCTAssertTrue(text.contains(#"rappi_model_info{model="titanic_rf",version="3",algorithm="rf"} 1"#), text)
            XCTAssertTrue(text.contains("rappi_requests_in_flight"), text)
        }
    }

    func testOpenAPIDocument() async throws {
        try await withServer { client in
            let response = try await client.get("/openapi.json")
            XCTAssertEqual(response.status, .ok)
            let doc = response.json
            XCTAssertEqual(doc["openapi"] as? String, "3.0.3")
            let paths = try XCTUnwrap(doc["paths"] as? [String: Any])
            XCTAssertNotNil(paths["/score"])
            XCTAssertNotNil(paths["/invocations"])
            let schemas = try XCTUnwrap((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let record = try XCTUnwrap(schemas["Record"] as? [String: Any])
            let properties = try XCTUnwrap(record["properties"] as? [String: Any])
            for name in TestModels.forest.model.preprocessor.inputs.map(\.name) { XCTAssertNotNil(properties[name], name) }
            // Each field: a JSON value of its type (null = missing) or text spelling one ("" = missing).
            func alternatives(_ name: String) -> [[String: Any]] { (properties[name] as? [String: Any])?["anyOf"] as? [[String: Any]] ?? [] }
            XCTAssertEqual(alternatives("Age").first?["type"] as? String, "number")
            XCTAssertEqual(alternatives("Age").first?["nullable"] as? Bool, true)
            XCTAssertEqual(alternatives("Age").last?["pattern"] as? String, NumberText.decimalPattern)
            XCTAssertEqual(alternatives("Pclass").first?["type"] as? String, "integer")
            XCTAssertEqual(alternatives("Pclass").last?["pattern"] as? String, NumberText.integerPattern)
            XCTAssertEqual(alternatives("Sex").map { $0["type"] as? String }, ["string", "number", "boolean"])
            // No field is required, but a record must name one of them (else the server answers 422).
            XCTAssertNil(record["required"])
            XCTAssertEqual((record["anyOf"] as? [[String: Any]])?.count, TestModels.forest.model.preprocessor.inputs.count)
            XCTAssertNotNil(record["example"] as? [String: Any])
            XCTAssertNotNil(schemas["Error"])
            XCTAssertNotNil((schemas["PredictionResponse"] as? [String: Any]).flatMap { ($0["properties"] as? [String: Any])?["probabilities"] })

            // The example record scores.
            let example = try XCTUnwrap(record["example"] as? [String: Any])
            do { let r = try await client.post("/score", json: ["data": [example]]); XCTAssertEqual(r.status, .ok) }
        }
    }

    func testAccessLog() async throws {
        let path = TestModels.temporaryPath("access-\(UUID().uuidString).log")
        try await withServer({ $0.accessLogPath = path }) { client in
            _ = try await client.post("/score", json: ["data": TestModels.passengers(0..<1)],
                                      headers: [HTTPField.Name("X-Request-Id")!: "log-test-1"])
            _ = try await client.get("/nowhere")
        }
        // The server has stopped, and its access-log writer with it: every line is written.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "\(lines)")
        let first = String(lines[0])
        let pattern = #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ POST /score 200 \d+\.\d\dms rid=log-test-1$"#
        XCTAssertNotNil(first.range(of: pattern, options: .regularExpression), first)
        XCTAssertTrue(lines[1].contains(" GET /nowhere 404 "), String(lines[1]))
    }

    func testAccessLogKeepsNoKeysSentInTheQueryAndIsPrivate() async throws {
        let path = TestModels.temporaryPath("access-\(UUID().uuidString).log")
        try await withServer({ $0.accessLogPath = path }) { client in
            _ = try await client.get("/health/live?api_key=sekrit-value-1&x=1")
            _ = try await client.get("/health/live?x=2&Token=sekrit-value-2;password=sekrit-value-3")
            _ = try await client.get("/health/live?api%5Fkey=sekrit-value-4")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertFalse(text.contains("sekrit"), text)
        XCTAssertTrue(text.contains("/health/live?api_key=[redacted]&x=1 200"), text)
        XCTAssertTrue(text.contains("?x=2&Token=[redacted];password=[redacted] 200"), text)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? Int), 0o600)
    }

    func testAccessLogRotatesBySizeKeepingThreeOlderFiles() throws {
        let path = TestModels.temporaryPath("rotate-\(UUID().uuidString).log")
        let log = try AccessLog(path: path, rotateBytes: 1000)
        let line = String(repeating: "x", count: 99)  // 100 bytes with its newline
        for round in 0..<50 {
            for _ in 0..<3 { log.append(line) }
            log.flush()
            if round % 10 == 9 { usleep(1000) }
        }
        log.close()
        let manager = FileManager.default
        for suffix in ["", ".1", ".2", ".3"] {
            let size = try XCTUnwrap(try manager.attributesOfItem(atPath: path + suffix)[.size] as? Int, suffix)
            XCTAssertLessThanOrEqual(size, 1000, "\(suffix) stays under the limit")
            XCTAssertGreaterThan(size, 0, suffix)
            XCTAssertEqual(try manager.attributesOfItem(atPath: path + suffix)[.posixPermissions] as? Int, 0o600, suffix)
        }
        XCTAssertFalse(manager.fileExists(atPath: path + ".4"), "only three older files are kept")
    }
}
