import Foundation
import RappiClient
import RappiDeploy
import RappiML
import RappiWorkspace

/// `predict on NAME …` — records sent to a deployed endpoint over HTTP (libcurl); shown or
/// written `into` a CSV file exactly as the in-process `predict` does (`PredictionReport`).
enum EndpointPrediction {
    static func execute(_ name: String, _ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let endpoint = try workspace.endpoint(name)
        // The key goes only to this endpoint's own server: a pid or port reused by another
        // program must not receive it.
        if case .down(let why) = Deployer(workspace: workspace).health(endpoint) {
            throw CommandFailure("\(name) is down: \(why) — nothing was sent; `deploy \(endpoint.model):v\(endpoint.modelVersion) \(endpoint.target) as \(name)` starts it again")
        }
        let (records, json) = try PredictionInput.records(call, needsRecordsMessage: "predict on \(name) needs records: a {json} record or `from PATH`")
        // The inputs, and the class names (their order in `probabilities`), from the model file the
        // endpoint serves: the records are checked as the in-process `predict` checks them.
        let (target, inputs) = try ModelFile.decodeInterface([UInt8](try workspace.artifacts.read(endpoint.modelHash)))
        try PredictionInput.checkColumns(records, inputs: inputs, call: call)
        let body = json.map { $0.map { $0.compactMapValues { $0 } } } ?? RecordJSON.records(from: records)
        let response = try EndpointClient(workspace: workspace, endpoint: endpoint, trust: try ClientOptions.trust(call)).score(body)
        guard response.status == 200 else { throw CommandFailure(ErrorEnvelope.describe(response, from: name)) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let predictions = object["predictions"] as? [Any], predictions.count == records.rowCount else {
            throw CommandFailure("\(name) answered 200 without a predictions list for the \(records.rowCount) records: \(response.text.prefix(300))")
        }
        let source = "\(endpoint.model) v\(endpoint.modelVersion) at \(endpoint.url), \(String(format: "%.1f ms", response.seconds * 1000))"
        if target.task == .regression {
            let numbers = try predictions.map { value in
                guard let number = (value as? NSNumber)?.doubleValue, !(value is Bool) else {
                    throw CommandFailure("\(name) predicted '\(value)', which is not a number, for the regression model \(endpoint.model) v\(endpoint.modelVersion)")
                }
                return number
            }
            return try PredictionReport(records: records, values: numbers, targetColumn: target.column)
                .result(output: try call.path(PredictCommand.output), source: source, call: call)
        }
        let classes = target.classes
        let indices = try predictions.map { label in
            guard let index = classes.firstIndex(of: "\(label)") else {
                throw CommandFailure("\(name) predicted '\(label)', which is not a class of \(endpoint.model) v\(endpoint.modelVersion) (\(classes.joined(separator: ", ")))")
            }
            return index
        }
        let probabilities = (object["probabilities"] as? [[Double]]).map { $0.flatMap { $0 } }
        if let p = probabilities, p.count != records.rowCount * classes.count {
            throw CommandFailure("\(name) answered probabilities that do not match \(classes.count) classes per record")
        }
        return try PredictionReport(records: records, classIndices: indices, classes: classes, probabilities: probabilities,
                                    targetColumn: target.column)
            .result(output: try call.path(PredictCommand.output), source: source, call: call)
    }
}

/// Calls one endpoint with its primary key — over HTTPS only once the server's certificate is
/// trusted (`trust`), so the key never goes to a server that could not prove who it is.
struct EndpointClient {
    let workspace: Workspace
    let endpoint: EndpointRecord
    let trust: ServerTrust
    private let client: HTTPClient

    init(workspace: Workspace, endpoint: EndpointRecord, trust: ServerTrust) {
        self.workspace = workspace
        self.endpoint = endpoint
        self.trust = trust
        client = HTTPClient(trust: trust)
    }

    /// Fails with the reason when the endpoint's certificate is not trusted (or nothing answers),
    /// before a command sends it a key or many requests.
    func checkReachable() throws {
        do { _ = try client.get(endpoint.url + "/health/live", timeout: 5) } catch {
            throw CommandFailure("cannot reach \(endpoint.name) at \(endpoint.url): \(error)")
        }
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
