import Foundation
import RappiWorkspace

/// One typed positional argument — name, Swift type, kind and help declared once, as
/// `CommandOption` does for `key=value` options. Commands list `spec` in their pattern and read
/// the value with `call.value(argument)`: a `String` for a required argument (the parser has
/// made sure it is there), a `String?` for one inside an `.optional` group.
public struct CommandArgument<Value: OptionValue>: Sendable {
    public let name: String
    public let kind: ValueKind
    public let help: String

    public init(_ name: String, kind: ValueKind = Value.Plain.optionKind, help: String) {
        self.name = name; self.kind = kind; self.help = help
    }

    /// The pattern element the parser, help and completion read.
    public var spec: PatternPart { .argument(ArgumentSpec(name, kind, help: help)) }
}

extension BoundCall {
    /// The argument's value, resolved (`$name`) and converted; an error pointing at it when the
    /// text is not a value of its type.
    public func value<Value>(_ argument: CommandArgument<Value>) throws(ScriptError) -> Value {
        guard let text = try text(argument.name) else {
            if let absent = Value.absent { return absent }  // an optional argument left out
            throw error("missing \(argument.name) (\(argument.help))", at: argument.name)
        }
        guard let plain = Value.Plain(optionText: text) else {
            throw error("\(argument.name) expects \(argument.kind.expectation), got '\(text)'", at: argument.name)
        }
        return Value(plain: plain)
    }
}

extension BoundCall {
    /// A path argument, resolved as `path(_:)` resolves one.
    public func path(_ argument: CommandArgument<String>) throws(ScriptError) -> URL {
        _ = try value(argument)  // a missing argument is named as such
        return try path(argument.name)!
    }

    /// A path argument inside an `.optional` group: nil when left out.
    public func path(_ argument: CommandArgument<String?>) throws(ScriptError) -> URL? {
        try path(argument.name)
    }
}

extension VersionSelector: OptionText, OptionValue {
    public static var optionKind: ValueKind { .version }
    public init?(optionText: String) { self.init(optionText) }
    public var optionText: String { description }
    public init(plain: VersionSelector) { self = plain }
    public var plain: VersionSelector? { self }
}

extension ModelStage: ChoiceOptionText {}
