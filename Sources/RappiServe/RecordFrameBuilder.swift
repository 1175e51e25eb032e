import Foundation
import RappiML

/// Builds the model's input frame from JSON records.
///
/// Well-formed records — JSON numbers (or null/absent) for numeric fields, strings (or null/absent)
/// for text fields — go straight into columns; missing values are imputed later, by the model's
/// preprocessing, as on every other path. Anything else goes
/// through `RecordFrame.make`, which defines the semantics (numbers spelled as strings, numbers
/// for text fields, …) and names every problem; the fast path builds exactly the frame it would.
enum RecordFrameBuilder {
    static func frame(_ records: [JSONRecord], inputs: [InputColumn]) throws -> DataFrame {
        if let frame = fastFrame(records, inputs: inputs) { return frame }
        let converted: [[String: Any?]] = records.map { record in
            var out: [String: Any?] = [:]
            out.reserveCapacity(record.count)
            for (key, value) in record { out[key] = .some(value.recordValue) }
            return out
        }
        return try RecordFrame.make(records: converted, inputs: inputs)
    }

    /// nil when any record needs `RecordFrame`'s conversions or error reporting.
    static func fastFrame(_ records: [JSONRecord], inputs: [InputColumn]) -> DataFrame? {
        let n = records.count
        var numeric = [[Double]](repeating: [], count: inputs.count)
        var text = [[String?]](repeating: [], count: inputs.count)
        for (j, input) in inputs.enumerated() {
            if input.type.isNumeric { numeric[j].reserveCapacity(n) } else { text[j].reserveCapacity(n) }
        }
        for record in records {
            var found = 0
            for (j, input) in inputs.enumerated() {
                var value: JSONValue?
                for member in record.reversed() where member.key == input.name { value = member.value; break }
                if value != nil { found += 1 }
                switch value {
                case .number(let v)?:
                    guard input.type.isNumeric, v.isFinite, input.type == .real || v == v.rounded() else { return nil }
                    numeric[j].append(v)
                case .string(let s)?:
                    guard !input.type.isNumeric else { return nil }
                    text[j].append(s.isEmpty ? nil : s)
                case .null?, nil:
                    if input.type.isNumeric { numeric[j].append(.nan) } else { text[j].append(nil) }
                default:
                    return nil
                }
            }
            // An extra key might be a misspelling of an absent field, and a record without any of
            // the fields is an error: let RecordFrame judge them.
            if found == 0 || (found < inputs.count && record.count > found) { return nil }
        }
        return DataFrame(columns: inputs.enumerated().map { j, input in
            if input.type.isNumeric { return Column(name: input.name, type: input.type, values: numeric[j]) }
            return Column(name: input.name, strings: text[j])
        })
    }
}
