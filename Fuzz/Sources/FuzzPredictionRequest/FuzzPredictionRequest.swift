import FuzzSupport
@testable import RappiML
@testable import RappiServe

/// A prediction request body as a model server reads it: the JSON parser, both body styles
/// (/score and /invocations) and the frame built from the records for the Titanic inputs. Any
/// bytes give records or an API error; when the fast path builds a frame it is exactly the frame
/// `RecordFrame` builds.
private let titanic: [(name: String, type: ColumnType)] = [
    ("PassengerId", .integer), ("Pclass", .integer), ("Name", .text), ("Sex", .text), ("Age", .real), ("SibSp", .integer),
    ("Parch", .integer), ("Ticket", .text), ("Fare", .real), ("Cabin", .text), ("Embarked", .text),
]
private let inputs = titanic.map { InputColumn(name: $0.name, type: $0.type, completeInTraining: false) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPredictionRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    guard let body = try? JSONParser.parse(input.bytes) else { return 0 }
    for records in [try? PredictionRequest.scoreRecords(body), try? PredictionRequest.invocationRecords(body, inputs: inputs)] {
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
