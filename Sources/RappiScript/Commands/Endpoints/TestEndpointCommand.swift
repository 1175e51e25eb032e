import Foundation
import RappiClient
import RappiDeploy
import RappiML
import RappiWorkspace

/// `test endpoint NAME` — a suite against the live endpoint: health, predictions that must equal
/// the registered model's own, known passengers, and every error case with its status and envelope.
public enum TestEndpointCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.endpoint), help: "an endpoint from `endpoints`")

    public static let signature = CommandSignature(
        "test endpoint", area: "endpoints",
        summary: "Run a test suite against a live endpoint (health, single and batch predictions, known cases, error handling).",
        pattern: [name.spec],
        options: [ClientOptions.ca.spec],
        publishes: ["tests_passed", "tests_failed"],
        examples: ["test endpoint titanic_rf"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let workspace = try context.workspace()
        let endpoint = try workspace.endpoint(name)
        // A dead endpoint fails every case the same way: say so once instead.
        if case .down(let why) = Deployer(workspace: workspace).health(endpoint) {
            throw call.error("""
                \(name) is down: \(why) — nothing was tested; `endpoints` lists what is live, and \
                `deploy \(endpoint.model):\(endpoint.deployedFrom ?? "v\(endpoint.modelVersion)") \(endpoint.target) as \(name)` starts it again
                """, at: "name")
        }
        let version = try workspace.modelVersion(endpoint.model, .version(.number(endpoint.modelVersion)))
        let model = try ModelReference.load(version, in: context)
        let (frame, records) = try EndpointData.records(for: endpoint, in: context)
        let ownPredictions = try model.predict(frame)
        let client = EndpointClient(workspace: workspace, endpoint: endpoint, trust: try ClientOptions.trust(call))
        try client.checkReachable()
        let suite = EndpointSuite(client: client, endpoint: endpoint, model: model, frame: frame, records: records,
                                  expected: ownPredictions.labels, expectedValues: ownPredictions.values)
        let results = suite.run()

        var table = TextTable(["test", "result", "detail"])
        table.maxCellWidth = 70
        for result in results { table.add([result.name, result.passed ? "pass" : "FAIL", result.detail]) }
        let passed = results.filter(\.passed).count, failed = results.count - passed
        var text = "\(name) (\(endpoint.model) v\(endpoint.modelVersion), \(endpoint.url))\n" + table.render()
            + "\n\(passed) passed, \(failed) failed"
        if !suite.overloadTestable {
            text += "\nnot run over HTTPS: overload → 503 (it holds requests in flight on raw plain-HTTP connections)"
        }
        let values: PublishedValues = [("tests_passed", .int(passed)), ("tests_failed", .int(failed))]
        guard failed == 0 else {
            context.session.publish(values)
            throw CommandFailure(text)
        }
        return CommandResult(text, values: values)
    }
}

/// The cases `test endpoint` runs, each a name, a pass/fail and what was seen.
struct EndpointSuite {
    struct Result {
        let name: String
        let passed: Bool
        let detail: String
    }

    let client: EndpointClient
    let endpoint: EndpointRecord
    let model: TrainedModel
    let frame: DataFrame
    let records: [[String: Any]]
    let expected: [String]
    /// A regression model's own predictions: the endpoint's numbers must match them within
    /// `relativeTolerance` (JSON carries the shortest round-trip text, so they are normally equal;
    /// the tolerance keeps the check honest for a client that parses less exactly).
    let expectedValues: [Double]?

    static let relativeTolerance = 1e-9

