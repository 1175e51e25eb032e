import RappiWorkspace

/// A Swift type an option's text converts to. Its kind drives parsing, help and completion.
public protocol OptionText: Sendable {
    static var optionKind: ValueKind { get }
    init?(optionText: String)
    /// How the value is written in a script (a default shown by `help`).
    var optionText: String { get }
}

/// What an option reads as: a plain value (`Int`, when the option has a default) or an optional
/// one (`Int?`, when leaving it out means "not set").
public protocol OptionValue: Sendable {
    associatedtype Plain: OptionText
    init(plain: Plain)
    var plain: Plain? { get }
    /// The value of an argument left out: nil for plain types (it must be given), `.some(nil)`
    /// for optional ones.
    static var absent: Self? { get }
}

extension OptionValue {
    public static var absent: Self? { nil }
}

extension Int: OptionText, OptionValue {
    public static var optionKind: ValueKind { .integer }
    public init?(optionText: String) { self.init(optionText) }
    public var optionText: String { String(self) }
    public init(plain: Int) { self = plain }
    public var plain: Int? { self }
}

extension Double: OptionText, OptionValue {
    public static var optionKind: ValueKind { .number }
    public init?(optionText: String) { self.init(optionText) }
    public var optionText: String { Value.format(self) }
    public init(plain: Double) { self = plain }
    public var plain: Double? { self }
}

extension Bool: OptionText, OptionValue {
    public static var optionKind: ValueKind { .boolean }
    public init?(optionText: String) {
        switch optionText.lowercased() {
        case "true", "yes", "on": self = true
        case "false", "no", "off": self = false
        default: return nil
        }
    }
    public var optionText: String { self ? "true" : "false" }
    public init(plain: Bool) { self = plain }
    public var plain: Bool? { self }
}

extension String: OptionText, OptionValue {
    public static var optionKind: ValueKind { .text }
    public init?(optionText: String) { self = optionText }
    public var optionText: String { self }
    public init(plain: String) { self = plain }
    public var plain: String? { self }
}

/// A memory size written `7g`, `512m` or `64MB`, in bytes.
public struct MemorySize: OptionText, OptionValue, Comparable {
    public let bytes: Int
    public let written: String
    public init(bytes: Int, written: String) { self.bytes = bytes; self.written = written }
    public static var optionKind: ValueKind { .size }
    public init?(optionText: String) {
        guard let bytes = ByteSize.parse(optionText) else { return nil }
        self.init(bytes: bytes, written: optionText)
    }
    public var optionText: String { written }
    public init(plain: MemorySize) { self = plain }
    public var plain: MemorySize? { self }
    public static func < (a: MemorySize, b: MemorySize) -> Bool { a.bytes < b.bytes }
}

/// An enumeration whose raw values are the words an option takes (`recipe=titanic|auto`).
public protocol ChoiceOptionText: OptionText, OptionValue, CaseIterable, RawRepresentable where RawValue == String, Plain == Self {}

extension ChoiceOptionText {
    public static var optionKind: ValueKind { .choice(allCases.map(\.rawValue)) }
    public init?(optionText: String) { self.init(rawValue: optionText) }
    public var optionText: String { rawValue }
    public init(plain: Self) { self = plain }
    public var plain: Self? { self }
}

extension Optional: OptionValue where Wrapped: OptionText {
    public init(plain: Wrapped) { self = .some(plain) }
    public var plain: Wrapped? { self }
    public static var absent: Self? { .some(.none) }
}

/// What a valid value is, beyond its type: checked when a script is checked (for values written
/// literally) and when the statement runs (for `$variables`).
public struct OptionRule<Plain: OptionText>: Sendable {
    /// The problem with a value, as the end of "option 'trees' …, got 0", or nil when it is fine.
    let problem: @Sendable (Plain) -> String?

    public init(_ problem: @escaping @Sendable (Plain) -> String?) { self.problem = problem }

    public static var any: OptionRule { OptionRule { _ in nil } }
}

extension OptionRule where Plain: Comparable {
    public static func atLeast(_ minimum: Plain) -> OptionRule {
        OptionRule { $0 < minimum ? "must be at least \(minimum.optionText)" : nil }
    }
    public static func within(_ range: ClosedRange<Plain>) -> OptionRule {
        OptionRule { range.contains($0) ? nil : "must be between \(range.lowerBound.optionText) and \(range.upperBound.optionText)" }
    }
}

extension OptionRule where Plain == Double {
    public static var positive: OptionRule {
        OptionRule { $0 > 0 && $0.isFinite ? nil : "must be greater than 0" }
    }
    /// Strictly between 0 and 1.
    public static var fraction: OptionRule {
        OptionRule { $0 > 0 && $0 < 1 ? nil : "must be between 0 and 1 (exclusive)" }
    }
}

/// One typed option: name, Swift type, default, help and validation declared once, as
/// swift-argument-parser's `@Option var trees = 100` is. Commands list `spec` in their signature
/// and read the value with `call.value(option)` — an `Int` for an option with a default, an
/// `Int?` for one without.
public struct CommandOption<Value: OptionValue>: Sendable {
    public let name: String
    public let defaultValue: Value
    public let help: String
    public let kind: ValueKind
    let rule: OptionRule<Value.Plain>

    public init(_ name: String, default defaultValue: Value, kind: ValueKind = Value.Plain.optionKind,
                _ rule: OptionRule<Value.Plain> = .any, help: String) {
        self.name = name; self.defaultValue = defaultValue; self.kind = kind; self.rule = rule; self.help = help
    }

    /// The problem with a written value (its type, its kind's spelling, then the rule) as the end
    /// of "option 'trees' …" — "must be at least 1, got 0" — or nil.
    func problem(_ text: String) -> String? {
        if let expected = kind.check(text) { return "expects \(expected), got '\(text)'" }
        guard let plain = Value.Plain(optionText: text) else { return "expects \(kind.expectation), got '\(text)'" }
        return rule.problem(plain).map { "\($0), got \(text)" }
    }

    /// The untyped declaration the parser, help and completion read.
    public var spec: OptionSpec {
        OptionSpec(name, kind, default: defaultValue.plain?.optionText, help: help, check: problem)
    }
}

extension CommandOption where Value: ExpressibleByNilLiteral {
    /// An option that may be left out (read as nil).
    public init(_ name: String, kind: ValueKind = Value.Plain.optionKind, _ rule: OptionRule<Value.Plain> = .any, help: String) {
        self.init(name, default: nil, kind: kind, rule, help: help)
    }
}

extension BoundCall {
    /// The option's value: as written (after `$` resolution) and checked, else its default.
    public func value<Value>(_ option: CommandOption<Value>) throws(ScriptError) -> Value {
        guard let text = try text(option.name), has(option.name) else { return option.defaultValue }
        if let problem = option.problem(text) { throw error("option '\(option.name)' \(problem)", at: option.name) }
        return Value(plain: Value.Plain(optionText: text)!)
    }
}
