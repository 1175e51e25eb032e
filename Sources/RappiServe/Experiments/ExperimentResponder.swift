import Foundation
import HTTPTypes
import Hummingbird
import RappiML
import RappiWorkspace

/// The A/B router's answers: `/score` and `/invocations` split records between the two
/// variants' models (scored in this process, with the model server's own prediction code),
/// `/feedback` records outcomes, and the model server's health, metrics and OpenAPI routes.
struct ExperimentResponder: HTTPResponder {
    typealias Context = ServeRequestContext

    let experiment: String
    /// A's and B's models, indexed by `VariantAssignment.a` / `.b`.
    let runtimes: [ModelRuntime]
    let assignment: VariantAssignment
    let control: ExperimentControlWatcher
    let recorder: AssignmentRecorder
    let feedback: FeedbackHandler
    let recordIDs: RequestIDs
    let core: ServingCore

    /// The router's inference-protocol outputs after the model's: each row's variant and the
    /// request id `/feedback` takes.
    static let inferenceOutputs = ["variant", "request_id"]

    func respond(to request: Request, context: Context) async throws -> Response {
        await core.answer(request, context: context) { route in try await handle(route, request) }
    }

    private func handle(_ route: Route, _ request: Request) async throws -> Response {
        if route == .unknown { throw APIError.notFound(ModelResponder.printablePath(request.uri.path), feedback: true) }
        if route.isInferenceProtocol, let path = InferencePath(path: request.uri.path) {
            let start = ModelResponder.monotonicNanoseconds()
            return await core.inferenceResponse(path, request) { records in
                let scored = try assignAndScore(records, start: start)
                let n = records.count
                let labels = (0..<n).map { row in
                    runtimes[scored.variantOf[row]].predictionJSON(scored.results[scored.variantOf[row]]!, row: scored.positionOf[row])
                }
                var probabilities: [Double]?
                let k = runtimes[0].model.classes.count
                if scored.results.allSatisfy({ $0 == nil || $0!.probabilities != nil }) {
                    var all = [Double]()
                    all.reserveCapacity(n * k)
                    for row in 0..<n {
                        let result = scored.results[scored.variantOf[row]]!
                        all += result.probabilities![(scored.positionOf[row] * k)..<((scored.positionOf[row] + 1) * k)]
                    }
                    probabilities = all
                }
                return InferenceResponse.Values(labels: labels, probabilities: probabilities, classCount: k,
                                                extra: [scored.variantOf.map { VariantAssignment.labels[$0] }, scored.requestIDs])
            }
        }
        guard route.methods.contains(request.method) else { throw APIError.methodNotAllowed(request.method, route: route) }
        switch route {
        case .live, .ready, .metrics, .openapi:
            return core.informational(route)
        case .score, .invocations:
            let start = ModelResponder.monotonicNanoseconds()
            let text = try await core.limitedJSON(request) { json in
                let records = try ModelResponder.records(route, json, inputs: runtimes[VariantAssignment.a].inputs)
                let scored = try assignAndScore(records, start: start)
                return encode(variantOf: scored.variantOf, positionOf: scored.positionOf, results: scored.results, requestIDs: scored.requestIDs)
            }
            return ModelResponder.response(.ok, body: ByteBuffer(string: text), type: ModelResponder.jsonType)
        case .feedback:
            let count = try await core.limitedJSON(request) { json in try feedback.handle(json) }
            return ModelResponder.response(.ok, body: ByteBuffer(string: "{\"recorded\":\(count)}"), type: ModelResponder.jsonType)
        case .unknown, .v2Server, .v2Live, .v2Ready, .v2Model, .v2ModelReady, .v2Infer:
            throw APIError.notFound(ModelResponder.printablePath(request.uri.path), feedback: true)
        }
    }

    /// One batch assigned and scored: each record's variant, its position inside that variant's
    /// result, the variants' results and each record's request id.
    private struct Scored {
        let variantOf: [Int]
        let positionOf: [Int]
        let results: [Predictions?]
        let requestIDs: [String]
    }