    func run() -> [Result] {
        var results: [Result] = []
        func check(_ name: String, _ body: () throws -> (Bool, String)) {
            do {
                let (passed, detail) = try body()
                results.append(Result(name: name, passed: passed, detail: detail))
            } catch {
                results.append(Result(name: name, passed: false, detail: "\(error)"))
            }
        }
        let json = ["Content-Type": "application/json"]
        let auth = client.authorization

        check("health: live") { try status(client.send("GET", "/health/live", headers: [:], body: nil), 200) }
        check("health: ready") { try status(client.send("GET", "/health/ready", headers: [:], body: nil), 200) }
        check("single prediction = registered model") { try predictions(rows: [0]) }
        let batch = Array(0..<min(100, records.count))
        check("batch of \(batch.count) = registered model") { try predictions(rows: batch) }
        if expectedValues != nil {
            for (what, row) in knownNumbers() {
                check("known case: row \(row) (\(what)) → \(expected[row])") { try predictions(rows: [row]) }
            }
        } else {
            if let survivor = known(classIndex: model.classes.count - 1) {
                check("known case: row \(survivor) → \(model.classes.last!)") { try predictions(rows: [survivor]) }
            }
            if let other = known(classIndex: 0) {
                check("known case: row \(other) → \(model.classes[0])") { try predictions(rows: [other]) }
            }
        }
        check("malformed JSON → 400") {
            try envelope(client.send("POST", "/score", headers: auth.merging(json) { $1 }, body: Array("{\"data\": [".utf8)), 400)
        }
        if endpoint.auth == "key" {
            check("no API key → 401") { try envelope(client.send("POST", "/score", headers: json, body: try body([0])), 401) }
            check("wrong API key → 401") {
                try envelope(client.send("POST", "/score", headers: json.merging(["Authorization": "Bearer wrong"]) { $1 }, body: try body([0])), 401)
            }
        }
        check("unknown route → 404") { try envelope(client.send("GET", "/nowhere", headers: auth, body: nil), 404) }
        check("wrong method → 405") { try envelope(client.send("GET", "/score", headers: auth, body: nil), 405) }
        check("body over the limit → 413") {
            let huge = Array("{\"data\": [\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20) + Array("\"]}".utf8)
            return try envelope(client.send("POST", "/score", headers: auth.merging(json) { $1 }, body: huge), 413)
        }
        check("wrong content type → 415") {
            try envelope(client.send("POST", "/score", headers: auth.merging(["Content-Type": "text/plain"]) { $1 }, body: try body([0])), 415)
        }
        if let numeric = model.preprocessor.inputs.first(where: { $0.type != .text }) {
            check("wrong type in '\(numeric.name)' → 422 naming the field") {
                var record = records[0]
                record[numeric.name] = "abc"
                let response = try client.send("POST", "/score", headers: auth.merging(json) { $1 }, body: try RecordJSON.scoreBody([record]))
                let (ok, detail) = try envelope(response, 422)
                let named = response.text.contains("\"field\":\"\(numeric.name)\"") || response.text.contains("\"field\": \"\(numeric.name)\"")
                return (ok && named, named ? detail : detail + "; details do not name \(numeric.name): \(response.text.prefix(200))")
            }
        }
        if overloadTestable { check("overload → 503, then recovery") { try overload() } }
        return results
    }

    /// Holds more requests in flight than the server admits (each stalled in its body), checks
    /// the next one is refused with 503 and Retry-After, then lets go and checks it recovers.
    private func overload() throws -> (Bool, String) {
        var head = "POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n"
        if let key = client.authorization["Authorization"] { head += "Authorization: \(key)\r\n" }
        let stalled = StalledConnections(port: endpoint.port, count: Self.overloadConnections, head: head + "\r\n{\"data\": [")
        defer { stalled.close() }
        var refused: HTTPResponse?
        for _ in 0..<20 {  // the server takes a moment to see every stalled request
            let response = try client.score([records[0]])
            if response.status == 503 { refused = response; break }
            usleep(50_000)
        }
        guard let refused else {
            return (false, "no 503 with \(stalled.count) requests held in flight — is the server's limit above \(Self.overloadConnections)?")
        }
        let (ok, detail) = try envelope(refused, 503)
        let retry = refused.header("Retry-After") != nil
        stalled.close()
        var recovered = false
        for _ in 0..<40 where !recovered {
            recovered = try client.score([records[0]]).status == 200
            if !recovered { usleep(50_000) }
        }
        return (ok && retry && recovered, detail + (retry ? ", Retry-After" : ", no Retry-After") + (recovered ? ", then 200 again" : ", did not recover"))
    }

