import RappiML
import RappiWorkspace

/// `POST /feedback`: `{"request_id": "…", "outcome": 1}`, or a batch as `{"feedback": [{…}, …]}`
/// or a bare list `[{…}, …]`. All or nothing: one unknown request id answers 404, one outcome
/// that is not a class of the model answers 422, a request id that already has an outcome (or
/// appears twice in the batch) answers 409 — an outcome is never silently replaced — and then
/// nothing of the batch is stored.
struct FeedbackHandler {
    static let shape = #"expected {"request_id": "…", "outcome": …}, or a batch {"feedback": [{"request_id": "…", "outcome": …}, …]}"#

    let recorder: AssignmentRecorder
    /// The target (class labels) of A's and B's models, by variant label.
    let targets: [String: TargetEncoding]

    /// Stores the outcomes and returns how many were recorded.
    func handle(_ body: JSONValue) throws -> Int {
        let items = try Self.items(body)
        var parsed: [(requestID: String, outcome: JSONValue)] = []
        var problems: [RecordError] = []
        for (row, item) in items.enumerated() {
            guard case .object = item else {
                problems.append(RecordError(row: row, field: "", problem: "expected an object with request_id and outcome, got \(item.kind)"))
                continue
            }
            guard case .string(let id)? = item["request_id"], !id.isEmpty else {
                problems.append(RecordError(row: row, field: "request_id", problem: "expected the request_id string a prediction answered with"))
                continue
            }
            guard let outcome = item["outcome"], outcome.isScalar else {
                problems.append(RecordError(row: row, field: "outcome", problem: "expected the true outcome: a class label (a string or a number), or the actual value for a regression model"))
                continue
            }
            parsed.append((id, outcome))
        }
        if !problems.isEmpty { throw Self.invalid(problems) }

        let variants = try recorder.variants(of: parsed.map(\.requestID))
        let unknown = parsed.enumerated().filter { variants[$0.element.requestID] == nil }
        if !unknown.isEmpty {
            let details = unknown.prefix(RecordErrors.limit).map {
                RecordError(row: $0.offset, field: "request_id",
                            problem: "no prediction of experiment '\(recorder.experiment)' has the request id '\($0.element.requestID.prefix(128))'")
            }
            throw APIError(status: .notFound, code: "unknown_request_id",
                           message: "\(unknown.count) of \(parsed.count) request ids are unknown to experiment '\(recorder.experiment)' — send the request_id a prediction answered with; nothing was stored",
                           details: details)
        }
        var outcomes: [ExperimentOutcome] = []
        for (row, item) in parsed.enumerated() {
            let target = targets[variants[item.requestID]!]!
            if let label = Self.label(item.outcome, target: target) {
                outcomes.append(ExperimentOutcome(requestID: item.requestID, outcome: label))
            } else if target.task == .regression {
                problems.append(RecordError(row: row, field: "outcome",
                                            problem: "\(item.outcome.text) is not a number — the experiment's models predict the number '\(target.column)', so an outcome is the actual value (a JSON number)"))
            } else {
                let classes = target.classes.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
                problems.append(RecordError(row: row, field: "outcome",
                                            problem: "\(item.outcome.text) is not a class of the target '\(target.column)' (classes: \(classes))"))
            }
        }
        if !problems.isEmpty { throw Self.invalid(problems) }
        var seen: Set<String> = []
        let twice = outcomes.map(\.requestID).filter { !seen.insert($0).inserted }
        if !twice.isEmpty { throw Self.conflict(twice, "appears more than once in this batch") }
        let repeated = try recorder.recordFirstOutcomes(outcomes)
        if !repeated.isEmpty { throw Self.conflict(repeated, "already has an outcome") }
        return outcomes.count
    }

    private static func conflict(_ ids: [String], _ why: String) -> APIError {
        APIError(status: .conflict, code: "outcome_already_recorded",
                 message: "\(ids.count) request id\(ids.count == 1 ? "" : "s") \(why) (first: '\(ids[0].prefix(128))') — an outcome is recorded once and never replaced; nothing was stored",
                 details: ids.prefix(RecordErrors.limit).map { RecordError(row: 0, field: "request_id", problem: "'\($0.prefix(128))' \(why)") })
    }

    /// The class label an outcome names, as the model knows its classes: a JSON number equal to
    /// a numeric class (`1`, `1.0`), or a string spelling a class exactly (`"1"`) — not `"0x1"`,
    /// `"+1"` or `"1e0"`, which only parse to the same number.
    static func label(_ value: JSONValue, target: TargetEncoding) -> String? {
        if target.task == .regression {
            // The actual value, stored in the text the predictions are stored in.
            switch value {
            case .number(let number) where number.isFinite: return ModelOutput.numberText(number)
            case .string(let text): return Double(text).flatMap { $0.isFinite ? ModelOutput.numberText($0) : nil }
            default: return nil
            }
        }
        if target.isNumeric {
            switch value {
            case .number(let number): return target.classes.first { Double($0) == number }
            case .string(let text): return target.classes.contains(text) ? text : nil
            default: return nil
            }
        }
        let text: String
        switch value {
        case .string(let s): text = s
        case .number(let v): text = v == v.rounded() && v.magnitude < 1e15 ? String(Int64(v)) : String(v)
        case .bool(let b): text = b ? "true" : "false"
        default: return nil
        }
        return target.classes.contains(text) ? text : nil
    }

    private static func items(_ body: JSONValue) throws -> [JSONValue] {
        let items: [JSONValue]
        switch body {
        case .array(let list): items = list
        case .object where body["feedback"] != nil:
            guard case .array(let list)? = body["feedback"] else {
                throw APIError.invalidInput("\"feedback\" is \(body["feedback"]!.kind); \(shape)")
            }
            items = list
        case .object: items = [body]
        default: throw APIError.invalidInput("the body is \(body.kind); \(shape)")
        }
        guard !items.isEmpty else { throw APIError.invalidInput("the feedback list is empty; \(shape)") }
        return items
    }

    private static func invalid(_ problems: [RecordError]) -> APIError {
        let first = problems[0]
        return APIError.invalidInput("the feedback has \(problems.count) problem\(problems.count == 1 ? "" : "s"): row \(first.row), field '\(first.field)': \(first.problem); nothing was stored",
                                     details: Array(problems.prefix(RecordErrors.limit)))
    }
}

extension JSONValue {
    var isScalar: Bool {
        switch self {
        case .string, .number, .bool: return true
        default: return false
        }
    }

    /// Short JSON-ish text for messages.
    var text: String {
        switch self {
        case .string(let s): return "\"\(s.prefix(60))\""
        case .number(let v): return v == v.rounded() && v.magnitude < 1e15 ? String(Int64(v)) : String(v)
        case .bool(let b): return b ? "true" : "false"
        default: return kind
        }
    }
}
