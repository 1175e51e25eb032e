import Foundation
import RappiClient
import RappiDeploy
import RappiML
import RappiWorkspace

/// `abtest simulate NAME from dataset D [vN] [requests=N] [batch=N]` — labelled records through
/// the live router over HTTP, their true outcomes posted to /feedback.
public enum AbtestSimulateCommand: RappiCommand {
    static let requests = CommandOption<Int?>("requests", OptionRule { (1...1_000_000).contains($0) ? nil : "must be between 1 and 1,000,000" }, help: "records to send (default: every row once; rows repeat when more)")
    static let batch = CommandOption("batch", default: 1, OptionRule { (1...1000).contains($0) ? nil : "must be between 1 and 1,000" },
                                     help: "records per request (1 to 1,000)")
    static let name = CommandArgument<String>("name", kind: .stored(.experiment), help: "a running experiment")
    static let version = CommandArgument<VersionSelector?>("version", help: "the dataset version (default: latest)")
    static let dataset = CommandArgument<String>("dataset", kind: .stored(.dataset), help: "a labelled dataset")

    public static let signature = CommandSignature(
        "abtest simulate", area: "experiments",
        summary: "Drive a dataset's records through a live experiment over HTTP and post their true outcomes to /feedback.",
        pattern: [
            name.spec,
            .keyword("from"), .keyword("dataset"),
            dataset.spec,
            .optional([version.spec]),
        ],
        options: [requests.spec, batch.spec],
        publishes: ["requests", "records", "seconds", "requests_a", "requests_b", "outcomes"],
        examples: ["abtest simulate titanic from dataset titanic", "abtest simulate titanic from dataset titanic v2 requests=5000 batch=10"])

    static let feedbackBatch = 100

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let workspace = try context.workspace()
        let experiment = try workspace.experiment(name)
        let router = ExperimentRouterProcess(workspace: workspace)
        guard let url = experiment.url, router.isLive(experiment) else {
            throw CommandFailure("experiment \(name) is not running — start it with `abtest start \(name) A vs B`")
        }
        let version = try workspace.datasetVersion(try call.value(Self.dataset), try call.value(Self.version) ?? .latest)
        let frame = try workspace.loadFrame(version, isCancelled: Interrupt.poll)
        let target = try ExperimentVariants.model(experiment.a, in: workspace).target
        guard frame.column(named: target.column) != nil else {
            throw CommandFailure("\(version.name) v\(version.version) has no column '\(target.column)', the models' target — simulate needs labelled records")
        }
        // The true outcome per row: its class label, or for a regression model the actual number.
        let allRows = Array(0..<frame.rowCount)
        let labels: [Any] = target.task == .regression ? try target.values(frame, rows: allRows)
            : try target.encode(frame, rows: allRows).indices.map { target.classes[$0] }
        let records = RecordJSON.records(from: frame, dropping: [target.column])
        if let unit = experiment.unit, frame.column(named: unit) == nil {
            throw CommandFailure("\(version.name) v\(version.version) has no column '\(unit)', the experiment's unit — simulate from the data the experiment is keyed by")
        }
        let total = try call.value(Self.requests) ?? frame.rowCount
        let batch = try call.value(Self.batch)

        // The router this workspace started (`isLive` checked its process): no authority needed.
        let client = HTTPClient(trust: .proven)
        let headers = router.authorization(experiment).merging(["Content-Type": "application/json"]) { $1 }
        var counts = ["A": 0, "B": 0]
        var pending: [[String: Any]] = []
        var posted = 0, requests = 0
        func postFeedback() throws {
            guard !pending.isEmpty else { return }
            let body = try JSONSerialization.data(withJSONObject: ["feedback": pending], options: [.sortedKeys])
            let response = try client.send("POST", url + "/feedback", headers: headers, body: Array(body), timeout: 30)
            guard response.status == 200 else { throw CommandFailure(ErrorEnvelope.describe(response, from: "router \(name) /feedback")) }
            posted += pending.count
            pending.removeAll(keepingCapacity: true)
        }
        let storedBefore = try workspace.experimentOutcomeCount(name)
        let started = Date()
        var next = 0
        while next < total {
            if Interrupt.isRequested { throw CommandFailure("interrupted after \(next) of \(total) records") }
            let rows = (next..<min(next + batch, total)).map { $0 % frame.rowCount }
            let response = try client.send("POST", url + "/score", headers: headers, body: try RecordJSON.scoreBody(rows.map { records[$0] }),
                                           timeout: 30)
            guard response.status == 200 else { throw CommandFailure(ErrorEnvelope.describe(response, from: "router \(name)")) }
            guard let answer = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                  let ids = answer["request_ids"] as? [String], let variants = answer["variants"] as? [String], ids.count == rows.count else {
                throw CommandFailure("router \(name) answered 200 without request_ids for every record: \(response.text.prefix(300))")
            }
            for (i, row) in rows.enumerated() {
                counts[variants[i], default: 0] += 1
                pending.append(["request_id": ids[i], "outcome": labels[row]])
            }
            if pending.count >= feedbackBatch { try postFeedback() }
            requests += 1
            next += rows.count
        }
        try postFeedback()
        let seconds = Date().timeIntervalSince(started)
        // The router writes in batches off the request path: wait (briefly) until this traffic is
        // stored, so a report that follows sees all of it.
        let deadline = Date().addingTimeInterval(5)
        while try workspace.experimentOutcomeCount(name) < storedBefore + posted, Date() < deadline { usleep(20_000) }
        let text = String(format: "simulated %d records in %d requests through %@ from %@ v%d in %.2f s (%.0f requests/s): A %d, B %d; %d outcomes posted",
                          total, requests, name, version.name, version.version, seconds, Double(requests) / max(seconds, 1e-9),
                          counts["A"]!, counts["B"]!, posted)
        return CommandResult(text, values: [
            ("requests", .int(requests)), ("records", .int(total)), ("seconds", .double(seconds)),
            ("requests_a", .int(counts["A"]!)), ("requests_b", .int(counts["B"]!)), ("outcomes", .int(posted)),
        ])
    }
}