    /// Assigns each record, scores each variant's records with its model and records the
    /// assignments.
    private func assignAndScore(_ records: [JSONRecord], start: UInt64) throws -> Scored {
        let shareA = control.current().shareA
        var variantOf = [Int](repeating: VariantAssignment.a, count: records.count)
        var units: [String?] = Array(repeating: nil, count: records.count)
        var rowsOf: [[Int]] = [[], []]
        for (row, record) in records.enumerated() {
            if let field = assignment.unitField {
                guard let unit = VariantAssignment.unitValue(record, field: field) else {
                    throw APIError.invalidInput(
                        "record \(row) has no value for '\(field)', the experiment's unit — every record must carry it so the same \(field) always sees the same variant",
                        details: [RecordError(row: row, field: field, problem: "missing; expected a string or a number")])
                }
                units[row] = unit
            }
            let variant = assignment.variant(unit: units[row], shareA: shareA)
            variantOf[row] = variant
            rowsOf[variant].append(row)
        }
        var results: [Predictions?] = [nil, nil]
        for variant in 0..<2 where !rowsOf[variant].isEmpty {
            let rows = rowsOf[variant]
            let subset = rows.count == records.count ? records : rows.map { records[$0] }
            results[variant] = try runtimes[variant].classify(records: subset, rows: rows)
        }
        // Position of each record inside its variant's result.
        var positionOf = [Int](repeating: 0, count: records.count)
        for variant in 0..<2 { for (i, row) in rowsOf[variant].enumerated() { positionOf[row] = i } }

        let requestIDs = (0..<records.count).map { _ in recordIDs.next() }
        let micros = Int((ModelResponder.monotonicNanoseconds() &- start) / 1000)
        recorder.record((0..<records.count).map { row in
            let variant = variantOf[row]
            return ExperimentAssignment(requestID: requestIDs[row], variant: VariantAssignment.labels[variant], unit: units[row],
                                        prediction: results[variant]!.label(positionOf[row]), shareA: shareA, latencyMicroseconds: micros)
        })
        return Scored(variantOf: variantOf, positionOf: positionOf, results: results, requestIDs: requestIDs)
    }

    /// `{"predictions": […], "probabilities": […], "classes": […], "variants": […], "request_ids": […],
    /// "experiment": NAME}`, plus `variant` and `request_id` for a single record. A record whose
    /// model has no probabilities gets `null` among them.
    private func encode(variantOf: [Int], positionOf: [Int], results: [Predictions?], requestIDs: [String]) -> String {
        let n = variantOf.count
        var w = JSONWriter(capacity: 96 + n * 64)
        w.raw("{\"predictions\":[")
        for row in 0..<n {
            if row > 0 { w.raw(",") }
            let variant = variantOf[row]
            w.raw(runtimes[variant].predictionJSON(results[variant]!, row: positionOf[row]))
        }
        w.raw("]")
        if results.contains(where: { $0?.probabilities != nil }) {
            w.raw(",\"probabilities\":[")
            for row in 0..<n {
                if row > 0 { w.raw(",") }
                let result = results[variantOf[row]]!
                guard let p = result.probabilities else { w.raw("null"); continue }
                let k = result.classCount, base = positionOf[row] * k
                w.raw("[")
                for c in 0..<k {
                    if c > 0 { w.raw(",") }
                    w.number(p[base + c])
                }
                w.raw("]")
            }
            w.raw("]")
            runtimes[0].writeClasses(into: &w)  // both variants predict the same target (checked at start)
        }
        w.raw(",\"variants\":[")
        for row in 0..<n { w.raw(row == 0 ? "\"" : ",\""); w.raw(VariantAssignment.labels[variantOf[row]]); w.raw("\"") }
        w.raw("],\"request_ids\":[")
        for row in 0..<n { if row > 0 { w.raw(",") }; w.string(requestIDs[row]) }
        w.raw("]")
        if n == 1 {
            w.raw(",\"variant\":\"")
            w.raw(VariantAssignment.labels[variantOf[0]])
            w.raw("\",\"request_id\":")
            w.string(requestIDs[0])
        }
        w.raw(",\"experiment\":")
        w.string(experiment)
        w.raw("}")
        return w.text
    }
}
