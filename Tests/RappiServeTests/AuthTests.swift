import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import RappiServe

final class AuthTests: XCTestCase {
    static let body = String(decoding: try! JSONSerialization.data(withJSONObject: ["data": TestModels.passengers(0..<1)]), as: UTF8.self)

    func testPrimaryAndSecondaryKeys() async throws {
        try await withServer({ $0.apiKeys = ["primary-key", "secondary-key"] }) { client in
            let missing = try await client.post("/score", Self.body)
            assertError(missing, .unauthorized, "unauthorized")
            XCTAssertTrue(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") ?? false)
            assertError(try await client.post("/score", Self.body, headers: [.authorization: "Bearer wrong"]), .unauthorized, "unauthorized")
            assertError(try await client.post("/score", Self.body, headers: [.authorization: "Bearer primary-ke"]), .unauthorized, "unauthorized")
            assertError(try await client.post("/score", Self.body, headers: [.authorization: "Basic cHJpbWFyeS1rZXk="]), .unauthorized, "unauthorized")
            do { let r = try await client.post("/score", Self.body, headers: [.authorization: "Bearer primary-key"]); XCTAssertEqual(r.status, .ok) }
            do { let r = try await client.post("/invocations", #"{"instances": []}"#, headers: [.authorization: "bearer secondary-key"]); XCTAssertEqual(r.status, .unprocessableContent) }
            do { let r = try await client.post("/score", Self.body, headers: [.authorization: "Bearer secondary-key"]); XCTAssertEqual(r.status, .ok) }
            // Health, metrics and the OpenAPI document stay open.
            do { let r = try await client.get("/health/live"); XCTAssertEqual(r.status, .ok) }
            do { let r = try await client.get("/health/ready"); XCTAssertEqual(r.status, .ok) }
            do { let r = try await client.get("/metrics"); XCTAssertEqual(r.status, .ok) }
            let openapi = try await client.get("/openapi.json")
            XCTAssertEqual(openapi.status, .ok)
            XCTAssertTrue(openapi.text.contains("bearerAuth"))
        }
    }

    func testRotatedKeysFileTakesEffectWithoutRestart() async throws {
        let path = TestModels.temporaryPath("keys-\(UUID().uuidString)")
        try "old-primary\nold-secondary\n".write(toFile: path, atomically: true, encoding: .utf8)
        try await withServer({ $0.keysFile = path; $0.apiKeys = ["ignored-when-file-set"] }) { client in
            do { let r = try await client.post("/score", Self.body, headers: [.authorization: "Bearer old-primary"]); XCTAssertEqual(r.status, .ok) }
            do { let r = try await client.post("/score", Self.body, headers: [.authorization: "Bearer old-secondary"]); XCTAssertEqual(r.status, .ok) }
            do { let r = try await client.post("/score", Self.body, headers: [.authorization: "Bearer ignored-when-file-set"]); XCTAssertEqual(r.status, .unauthorized) }

            // rotate-key: the new key becomes primary, the old primary becomes secondary.
            try "new-primary\nold-primary\n".write(toFile: path, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(1100))
            do { let r = try await client.post("/score", Self.body, headers: [.authorization: "Bearer new-primary"]); XCTAssertEqual(r.status, .ok) }
            do { let r = try await client.post("/score", Self.body, headers: [.authorization: "Bearer old-primary"]); XCTAssertEqual(r.status, .ok) }
            assertError(try await client.post("/score", Self.body, headers: [.authorization: "Bearer old-secondary"]), .unauthorized, "unauthorized")
        }
    }

    func testNoKeysMeansNoAuthentication() async throws {
        try await withServer { client in
            do { let r = try await client.post("/score", Self.body); XCTAssertEqual(r.status, .ok) }
            do { let r = try await client.get("/openapi.json"); XCTAssertFalse(r.text.contains("bearerAuth")) }
        }
    }

    func testMissingKeysFileIsAStartupError() {
        var configuration = ModelServerConfiguration(modelPath: TestModels.forest.path, modelName: "m", modelVersion: 1)
        configuration.keysFile = "/nonexistent/keys"
        XCTAssertThrowsError(try ModelServer.makeApplication(configuration))
    }

    func testKeyComparison() throws {
        let store = APIKeyStore(keys: ["abc", "", "longer-key"])
        XCTAssertTrue(store.accepts("abc"))
        XCTAssertTrue(store.accepts("longer-key"))
        XCTAssertFalse(store.accepts(""))
        XCTAssertFalse(store.accepts("ab"))
        XCTAssertFalse(store.accepts("abcd"))
        XCTAssertFalse(APIKeyStore(keys: []).isEnabled)
    }
}
