import Foundation
import RappiML
import RappiWorkspace

/// A pipeline run as shown to people, read from the workspace or from the REST API's JSON.
struct RunView {
    struct Step {
        let step: Int
        let kind: String
        let status: String
        let milliseconds: Double?
        let valuesJSON: String
        let error: String?
        let reusedFrom: Int?
    }

    let id: Int
    let pipeline: String
    let version: Int
    let compute: String
    let status: String
    let error: String?
    let attempt: Int
    let outputsJSON: String
    let steps: [Step]

    var isFinished: Bool { ["succeeded", "failed", "cancelled"].contains(status) }

    init(_ run: PipelineRun, steps: [PipelineStep]) {
        id = run.id; pipeline = run.pipeline; version = run.pipelineVersion; compute = run.compute; status = run.status
        error = run.error; attempt = run.attempt; outputsJSON = run.outputsJSON
        self.steps = steps.map { Step(step: $0.step, kind: $0.kind, status: $0.status, milliseconds: $0.durationMilliseconds,
                                      valuesJSON: $0.valuesJSON, error: $0.error, reusedFrom: $0.reusedFrom) }
    }

    static func load(_ id: Int, from workspace: Workspace) throws -> RunView {
        RunView(try workspace.pipelineRun(id), steps: try workspace.pipelineSteps(id))
    }

    /// From `GET /api/runs/{id}` (see PipelineRunJSON in RappiServe).
    init?(json object: [String: Any]) {
        guard let id = object["id"] as? Int, let status = object["status"] as? String else { return nil }
        self.id = id
        pipeline = object["pipeline"] as? String ?? ""
        version = object["pipeline_version"] as? Int ?? 0
        compute = object["compute"] as? String ?? ""
        self.status = status
        error = object["error"] as? String
        attempt = object["attempt"] as? Int ?? 0
        outputsJSON = Self.json(object["outputs"])
        steps = (object["steps"] as? [[String: Any]] ?? []).map { step in
            Step(step: step["step"] as? Int ?? 0, kind: step["kind"] as? String ?? "", status: step["status"] as? String ?? "",
                 milliseconds: step["duration_ms"] as? Double, valuesJSON: Self.json(step["values"]), error: step["error"] as? String,
                 reusedFrom: step["reused_from"] as? Int)
        }
    }

    private static func json(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// One line per step: `  3/5  train rf        succeeded   1.21 s  train_accuracy=0.98`.
    func line(for step: Step) -> String {
        let time = step.milliseconds.map { String(format: "%.2f s", $0 / 1000) } ?? ""
        var detail = step.status == "reused" ? "(from run \(step.reusedFrom.map(String.init) ?? "?"))  " : ""
        detail += step.error ?? Self.brief(step.valuesJSON)
        let kind = step.kind.padding(toLength: max(14, step.kind.count), withPad: " ", startingAt: 0)
        let status = step.status.padding(toLength: 10, withPad: " ", startingAt: 0)
        return "  \(step.step)/\(steps.count)  \(kind)  \(status)  \(time.padding(toLength: 8, withPad: " ", startingAt: 0))  \(detail)"
    }

    /// A few published values, `name=value`, for a step line.
    static func brief(_ valuesJSON: String, limit: Int = 4) -> String {
        Value.publishedValues(fromJSON: valuesJSON).prefix(limit).map { "\($0.name)=\(Self.short($0.value))" }.joined(separator: " ")
    }

    private static func short(_ value: Value) -> String {
        if case .double(let d) = value { return String(format: "%.4f", d) }
        if case .string(let s) = value, s.count > 24 { return String(s.prefix(12)) + "…" }
        return value.description
    }

    /// The statement's result: every step, then the run's outcome; publishes the run's outputs.
    func result() -> CommandResult {
        var lines = ["run \(id): \(pipeline) v\(version) on \(compute) — \(status)" + (attempt > 1 ? " (attempt \(attempt))" : "")]
        lines += steps.map(line(for:))
        if let error, status != "succeeded" { lines.append("  \(error)") }
        let reused = steps.filter { $0.status == "reused" }.count
        if reused > 0 { lines.append("  \(reused) of \(steps.count) steps reused from earlier runs") }
        var values: PublishedValues = [("run_id", .int(id)), ("run_status", .string(status))]
        values += Value.publishedValues(fromJSON: outputsJSON).filter { $0.name != "run_id" && $0.name != "run_status" }
        values.append(("steps_reused", .int(reused)))
        return CommandResult(lines.joined(separator: "\n"), values: values)
    }
}

/// Prints step lines as a run progresses (each step once when it starts, once when it ends).
final class RunProgress {
    private var shown: [Int: String] = [:]
    private let emit: ((String) -> Void)?

    init(emit: ((String) -> Void)?) { self.emit = emit }

    func update(_ view: RunView) {
        guard let emit else { return }
        for step in view.steps where step.status != "pending" && shown[step.step] != step.status {
            emit(view.line(for: step))
            shown[step.step] = step.status
        }
    }
}
