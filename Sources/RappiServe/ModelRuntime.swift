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
        hasProbabilities = model.estimator.predictProbabilities(
            FeatureMatrix(rows: 0, columns: model.estimator.featureCount, values: [], names: model.preprocessor.featureNames)) != nil
    }

    /// Whether the model answers with class probabilities (asked once, of an empty batch).
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
        let result = try classify(records: records)
        return encode(indices: result.indices, probabilities: result.probabilities, classCount: result.classCount)
    }

    /// The Open Inference Protocol outputs for `records`, from the same predictions.
    func inferenceValues(records: [JSONRecord]) throws -> InferenceResponse.Values {
        let result = try classify(records: records)
        return InferenceResponse.Values(labels: result.indices.map { labelJSON[$0] }, probabilities: result.probabilities,
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
    /// `classes` gives the order of each probability list.
    func encode(indices: [Int], probabilities: [Double]?, classCount k: Int) -> String {
        var w = JSONWriter(capacity: 64 + indices.count * (probabilities == nil ? 4 : 24 + 10 * k) + name.utf8.count)
        w.raw("{\"predictions\":[")
        for (i, c) in indices.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw(labelJSON[c])
        }
        w.raw("]")
        if let p = probabilities {
            w.raw(",\"probabilities\":[")
            for row in 0..<indices.count {
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
