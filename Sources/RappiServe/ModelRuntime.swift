import Foundation
import RappiML

/// The loaded model and the prediction path: records → frame → predictions → JSON text.
struct ModelRuntime: Sendable {
    let model: TrainedModel
    let name: String
    let version: Int

    init(model: TrainedModel, name: String, version: Int) {
        self.model = model
        self.name = name
        self.version = version
        self.labelJSON = Self.labelJSON(model)
        output = model.output
        if case .classLabel(_, let probabilities) = output { hasProbabilities = probabilities } else { hasProbabilities = false }
    }

    /// What the model answers with (asked once): a class label, or a number.
    let output: ModelOutput
    /// Whether the model answers with class probabilities.
    let hasProbabilities: Bool

    /// Reads and decodes a model file.
    static func load(path: String, name: String, version: Int) throws -> ModelRuntime {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelServerError("cannot read the model file '\(path)'")
        }
        do {
            return ModelRuntime(model: try ModelFile.decode([UInt8](data)), name: name, version: version)
        } catch {
            throw ModelServerError("cannot load the model file '\(path)': \(error)")
        }
    }

    var inputs: [InputColumn] { model.preprocessor.inputs }

    /// The prediction response body for `records`, or an `APIError` (422) naming each bad field.
    func predict(records: [JSONRecord]) throws -> String {
        encode(try classify(records: records))
    }

    /// The Open Inference Protocol outputs for `records`, from the same predictions.
    func inferenceValues(records: [JSONRecord]) throws -> InferenceResponse.Values {
        let result = try classify(records: records)
        return InferenceResponse.Values(labels: (0..<result.count).map { predictionJSON(result, row: $0) }, probabilities: result.probabilities,
                                        classCount: result.classCount)
    }

    /// Predictions for `records` through the model's one prediction path (`TrainedModel.predict`).
    /// Problems are reported at `rows[i]` for record `i` when `rows` is given (records taken from
    /// a larger batch).
    func classify(records: [JSONRecord], rows: [Int]? = nil) throws -> Predictions {
        let frame: DataFrame
        do {
            frame = try RecordFrameBuilder.frame(records, inputs: inputs)
        } catch let e as RecordErrors {
            let errors = rows.map { rows in e.errors.map { RecordError(row: rows[$0.row], field: $0.field, problem: $0.problem) } } ?? e.errors
            let count = errors.count
            let noun = count == 1 && !e.truncated ? "problem" : "problems"
            let first = errors.first.map { ": row \($0.row), field '\($0.field)': \($0.problem)" } ?? ""
            throw APIError.invalidInput("the input has \(count)\(e.truncated ? "+" : "") \(noun)\(first)", details: errors)
        }
        do {
            return try model.predict(frame)
        } catch {
            throw APIError.invalidInput("the input cannot be prepared for the model: \(error)")
        }
    }

    /// `{"predictions": [...], "probabilities": [[...]], "classes": [...], "model": NAME, "version": N}`;
    /// `classes` gives the order of each probability list. A regression model answers
    /// `{"predictions": [152.07, …], "model": NAME, "version": N}` (`model.output` is `.number`).
    func encode(_ result: Predictions) -> String {
        let k = result.classCount, probabilities = result.probabilities
        var w = JSONWriter(capacity: 64 + result.count * (probabilities == nil ? 20 : 24 + 10 * k) + name.utf8.count)
        w.raw("{\"predictions\":[")
        for i in 0..<result.count {
            if i > 0 { w.raw(",") }
            w.raw(predictionJSON(result, row: i))
        }
        w.raw("]")
        if let p = probabilities {
            w.raw(",\"probabilities\":[")
            for row in 0..<result.count {
                w.raw(row == 0 ? "[" : ",[")
                for c in 0..<k {
                    if c > 0 { w.raw(",") }
                    w.number(p[row * k + c])
                }
                w.raw("]")
            }
            w.raw("]")
            writeClasses(into: &w)
        }
        w.raw(",\"model\":")
        w.string(name)
        w.raw(",\"version\":")
        w.number(version)
        w.raw("}")
        return w.text
    }

    /// Each class as JSON: a number when the target is numeric (`0`, `1`), else a string.
    let labelJSON: [String]

    /// One record's prediction as JSON: its class, or a regression model's number (the shortest
    /// text that reads back as the same Double).
    func predictionJSON(_ result: Predictions, row: Int) -> String {
        if let values = result.values { return ModelOutput.numberText(values[row]) }
        return labelJSON[result.indices[row]]
    }

    /// `,"classes":[…]` — the order of the probabilities in an answer.
    func writeClasses(into w: inout JSONWriter) {
        w.raw(",\"classes\":[")
        w.raw(labelJSON.joined(separator: ","))
        w.raw("]")
    }

    private static func labelJSON(_ model: TrainedModel) -> [String] {
        model.classes.map { label in
            if model.target.isNumeric && label.isJSONNumber { return label }
            var w = JSONWriter(capacity: label.utf8.count + 2)
            w.string(label)
            return w.text
        }
    }
}

/// A server set-up problem (model file unreadable, bad keys file, …), reported before serving.
public struct ModelServerError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
