import Foundation
import RappiClient
import RappiML
import RappiWorkspace

/// `predict on NAME …` — records sent to a deployed endpoint over HTTP (libcurl).
enum EndpointPrediction {
    static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.string("endpoint")!
        let workspace = try context.workspace()
        let endpoint = try workspace.endpoint(name)
        let records: [[String: Any]]
        if call.has("record") {
            records = try RecordJSON.records(fromBlock: try call.string("record")!)
        } else if let path = try call.path("path") {
            records = RecordJSON.records(from: try PredictionInput.frame(from: path, call: call))
        } else {
            throw call.error("predict on \(name) needs records: a {json} record or `from PATH`", at: "endpoint")
        }
        let response = try EndpointClient(workspace: workspace, endpoint: endpoint).score(records)
        guard response.status == 200 else { throw CommandFailure(ErrorEnvelope.describe(response, from: name)) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let predictions = object["predictions"] as? [Any] else {
            throw CommandFailure("\(name) answered 200 without a predictions list: \(response.text.prefix(300))")
        }
        let labels = predictions.map { "\($0)" }
        let probabilities = (object["probabilities"] as? [[Double]]).map { $0.map(Optional.some) }
            ?? Array(repeating: nil, count: labels.count)
        let classes = (probabilities.first ?? nil).map { p in (0..<p.count).map(String.init) } ?? []
        return PredictionTable.result(records: records, labels: labels, probabilities: probabilities, classes: classes,
                                      source: "\(endpoint.model) v\(endpoint.modelVersion) at \(endpoint.url), \(String(format: "%.1f ms", response.seconds * 1000))")
    }
}

/// Calls one endpoint with its primary key.
struct EndpointClient {
    let workspace: Workspace
    let endpoint: EndpointRecord
    private let client = HTTPClient()

    init(workspace: Workspace, endpoint: EndpointRecord) {
        self.workspace = workspace
        self.endpoint = endpoint
    }

    var authorization: [String: String] {
        guard endpoint.auth == "key", let keys = try? EndpointKeys.read(workspace, endpoint: endpoint.name) else { return [:] }
        return ["Authorization": "Bearer \(keys.primary)"]
    }

    func score(_ records: [[String: Any]]) throws -> HTTPResponse {
        try client.send("POST", endpoint.url + "/score", headers: authorization.merging(["Content-Type": "application/json"]) { $1 },
                        body: try RecordJSON.scoreBody(records), timeout: 30)
    }

    func send(_ method: String, _ path: String, headers: [String: String], body: [UInt8]?) throws -> HTTPResponse {
        try client.send(method, endpoint.url + path, headers: headers, body: body, timeout: 30)
    }
}

/// The server's error envelope, told in a sentence: status, code, message and each detail.
enum ErrorEnvelope {
    static func describe(_ response: HTTPResponse, from name: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else {
            return "\(name) answered \(response.status): \(response.text.prefix(300))"
        }
        var text = "\(name) answered \(response.status) \(error["code"] as? String ?? ""): \(error["message"] as? String ?? "")"
        for detail in (error["details"] as? [[String: Any]] ?? []).prefix(10) {
            text += "\n  row \(detail["row"] ?? "?"), \(detail["field"] ?? "?"): \(detail["problem"] ?? "")"
        }
        return text
    }
}
