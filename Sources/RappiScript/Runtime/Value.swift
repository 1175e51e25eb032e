import Foundation
import RappiML
/// A value a statement publishes (`rows`, `accuracy`, …) or a variable holds.
public enum Value: Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    /// Reads a literal: integers, then reals, then booleans, else text.
    public init(literal text: String) {
        if let i = Int(text) { self = .int(i) }
        else if let d = Double(text), text.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true { self = .double(d) }
        else if text == "true" || text == "false" { self = .bool(text == "true") }
        else { self = .string(text) }
    }

    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Double(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return Value.format(d)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// A number for people: at most four decimals (0.8167, not 0.8166666666666668); very small or
    /// very large numbers in four significant digits. Published values keep full precision.
    static func rounded(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        guard abs(d) >= 0.001, abs(d) < 1e6 else { return String(format: "%.4g", d) }
        var text = String(format: "%.4f", d)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Shortest text that reads back as the same Double.
    static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    public var json: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s): return JSONText.quote(s)
        case .bool(let b): return b ? "true" : "false"
        }
    }
}

/// Values published by one statement, in the order published.
public typealias PublishedValues = [(name: String, value: Value)]

extension Array where Element == (name: String, value: Value) {
    public var jsonObject: String {
        "{" + map { JSONText.quote($0.name) + ":" + $0.value.json }.joined(separator: ",") + "}"
    }
}

extension Value {
    /// Reads a flat values object as written by `jsonObject` (for reused pipeline steps).
    static func publishedValues(fromJSON json: String) -> PublishedValues {
        JSONText.flatFields(json).map { field in
            if field.value.hasPrefix("\""),
               let text = (try? JSONSerialization.jsonObject(with: Data(field.value.utf8), options: .fragmentsAllowed)) as? String {
                return (field.key, .string(text))
            }
            return (field.key, Value(literal: field.value))
        }
    }
}
