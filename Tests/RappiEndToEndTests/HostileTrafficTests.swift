import Foundation
import RappiClient
import RappiDeploy
import RappiWorkspace
import XCTest

/// Thousands of hostile requests and a handful of slow clients against a real `rappi
/// serve-model` process: every request gets a 4xx with the error envelope, and the server keeps
/// serving well-formed requests throughout.
final class HostileTrafficTests: XCTestCase {
    private var root: URL!
    private var server: Process?
    private var url = ""

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-hostile")
        let rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
        let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic/ds_full").path
        let trained = try rappi.run(["-c", "upload dataset titanic from \(data) target=Survived; load dataset titanic; train rf trees=20; register"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let version = try Workspace(directory: rappi.workspace).modelVersion("titanic_rf", .version(.latest))
        let modelPath = rappi.workspace.appendingPathComponent("artifacts/sha256/\(version.contentHash.prefix(2))/\(version.contentHash)").path

        let port = try FreePort.pick()
        url = "http://127.0.0.1:\(port)"
        let process = Process()
        process.executableURL = RappiBinary.url
        process.arguments = ["serve-model", "--model", modelPath, "--name", "titanic_rf", "--version", "1", "--port", String(port),
                             "--max-body", String(16 << 20)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        let client = HTTPClient()
        for _ in 0..<200 {
            if (try? client.get(url + "/health/ready", timeout: 1))?.status == 200 { return }
            usleep(50_000)
        }
        XCTFail("serve-model did not become ready")
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }

    private static let goodRecord =
        #"{"Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Embarked": "S"}"#

    /// A deterministic stream of bad bodies: random bytes, truncations, deep nesting, huge
    /// numbers, wrong types, wrong shapes, empty bodies. (A null is not bad: it is a missing
    /// value, imputed.)
    private func hostileBody(_ index: Int, _ random: inout UInt64) -> [UInt8] {
        func next() -> UInt64 { random = random &* 6364136223846793005 &+ 1442695040888963407; return random >> 33 }
        let good = Array(("{\"data\": [" + Self.goodRecord + "]}").utf8)
        switch index % 8 {
        case 0: return (0..<Int(next() % 2000)).map { _ in UInt8(truncatingIfNeeded: next()) }
        case 1: return Array(good.prefix(Int(next() % UInt64(good.count - 1))))
        case 2: return Array(String(repeating: "[", count: 10 + Int(next() % 50_000)).utf8)
        case 3: return Array(Self.goodRecord.replacingOccurrences(of: "22", with: ["1e400", "-1e999", "123456789012345678901234567890e300"][Int(next() % 3)]).utf8)
            .withData()
        case 4: return Array(("{\"data\": [" + Self.goodRecord.replacingOccurrences(of: "\"Pclass\": 3", with: "\"Pclass\": " + ["\"three\"", "[1]", "{\"x\": 1}", "true", "\"3rd\""][Int(next() % 5)]) + "]}").utf8)
        case 5: return []
        case 6: return Array(["{\"data\": 5}", "{\"data\": [1, 2]}", "{\"data\": []}", "[]", "{}", "\"data\"", "{\"data\": [{}]}"][Int(next() % 7)].utf8)
        default: return Array(String(repeating: "{\"a\":", count: 100 + Int(next() % 1000)).utf8)
        }
    }

    func testThousandsOfHostileRequestsAreRefusedAndTheServerStaysUp() throws {
        let client = HTTPClient()
        var random: UInt64 = 20_261_127
        var statuses: [Int: Int] = [:]
        for index in 0..<3_000 {
            let response = try client.send("POST", url + "/score", headers: ["Content-Type": "application/json"],
                                           body: hostileBody(index, &random), timeout: 10)
            statuses[response.status, default: 0] += 1
            XCTAssertTrue((400..<500).contains(response.status), "request \(index) answered \(response.status): \(response.text.prefix(200))")
            XCTAssertTrue(response.text.contains("\"error\""), "request \(index) had no error envelope: \(response.text.prefix(200))")
            if index % 500 == 0 {
                let good = try client.post(url + "/score", json: "{\"data\": [" + Self.goodRecord + "]}")
                XCTAssertEqual(good.status, 200, good.text)
            }
        }
        XCTAssertEqual(statuses.values.reduce(0, +), 3_000)
        XCTAssertGreaterThan(statuses[400] ?? 0, 0)
        XCTAssertGreaterThan(statuses[422] ?? 0, 0)
        XCTAssertTrue(server?.isRunning ?? false)
        XCTAssertEqual(try client.get(url + "/health/live").status, 200)
    }

    func testSIGTERMDrainsInFlightRequestsAndExitsCleanly() throws {
        // A batch big enough to still be in flight when the signal lands.
        let batch = "{\"data\": [" + Array(repeating: Self.goodRecord, count: 30_000).joined(separator: ",") + "]}"
        let answered = ResponseBox()
        let sender = Thread { [url] in
            answered.status = (try? HTTPClient().post(url + "/score", json: batch, timeout: 60))?.status
            answered.done.signal()
        }
        sender.start()
        usleep(150_000)
        server?.terminate()  // SIGTERM
        XCTAssertEqual(answered.done.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(answered.status, 200, "the in-flight request was answered")
        server?.waitUntilExit()
        XCTAssertEqual(server?.terminationReason, .exit)
        XCTAssertEqual(server?.terminationStatus, 0)
    }

    func testSlowClientsDoNotStopOthers() throws {
        let port = UInt16(url.split(separator: ":").last!)!
        // Clients that send half a request and stall, and one that dribbles a byte at a time.
        let stalled = try (0..<20).map { _ in try RawConnection(port: port) }
        for connection in stalled {
            connection.send("POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"data\": [")
        }
        let dribbler = try RawConnection(port: port)
        let client = HTTPClient()
        for (index, byte) in "POST /score HTTP/1.1\r\nHost: x\r\n".utf8.enumerated() {
            dribbler.send(String(UnicodeScalar(byte)))
            if index % 5 == 0 {
                XCTAssertEqual(try client.post(url + "/score", json: "{\"data\": [" + Self.goodRecord + "]}", timeout: 5).status, 200)
            }
            usleep(20_000)
        }
        for _ in 0..<50 {
            XCTAssertEqual(try client.post(url + "/score", json: "{\"data\": [" + Self.goodRecord + "]}", timeout: 5).status, 200)
        }
        stalled.forEach { $0.close() }
        dribbler.close()
        XCTAssertEqual(try client.get(url + "/health/live").status, 200)
    }

    func testAClientStillSendingARefusedBodyReadsItsAnswerInsteadOfAReset() throws {
        // The declared length is over the limit: 413 at once, before the body is read. A client
        // like curl goes on sending; a server that closed at once would make the kernel reset
        // the connection and take the 413 with it.
        let port = UInt16(url.split(separator: ":").last!)!
        let connection = try RawConnection(port: port)
        connection.send("POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(32 << 20)\r\n\r\n")
        usleep(200_000)  // the answer is on its way
        XCTAssertEqual(connection.send(String(repeating: " ", count: 4 << 20)), 4 << 20,
                       "the rest of the body is taken (and dropped), not refused with a reset")
        let answer = connection.receiveUntilClosed(timeout: 10)
        XCTAssertTrue(answer.text.hasPrefix("HTTP/1.1 413"), "got: \(answer.text.prefix(200))")
        XCTAssertTrue(answer.text.lowercased().contains("connection: close"), answer.text)
        XCTAssertTrue(answer.closed, "the connection is closed after the refusal")
        connection.close()
        XCTAssertEqual(try HTTPClient().get(url + "/health/live").status, 200)
    }

    func testAMalformedChunkSizeAnswers400AndHTTP10WithoutKeepAliveIsClosed() throws {
        let port = UInt16(url.split(separator: ":").last!)!
        let chunked = try RawConnection(port: port)
        chunked.send("POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
        let answer = chunked.receiveUntilClosed(timeout: 5)
        XCTAssertTrue(answer.text.hasPrefix("HTTP/1.1 400"), answer.text)
        XCTAssertTrue(answer.closed, "the connection is closed after a parse error")

        let old = try RawConnection(port: port)
        old.send("GET /health/live HTTP/1.0\r\nHost: x\r\n\r\n")
        let reply = old.receiveUntilClosed(timeout: 5)
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200"), reply.text)
        XCTAssertTrue(reply.text.lowercased().contains("connection: close"), reply.text)
        XCTAssertTrue(reply.closed, "an HTTP/1.0 request without keep-alive gets its socket closed")

        let keepAlive = try RawConnection(port: port)
        keepAlive.send("GET /health/live HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
        let kept = keepAlive.receiveUntilClosed(timeout: 1)
        XCTAssertTrue(kept.text.hasPrefix("HTTP/1.1 200"), kept.text)
        XCTAssertFalse(kept.closed, "HTTP/1.0 with keep-alive stays open")
        keepAlive.close()
        XCTAssertEqual(try HTTPClient().get(url + "/health/live").status, 200)
    }
}

private extension Array where Element == UInt8 {
    /// Wraps a record in `{"data": [ … ]}`.
    func withData() -> [UInt8] { Array("{\"data\": [".utf8) + self + Array("]}".utf8) }
}

private final class ResponseBox: @unchecked Sendable {
    var status: Int?
    let done = DispatchSemaphore(value: 0)
}
