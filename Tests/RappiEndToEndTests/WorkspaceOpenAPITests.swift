import Foundation
import RappiClient
import XCTest

/// The workspace server describes itself: `/openapi.json` lists what is published now, with each
/// pipeline's parameters typed by how its body uses them (Tests/contracts checks the document
/// against the server with schemathesis).
final class WorkspaceOpenAPITests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-openapi")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func testTheWorkspaceServerPublishesItsPipelinesAsAnOpenAPIDocumentAndAnswers405ToAnotherMethod() throws {
        let defined = try rappi.run(["-c", """
            pipeline nightly(version=0, trees=30, note="x") { load dataset titanic $version; train rf trees=$trees; echo $note }
            publish pipeline nightly
            """])
        XCTAssertEqual(defined.status, 0, defined.stderr)
        let server = try WorkspaceServerProcess(workspace: rappi.workspace)
        defer { server.terminate() }
        let http = HTTPClient()

        let answer = try http.get(server.baseURL + "/openapi.json")
        XCTAssertEqual(answer.status, 200, answer.text)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: Any])
        XCTAssertEqual(Set(paths.keys), ["/health/live", "/health/ready", "/openapi.json", "/api/pipelines", "/api/runs/{id}",
                                         "/api/pipelines/nightly/runs"])
        let trigger = try XCTUnwrap((paths["/api/pipelines/nightly/runs"] as? [String: Any])?["post"] as? [String: Any])
        let body = try XCTUnwrap(((((trigger["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]
                                    as? [String: Any])?["schema"]) as? [String: Any])
        let properties = try XCTUnwrap(body["properties"] as? [String: Any])
        XCTAssertEqual((properties["compute"] as? [String: Any])?["enum"] as? [String], ["local"])
        let parameters = try XCTUnwrap((properties["parameters"] as? [String: Any])?["properties"] as? [String: [String: Any]])
        XCTAssertEqual(Set(parameters.keys), ["version", "trees", "note"])
        func types(_ name: String) -> [String] { (parameters[name]?["anyOf"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String } }
        XCTAssertEqual(types("trees"), ["integer", "string"])   // `trees=$trees` takes an integer
        XCTAssertEqual(types("version"), ["integer", "string"]) // a version: 3, "v3" or "latest"
        XCTAssertEqual(types("note"), ["string", "number", "boolean"])  // free text

        let trace = try http.send("TRACE", server.baseURL + "/api/pipelines", headers: [:], body: nil, timeout: 10)
        XCTAssertEqual(trace.status, 405, trace.text)
        XCTAssertEqual(trace.header("Allow"), "GET")
    }
}
