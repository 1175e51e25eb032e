import Foundation

/// Builds a `DataFrame` from JSON-like records (as decoded from a request body) using a model's
/// input schema, for serving.
///
/// Values may be `String`, `Bool`, any Swift integer or floating-point type, `NSNumber`, `nil` or
/// `NSNull`.
/// - Numeric field: a number, or a string that spells one (`"22"`, `" 7.25 "`). An empty string,
///   `nil`/`NSNull`, NaN or an absent field is a missing value. Anything else is an error.
/// - Text field: a string (empty = missing); numbers become their canonical text
///   (`NumberText.display`: `3` for 3 and 3.0, `2.5`), booleans `true`/`false`.
/// - An absent field, null or an empty value is a missing value, imputed later by the model's
///   preprocessing exactly as an empty CSV cell is (see `InputCoercion`). A record that names
///   none of the fields at all is an error.
/// - Fields not in the schema are ignored, except one that looks like a misspelling of an absent
///   schema field (`Agee` for `Age`), which is an error suggesting the name.
///
/// All problems are collected (up to `RecordErrors.limit`) and thrown as `RecordErrors`.
public enum RecordFrame {
    public static func make(records: [[String: Any?]], schema: [(name: String, type: ColumnType)]) throws -> DataFrame {
        try make(records: records, inputs: schema.map { InputColumn(name: $0.name, type: $0.type, completeInTraining: false) })
    }

    /// Every field the records have (names sorted), each numeric when all its values are numbers
    /// (or missing), else text — the records as a table, for showing or writing them. A field
    /// holding an array or an object somewhere has no table form and is left out.
    public static func make(records: [[String: Any?]]) throws -> DataFrame {
        let names = Set(records.flatMap(\.keys)).sorted()
        let schema = names.compactMap { name -> (name: String, type: ColumnType)? in
            var type = ColumnType.integer
            for record in records {
                guard let value = record[name].flatMap({ unwrap($0) }) else { continue }
                switch classify(value) {
                case .number(let v): if type == .integer && !v.isNaN && v != v.rounded() { type = .real }
                case .string, .bool: type = .text
                case .other: return nil
                }
            }
            return (name, type)
        }
        return try make(records: records, schema: schema)
    }

    public static func make(records: [[String: Any?]], inputs: [InputColumn]) throws -> DataFrame {
        var errors: [RecordError] = []
        var truncated = false
        func fail(_ row: Int, _ field: String, _ problem: String) {
            if errors.count < RecordErrors.limit { errors.append(RecordError(row: row, field: field, problem: problem)) } else { truncated = true }
        }

        var numeric = [[Double]](repeating: [], count: inputs.count)
        var text = [[String?]](repeating: [], count: inputs.count)
        let names = inputs.map(\.name)
        let known = Set(names)

        for (row, record) in records.enumerated() {
            // A record naming none of the fields is almost surely a client bug, not a passenger
            // to impute from scratch.
            if !inputs.isEmpty && !names.contains(where: { record.keys.contains($0) }) {
                let list = names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", …" : "")
                fail(row, "", "the record has none of the model's fields (\(list)) — send at least one; the others are imputed")
            }
            // Likely misspellings of absent fields, in a stable order.
            for key in record.keys.sorted() where !known.contains(key) {
                let absent = names.filter { record[$0] == nil }
                if let match = NameSuggestion.closest(to: key, in: absent) {
                    fail(row, key, "unknown field — did you mean '\(match)'?")
                }
            }
            for (j, input) in inputs.enumerated() {
                let value = record[input.name].flatMap { unwrap($0) }
                if input.type.isNumeric {
                    switch number(value, integer: input.type == .integer) {
                    case .success(let v):
                        numeric[j].append(v)
                    case .failure(let problem):
                        fail(row, input.name, problem.text)
                        numeric[j].append(.nan)
                    }
                } else {
                    switch string(value) {
                    case .success(let s):
                        text[j].append(s)
                    case .failure(let problem):
                        fail(row, input.name, problem.text)
                        text[j].append(nil)
                    }
                }
            }
        }
        if !errors.isEmpty { throw RecordErrors(errors: errors, truncated: truncated) }

