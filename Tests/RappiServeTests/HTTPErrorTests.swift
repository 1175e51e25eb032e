import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import RappiServe

final class HTTPErrorTests: XCTestCase {
    func testStatusesAndEnvelopes() async throws {
        try await withServer({ $0.maxBodyBytes = 4096 }) { client in
            assertError(try await client.post("/score", #"{"data": [{"#), .badRequest, "invalid_json")
            assertError(try await client.get("/nowhere"), .notFound, "not_found")

            let wrongMethod = try await client.get("/score")
            assertError(wrongMethod, .methodNotAllowed, "method_not_allowed")
            XCTAssertEqual(wrongMethod.headers[.allow], "POST")
            let postHealth = try await client.post("/health/live", "{}")
            assertError(postHealth, .methodNotAllowed, "method_not_allowed")
            XCTAssertEqual(postHealth.headers[.allow], "GET")

            let big = String(repeating: " ", count: 5000) + "{}"
            assertError(try await client.post("/score", big), .contentTooLarge, "payload_too_large")

            assertError(try await client.post("/score", "{}", contentType: nil), .unsupportedMediaType, "unsupported_media_type")
            assertError(try await client.post("/score", "{}", contentType: "text/plain"), .unsupportedMediaType, "unsupported_media_type")
            // JSON with parameters is fine.
            let records = TestModels.passengers(0..<1)
            let data = String(decoding: try JSONSerialization.data(withJSONObject: ["data": records]), as: UTF8.self)
            let charset = try await client.post("/score", data, contentType: "application/json; charset=utf-8")
            XCTAssertEqual(charset.status, .ok, charset.text)

            assertError(try await client.post("/score", #"{"data": []}"#), .unprocessableContent, "invalid_input")
        }
    }

    func testOverloadAnswers503WithRetryAfter() async throws {
        try await withServer({ $0.maxConcurrentRequests = 0 }) { client in
            let response = try await client.post("/score", json: ["data": TestModels.passengers(0..<1)])
            assertError(response, .serviceUnavailable, "overloaded")
            XCTAssertEqual(response.headers[.retryAfter], "1")
            // Health checks are not limited.
            do { let r = try await client.get("/health/live"); XCTAssertEqual(r.status, .ok) }
        }
    }

    func testConcurrentRequestsBeyondTheLimitAreRefusedNotQueued() async throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["data": TestModels.passengers(0..<800)]), as: UTF8.self)
        try await withServer({ $0.maxConcurrentRequests = 1 }) { client in
            let port = try XCTUnwrap(client.port)
            let statuses = try await withThrowingTaskGroup(of: [HTTPResponse.Status].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let other = TestClient(host: "localhost", port: port)
                        other.connect()
                        var seen: [HTTPResponse.Status] = []
                        for _ in 0..<5 {
                            let r = try await other.execute(.init("/score", method: .post, authority: "localhost",
                                                                  headers: [.contentType: "application/json"], body: ByteBuffer(string: body)))
                            seen.append(r.status)
                        }
                        try await other.shutdown()
                        return seen
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            XCTAssertTrue(statuses.allSatisfy { $0 == .ok || $0 == .serviceUnavailable }, "\(statuses)")
            XCTAssertTrue(statuses.contains(.ok))
        }
    }
}
