import Foundation
import XCTest
@testable import RappiDeploy

/// The pieces that let a deployment know it is talking to its own server: port checks,
/// readiness proofs, and names scoped by workspace.
final class EndpointIdentityTests: XCTestCase {
    func testAPortSomeoneListensOnIsReportedInUseAndAFreeOneIsNot() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let port = try FreePort.pick()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(listener, 4), 0)
        XCTAssertThrowsError(try FreePort.checkAvailable(port)) {
            XCTAssertTrue("\($0)".contains("port \(port) is in use"), "\($0)")
            XCTAssertTrue("\($0)".contains("leave port= out"), "\($0)")
        }
        XCTAssertNoThrow(try FreePort.checkAvailable(try FreePort.pick()))
    }

    func testReadinessRefusesAnAnswerWithoutItsNonceAtOnce() throws {
        guard let python = CommandRunner.which("python3") else { throw XCTSkip("python3 is not installed") }
        let root = try TestSupport.scratchDirectory("impostor")
        defer { try? FileManager.default.removeItem(at: root) }
        let port = try FreePort.pick()
        // Something else on the port that answers 200 to everything (a directory listing).
        let pid = try LocalProcess.spawnDetached(executable: python,
                                                 arguments: ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root.path],
                                                 logFile: root.appendingPathComponent("log"))
        defer { LocalProcess.terminate(pid: pid, timeout: 1) }
        try Readiness.wait(url: "http://127.0.0.1:\(port)/", timeout: 20) { "" }

        let began = Date()
        let proof = ReadinessProof.fresh(modelHash: String(repeating: "a", count: 64))
        XCTAssertThrowsError(try Readiness.wait(url: "http://127.0.0.1:\(port)/", timeout: 20, proof: proof) { "" }) {
            XCTAssertTrue("\($0)".contains("not from the server just started"), "\($0)")
            XCTAssertTrue("\($0)".contains("another program listens on that port"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(began), 5, "a wrong answer fails at once, not at the timeout")
    }

    func testAProofMatchesOnlyItsOwnNonceAndModelHash() {
        let proof = ReadinessProof(nonce: "n1", modelHash: "h1")
        XCTAssertNil(proof.mismatch(in: Array(#"{"status":"ready","model_sha256":"h1","nonce":"n1"}"#.utf8)))
        XCTAssertNotNil(proof.mismatch(in: Array(#"{"status":"ready","model_sha256":"h1","nonce":"n2"}"#.utf8)))
        XCTAssertNotNil(proof.mismatch(in: Array(#"{"status":"ready","model_sha256":"h2","nonce":"n1"}"#.utf8)))
        XCTAssertNotNil(proof.mismatch(in: Array(#"{"status":"ready"}"#.utf8)))
        XCTAssertNotNil(proof.mismatch(in: Array("<html>".utf8)))
        XCTAssertNotEqual(ReadinessProof.fresh(modelHash: "h").nonce, ReadinessProof.fresh(modelHash: "h").nonce)
    }

    func testContainerAndImageNamesCarryTheWorkspaceIdAndKeepDistinctNamesDistinct() {
        XCTAssertEqual(ContainerNames.container(workspaceID: "0a1b2c3d", endpoint: "utloan"), "rappi-0a1b2c3d-utloan")
        XCTAssertNotEqual(ContainerNames.container(workspaceID: "0a1b2c3d", endpoint: "utloan"),
                          ContainerNames.container(workspaceID: "99887766", endpoint: "utloan"))
        XCTAssertEqual(ContainerNames.image(workspaceID: "0a1b2c3d", endpoint: "utloan", modelVersion: 2, contextHash: "abcdef0123456789"),
                       "localhost/rappi-0a1b2c3d-utloan:v2-abcdef012345")
        let upper = ContainerNames.container(workspaceID: "0a1b2c3d", endpoint: "Titanic")
        let lower = ContainerNames.container(workspaceID: "0a1b2c3d", endpoint: "titanic")
        XCTAssertNotEqual(upper, lower, "names that differ only in case stay two containers")
        XCTAssertTrue(upper.hasPrefix("rappi-0a1b2c3d-titanic-"), upper)
        XCTAssertEqual(upper, upper.lowercased(), "image tags must be lowercase")
    }
}