        return DataFrame(columns: inputs.enumerated().map { j, input in
            if input.type.isNumeric { return Column(name: input.name, type: input.type, values: numeric[j]) }
            return Column(name: input.name, strings: text[j])
        })
    }

    struct Problem: Error { let text: String }

    /// nil for nil, NSNull and a nil optional wrapped in `Any`.
    private static func unwrap(_ value: Any?) -> Any? {
        guard let value else { return nil }
        if value is NSNull { return nil }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let inner = mirror.children.first?.value else { return nil }
            return unwrap(inner)
        }
        return value
    }

    private enum Scalar {
        case bool(Bool)
        case number(Double)
        case string(String)
        case other(String)   // a description of what it is, for messages
    }

    private static func classify(_ value: Any) -> Scalar {
        if let s = value as? String { return .string(s) }
        if let s = value as? Substring { return .string(String(s)) }
        if type(of: value) == Bool.self { return .bool(value as! Bool) }
        if type(of: value) is NSNumber.Type, let n = value as? NSNumber {
            let kind = String(cString: n.objCType)
            if kind == "c" || kind == "B" { return .bool(n.boolValue) }
            return .number(n.doubleValue)
        }
        switch value {
        case let v as Int: return .number(Double(v))
        case let v as Int64: return .number(Double(v))
        case let v as Int32: return .number(Double(v))
        case let v as Int16: return .number(Double(v))
        case let v as Int8: return .number(Double(v))
        case let v as UInt: return .number(Double(v))
        case let v as UInt64: return .number(Double(v))
        case let v as UInt32: return .number(Double(v))
        case let v as UInt16: return .number(Double(v))
        case let v as UInt8: return .number(Double(v))
        case let v as Double: return .number(v)
        case let v as Float: return .number(Double(v))
        case is [Any], is NSArray: return .other("an array")
        case is [String: Any], is NSDictionary: return .other("an object")
        default: return .other("a value of type \(type(of: value))")
        }
    }

    /// NaN for a missing value. An integer field takes whole numbers only: 2 or 2.0, not 2.5 —
    /// a fraction there is a client bug the model would otherwise round away unseen.
    private static func number(_ value: Any?, integer: Bool) -> Result<Double, Problem> {
        guard let value else { return .success(.nan) }
        let expected = integer ? "an integer" : "a number"
        switch classify(value) {
        case .number(let v):
            if v.isNaN { return .success(.nan) }
            guard v.isFinite else { return .failure(Problem(text: "expected a finite number, got \(v)")) }
            return !integer || v == v.rounded() ? .success(v) : .failure(Problem(text: "expected an integer, got \(NumberText.display(v))"))
        case .string(let s):
            if s.isEmpty { return .success(.nan) }
            if let v = integer ? NumberText.parseInteger(s) : NumberText.parse(s) { return .success(v) }
            return .failure(Problem(text: "expected \(expected), got \(quoted(s))"))
        case .bool(let b): return .failure(Problem(text: "expected \(expected), got \(b)"))
        case .other(let what): return .failure(Problem(text: "expected \(expected), got \(what)"))
        }
    }

    /// nil for a missing value.
    private static func string(_ value: Any?) -> Result<String?, Problem> {
        guard let value else { return .success(nil) }
        switch classify(value) {
        case .string(let s): return .success(s.isEmpty ? nil : s)
        case .number(let v):
            return .success(v.isNaN ? nil : NumberText.display(v))
        case .bool(let b): return .success(b ? "true" : "false")
        case .other(let what): return .failure(Problem(text: "expected a string, got \(what)"))
        }
    }

    /// A JSON-style quoted string, shortened when long.
    private static func quoted(_ s: String) -> String {
        JSONText.quote(s.count > 40 ? String(s.prefix(40)) + "…" : s)
    }

}
