import FuzzSupport
@testable import RappiML
@testable import RappiServe

/// A prediction request body as a model server reads it: the JSON parser, the three body styles
/// (/score, /invocations and the Open Inference Protocol's infer) and the frame built from the
/// records for the Titanic inputs. Any bytes give records or an API error; when the fast path
/// builds a frame it is exactly the frame `RecordFrame` builds, and when the v2 reader
/// (`InferenceRequestReader`) reads a body, the generic path (JSON tree, then
/// `InferenceRequest.init`) accepts it too and gives exactly the same request.
private let titanic: [(name: String, type: ColumnType)] = [
    ("PassengerId", .integer), ("Pclass", .integer), ("Name", .text), ("Sex", .text), ("Age", .real), ("SibSp", .integer),
    ("Parch", .integer), ("Ticket", .text), ("Fare", .real), ("Cabin", .text), ("Embarked", .text),
]
private let inputs = titanic.map { InputColumn(name: $0.name, type: $0.type, completeInTraining: false) }
private let signature = InferenceSignature(
    name: "titanic_rf", version: "1", platform: "rappi_rf", inputs: inputs,
    outputs: [.init(name: "label", datatype: "INT64", shape: [-1, 1]), .init(name: "probabilities", datatype: "FP64", shape: [-1, 2])],
    classes: ["0", "1"])

/// A decoded v2 request as text, every value exact (`JSONValue` is not `Equatable`).
private func describe(_ request: InferenceRequest) -> String {
    "\(String(describing: request.id))|\(String(describing: request.requestedOutputs))|\(request.records)"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPredictionRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    // The v2 reader sees every input, valid JSON or not: it must refuse what the parser refuses.
    let read = input.bytes.withUnsafeBytes { InferenceRequestReader.read($0, signature: signature) }
    guard let body = try? JSONParser.parse(input.bytes) else {
        if read != nil { fatalError("the v2 reader read a body that is not valid JSON") }
        return 0
    }
    let inferred = try? InferenceRequest(body, signature: signature)
    if let read {
        guard let inferred else { fatalError("the v2 reader read a body InferenceRequest refuses") }
        if describe(read) != describe(inferred) {
            fatalError("the v2 reader and InferenceRequest differ:\n\(describe(read))\n---\n\(describe(inferred))")
        }
    }
    for records in [try? PredictionRequest.scoreRecords(body), try? PredictionRequest.invocationRecords(body, inputs: inputs), inferred?.records] {
        guard let records else { continue }
        let built = try? RecordFrameBuilder.frame(records, inputs: inputs)
        if let fast = RecordFrameBuilder.fastFrame(records, inputs: inputs) {
            let converted: [[String: Any?]] = records.map { record in
                var out: [String: Any?] = [:]
                for (key, value) in record { out[key] = .some(value.recordValue) }
                return out
            }
            guard let slow = try? RecordFrame.make(records: converted, inputs: inputs) else {
                fatalError("the fast path built a frame RecordFrame refuses")
            }
            if FrameText.describe(fast) != FrameText.describe(slow) {
                fatalError("fast and RecordFrame frames differ:\n\(FrameText.describe(fast))---\n\(FrameText.describe(slow))")
            }
            _ = built
        }
    }
    return 0
}
