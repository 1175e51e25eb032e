import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import RappiServe

final class HostileInputTests: XCTestCase {
    func testBurstOfHostileRequestsGets4xxAndServerSurvives() async throws {
        var generator = SystemRandomNumberGenerator()
        var bodyList: [String] = [
            "",
            " ",
            "{",
            #"{"data": [{"Pclass": 3, "Name": "#,
            #"{"data": [{"Pclass": 3}]"#,
            String(repeating: "[", count: 10_000),
            String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
            #"{"data": "# + String(repeating: #"{"a":"#, count: 5_000),
            String(repeating: #"{"data":"#, count: 65) + "1" + String(repeating: "}", count: 65),
            #"{"data": [{"Pclass": 1e400, "Sex": "male", "Name": "A, Mr. B", "SibSp": 0, "Parch": 0, "Embarked": "S", "Fare": -1e400}]}"#,
            #"{"data": [{"Pclass": "three", "Sex": 1, "Name": ["x"], "SibSp": {}, "Parch": true, "Embarked": null}]}"#,
            #"{"data": [{"Pclass": NaN}]}"#,
            #"{"data": [{"Pclass": 0x10}]}"#,
            #"{"data": [{"Pclass": 01}]}"#,
            #"{"data": [{"Name": "\ud800"}]}"#,
            #"{"data": [{"Name": "\u00"}]}"#,
            "{\"data\": [{\"Name\": \"a\u{01}b\"}]}",
            #"{"data": [[1, 2, 3]]}"#,
            #"{"data": [null]}"#,
            #"{"data": {}}"#,
            #"{"data": [{}]}"#,
            #"{"data": [{"Pclass": 3}]} trailing"#,
            #"{"data": [{"Pclass": 3}]}}"#,
            #"{"dataframe_split": {"columns": [1], "data": [[1]]}}"#,
            "null",
            "true",
            "1e999999999999",
            #""\"#,
            String(repeating: "9", count: 5_000),
            #"{"data": [{"Pclass": "3rd", "Age": 1e-400, "Name": "\#(String(repeating: "x", count: 100_000))"}]}"#,
        ]
        for _ in 0..<20 {
            let count = Int.random(in: 1...512, using: &generator)
            bodyList.append(String(decoding: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }, as: UTF8.self))
        }
        let bodies = bodyList
        let raw: [[UInt8]] = [[0xFF, 0xFE, 0x00, 0x7B], Array(#"{"data": [{"Name": ""#.utf8) + [0xC3, 0x28] + Array(#""}]}"#.utf8)]

        try await withServer { client in
            for (i, body) in bodies.enumerated() {
                for uri in ["/score", "/invocations"] {
                    let response = try await client.post(uri, body)
                    XCTAssertTrue((400..<500).contains(response.status.code), "\(uri) body #\(i): \(response.status) \(response.text.prefix(300))")
                    XCTAssertNotNil(response.errorCode, "body #\(i): \(response.text.prefix(300))")
                    XCTAssertFalse(response.text.contains("Fatal"), response.text)
                }
            }
            for bytes in raw {
                let response = try await client.execute(uri: "/score", method: .post, headers: [.contentType: "application/json"],
                                                        body: ByteBuffer(bytes: bytes))
                XCTAssertTrue((400..<500).contains(response.status.code), "\(response.status) \(response.text)")
            }
            for method: HTTPRequest.Method in [.put, .delete, .patch, .options] {
                let response = try await client.execute(uri: "/score", method: method)
                XCTAssertEqual(response.status, .methodNotAllowed)
            }
            do { let r = try await client.get("/health/live"); XCTAssertEqual(r.status, .ok) }
        }
    }

    func testGarbageOnTheSocketDoesNotTakeTheServerDown() async throws {
        try await withServer { client in
            let port = try XCTUnwrap(client.port)
            for garbage in ["GARBAGE\r\n\r\n", "POST /score HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "\u{0}\u{1}\u{2}\r\n\r\n",
                            "GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\r\n"] {
                Self.sendRaw(garbage, port: port)
            }
            do { let r = try await client.get("/health/live"); XCTAssertEqual(r.status, .ok) }
        }
    }

    /// Writes bytes on a fresh TCP connection and reads whatever comes back until close or timeout.
    static func sendRaw(_ text: String, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = Array(text.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while recv(fd, &buffer, buffer.count, 0) > 0 {}
    }
}