    /// The overload case stalls requests on raw sockets, which speak plain HTTP only.
    var overloadTestable: Bool { !endpoint.url.hasPrefix("https:") }

    /// More than `serve-model`'s default limit of 256 requests in flight.
    static let overloadConnections = 300

    /// A row whose true class is `classIndex` and that the model itself gets right.
    private func known(classIndex: Int) -> Int? {
        guard let truth = frame.column(named: model.target.column) else { return nil }
        return (0..<frame.rowCount).first { truth.string($0) == model.classes[classIndex] && expected[$0] == model.classes[classIndex] }
    }

    /// For a regression model: the row it predicts closest to its actual value, and the row with
    /// the largest actual value (the extremes are where a served model that drifted shows first).
    private func knownNumbers() -> [(String, Int)] {
        guard let values = expectedValues, let truth = frame.column(named: model.target.column) else { return [] }
        let actual = (0..<frame.rowCount).map { truth.string($0).flatMap { Double($0) } }
        let rows = (0..<frame.rowCount).filter { actual[$0] != nil }
        guard let closest = rows.min(by: { abs(actual[$0]! - values[$0]) < abs(actual[$1]! - values[$1]) }),
              let largest = rows.max(by: { actual[$0]! < actual[$1]! }) else { return [] }
        return [("closest to its actual \(truth.string(closest)!)", closest), ("largest actual \(truth.string(largest)!)", largest)]
    }

    private func body(_ rows: [Int]) throws -> [UInt8] { try RecordJSON.scoreBody(rows.map { records[$0] }) }

    private func predictions(rows: [Int]) throws -> (Bool, String) {
        let response = try client.score(rows.map { records[$0] })
        guard response.status == 200 else { return (false, "status \(response.status): \(response.text.prefix(200))") }
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let got = object["predictions"] as? [Any] else { return (false, "no predictions list in \(response.text.prefix(200))") }
        let timing = String(format: "%.1f ms", response.seconds * 1000)
        if let values = expectedValues {
            let numbers = got.map { ($0 as? NSNumber)?.doubleValue }
            let want = rows.map { values[$0] }
            let same = numbers.count == want.count && zip(numbers, want).allSatisfy { got, want in
                guard let got else { return false }
                return abs(got - want) <= Self.relativeTolerance * max(1, abs(want))
            }
            return (same, same ? "\(rows.count) number\(rows.count == 1 ? "" : "s") match within 1e-9 relative, \(timing)"
                               : "endpoint \(got.prefix(5)) vs model \(want.prefix(5))")
        }
        let labels = got.map { value -> String in
            if let n = value as? NSNumber, let i = Int(exactly: n.doubleValue) { return String(i) }
            return "\(value)"
        }
        let want = rows.map { expected[$0] }
        let same = labels == want
        return (same, same ? "\(rows.count) prediction\(rows.count == 1 ? "" : "s") match, \(String(format: "%.1f ms", response.seconds * 1000))"
                           : "endpoint \(labels.prefix(5)) vs model \(want.prefix(5))")
    }

    private func status(_ response: HTTPResponse, _ expected: Int) -> (Bool, String) {
        (response.status == expected, "status \(response.status)")
    }

    /// The right status and the error envelope {"error": {"code", "message"}}.
    private func envelope(_ response: HTTPResponse, _ expected: Int) throws -> (Bool, String) {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        let ok = response.status == expected && error?["code"] is String && error?["message"] is String
        return (ok, "status \(response.status), code \(error?["code"] as? String ?? "(no envelope)")")
    }
}
