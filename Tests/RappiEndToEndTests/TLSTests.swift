import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// HTTPS end to end: a certificate authority and a server certificate made with `openssl` for the
/// test, endpoints, A/B routers and the workspace server serving with them, and rappi's clients
/// and curl trusting them only through that authority.
final class TLSTests: XCTestCase {
    private var scratch: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path
    private var ca: String { scratch.appendingPathComponent("ca.pem").path }
    private var otherCA: String { scratch.appendingPathComponent("other-ca.pem").path }
    private var certificate: String { scratch.appendingPathComponent("server.pem").path }
    private var key: String { scratch.appendingPathComponent("server.key").path }

    override func setUpWithError() throws {
        scratch = try RappiBinary.scratchFolder("rappi-tls")
        rappi = RappiBinary(workspace: scratch.appendingPathComponent("ws"))
        try makeCertificates()
    }

    override func tearDownWithError() throws {
        rappi.stopServices()
        try? FileManager.default.removeItem(at: scratch)
    }

    @discardableResult
    private func shell(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = scratch
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// A CA, a certificate it signs for 127.0.0.1 and localhost, and an unrelated second CA.
    private func makeCertificates() throws {
        let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        let made = try shell("""
            set -e
            openssl req -x509 \(ec) -keyout ca.key -out ca.pem -days 2 -subj '/CN=rappi test CA' 2>&1
            openssl req -x509 \(ec) -keyout other-ca.key -out other-ca.pem -days 2 -subj '/CN=someone else' 2>&1
            openssl req \(ec) -keyout server.key -out server.csr -subj '/CN=localhost' 2>&1
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>&1
            """)
        XCTAssertEqual(made.status, 0, made.output)
    }

    @discardableResult
    private func statement(_ text: String, status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> RappiBinary.Result {
        let result = try rappi.run(["-c", text])
        XCTAssertEqual(result.status, status, "\(text)\n\(result.stdout)\(result.stderr)", file: file, line: line)
        return result
    }

    private func curl(_ arguments: String) throws -> (status: Int32, output: String) {
        try shell("curl -sS --max-time 10 \(arguments) 2>&1")
    }

    func testAnEndpointServesHTTPSThatRappisClientsAndCurlTrustOnlyThroughItsAuthority() throws {
        try statement("upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic; train rf trees=20; register")
        let deployed = try statement("deploy titanic_rf local tls-cert=\(certificate) tls-key=\(key)")
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("titanic_rf")
        XCTAssertTrue(endpoint.url.hasPrefix("https://127.0.0.1:"), endpoint.url)
        XCTAssertTrue(deployed.stdout.contains("url   https://127.0.0.1:"), deployed.stdout)
        let keyLine = try XCTUnwrap(deployed.lines.first { $0.contains("key   ") })
        let apiKey = String(keyLine.split(separator: " ").last!)

        // rappi's clients, trusting the test's CA.
        let record = #"{"Pclass": 3, "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S", "Name": "Braund, Mr. Owen Harris", "Ticket": "A/5 21171", "Cabin": ""}"#
        let predicted = try statement("predict on titanic_rf \(record) ca=\(ca)")
        XCTAssertTrue(predicted.stdout.contains("https://127.0.0.1:"), predicted.stdout)
        let tested = try statement("test endpoint titanic_rf ca=\(ca)")
        XCTAssertTrue(tested.stdout.contains("14 passed, 0 failed") && tested.stdout.contains("not run over HTTPS: overload"), tested.stdout)
        let profiled = try statement("profile endpoint titanic_rf requests=200 concurrency=4 ca=\(ca)")
        XCTAssertTrue(profiled.stdout.contains("errors") || profiled.stdout.contains("0 error"), profiled.stdout)
        XCTAssertEqual(try statement("endpoints").stdout.contains("live"), true)

        // Without the CA, or with another one, nothing is sent and the error says why.
        let untrusted = try statement("predict on titanic_rf \(record)", status: 1)
        XCTAssertTrue(untrusted.stderr.contains("TLS certificate is not trusted") && untrusted.stderr.contains("ca=FILE"), untrusted.stderr)
        let wrong = try statement("test endpoint titanic_rf ca=\(otherCA)", status: 1)
        XCTAssertTrue(wrong.stderr.contains("not signed by the certificate authority in \(otherCA)"), wrong.stderr)
        let missing = try statement("predict on titanic_rf \(record) ca=\(scratch.path)/nope.pem", status: 1)
        XCTAssertTrue(missing.stderr.contains("nope.pem"), missing.stderr)

        // curl agrees: it verifies with the CA, refuses without, and plain HTTP gets no answer.
        let ready = try curl("--cacert \(ca) \(endpoint.url)/health/ready")
        XCTAssertEqual(ready.status, 0, ready.output)
        XCTAssertTrue(ready.output.contains(endpoint.modelHash), ready.output)
        let scored = try curl("--cacert \(ca) -H 'Authorization: Bearer \(apiKey)' -H 'Content-Type: application/json' -d '{\"data\": [\(record)]}' \(endpoint.url)/score")
        XCTAssertTrue(scored.output.contains("predictions"), scored.output)
        XCTAssertEqual(try curl("\(endpoint.url)/health/ready").status, 60, "curl without the CA refuses the certificate")
        XCTAssertNotEqual(try curl(endpoint.url.replacingOccurrences(of: "https:", with: "http:") + "/health/ready").status, 0)
    }

    func testTLSOptionsComeInPairsAndABadCertificateStopsTheServerFromStarting() throws {
        try statement("upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic; train rf trees=5; register")
        let alone = try statement("deploy titanic_rf local tls-cert=\(certificate)", status: 1)
        XCTAssertTrue(alone.stderr.contains("tls-cert= needs tls-key="), alone.stderr)
        let absent = try statement("deploy titanic_rf local tls-cert=\(scratch.path)/nope.pem tls-key=\(key)", status: 1)
        XCTAssertTrue(absent.stderr.contains("nope.pem: no such readable file"), absent.stderr)
        // A key that is not the certificate's: the server refuses to start, and deploy says why.
        let mismatched = try statement("deploy titanic_rf local tls-cert=\(certificate) tls-key=\(scratch.path)/ca.key", status: 1)
        XCTAssertTrue(mismatched.stderr.contains("does not belong to the certificate"), mismatched.stderr)
        XCTAssertTrue(try Workspace(directory: rappi.workspace).endpoints().isEmpty)
        let serve = try rappi.run(["serve", "--tls-cert", certificate])
        XCTAssertNotEqual(serve.status, 0)
        XCTAssertTrue(serve.stderr.contains("--tls-cert and --tls-key go together"), serve.stderr)
    }

    func testTheWorkspaceServerAndAnABRouterServeHTTPS() throws {
        try statement("""
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train rf trees=10; register; train logreg; register
            pipeline p(n=1) { echo $n }
            """.replacingOccurrences(of: "\n", with: "; "))
        let published = try statement("publish pipeline p")
        let tokenLine = try XCTUnwrap(published.lines.first { $0.contains("Authorization: Bearer rpt_") })
        let token = String(tokenLine.split(separator: " ").last!)
        let server = try WorkspaceServerProcess(workspace: rappi.workspace, extraArguments: ["--tls-cert", certificate, "--tls-key", key])
        defer { server.terminate() }
        let base = "https://127.0.0.1:\(server.port)"
        XCTAssertEqual(WorkspaceServerRecord.live(in: rappi.workspace)?.baseURL, base)
        let listed = try curl("--cacert \(ca) -H 'Authorization: Bearer \(token)' \(base)/api/pipelines")
        XCTAssertTrue(listed.output.contains("\"p\""), listed.output)
        let invoked = try statement("invoke pipeline p n=3 wait=true ca=\(ca)")
        XCTAssertTrue(invoked.stdout.contains("succeeded"), invoked.stdout)
        let refused = try statement("invoke pipeline p n=3", status: 1)
        XCTAssertTrue(refused.stderr.contains("ca=FILE"), refused.stderr)

        let started = try statement("abtest start duel titanic_rf vs titanic_logreg auth=none tls-cert=\(certificate) tls-key=\(key)")
        XCTAssertTrue(started.stdout.contains("https://127.0.0.1:"), started.stdout)
        let url = try XCTUnwrap(try Workspace(directory: rappi.workspace).experiment("duel").url)
        let ready = try curl("--cacert \(ca) \(url)/health/ready")
        XCTAssertTrue(ready.output.contains("duel"), ready.output)
        XCTAssertEqual(try curl("--cacert \(otherCA) \(url)/health/ready").status, 60)
    }
}
