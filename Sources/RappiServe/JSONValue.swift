import Foundation

/// A parsed JSON document. Objects keep their members in document order (the last of duplicate
/// keys wins on lookup), which keeps `dataframe_split` columns and error messages stable.
indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The value of `key` when this is an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// What kind of value this is, for messages ("an array", "a string", …).
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as `RecordFrame` expects it: `String`, `Double`, `Bool`, nil for null, and
    /// `[Any]` / `[String: Any]` for nested values (which it reports as wrong types).
    var recordValue: Any? {
        switch self {
        case .null: return nil
        case .bool(let b): return b
        case .number(let v): return v
        case .string(let s): return s
        case .array(let items): return items.map { $0.recordValue ?? NSNull() } as [Any]
        case .object(let members):
            var out: [String: Any] = [:]
            for (k, v) in members { out[k] = v.recordValue ?? NSNull() }
            return out
        }
    }
}

/// One input record: an object's members in document order (the last of duplicate keys wins).
typealias JSONRecord = [(key: String, value: JSONValue)]
