import Foundation
import XCTest
@testable import RappiClient

/// Talks to a real HTTP server on a loopback port (Python's http.server, present wherever
/// the test tooling is).
final class HTTPClientTests: XCTestCase {
    private var server: Process?
    private var port = 0
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "hello over http\n".write(to: root.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        port = Int.random(in: 20_000..<40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        let client = HTTPClient()
        for _ in 0..<100 {
            if (try? client.get("http://127.0.0.1:\(port)/", timeout: 1)) != nil { return }
            usleep(50_000)
        }
        XCTFail("http.server did not start")
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }

    func testGetReturnsStatusHeadersAndBody() throws {
        let response = try HTTPClient().get("http://127.0.0.1:\(port)/hello.txt")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "hello over http\n")
        XCTAssertEqual(response.header("content-length"), "16")
    }

    func testStatusCodesAreReportedNotThrown() throws {
        let client = HTTPClient()
        XCTAssertEqual(try client.get("http://127.0.0.1:\(port)/missing").status, 404)
        XCTAssertEqual(try client.post("http://127.0.0.1:\(port)/hello.txt", json: "{}").status, 501)
    }

    func testConnectionRefusedIsAClearError() {
        server?.terminate()
        server?.waitUntilExit()
        XCTAssertThrowsError(try HTTPClient().get("http://127.0.0.1:\(port)/", timeout: 2)) { error in
            XCTAssertTrue("\(error)".contains("GET http://127.0.0.1:\(port)/ failed"), "\(error)")
        }
    }
}
