import RappiML
import RappiWorkspace

/// `assert NAME OP NUMBER` — checks the latest value published under NAME; a false
/// assertion fails the statement (and so the script).
public enum AssertCommand: RappiCommand {
    public static let runsOnRemoteWorkers = true
    static let name = CommandArgument<String>("name", kind: .publishedValue, help: "a published value such as rows or accuracy")
    static let op = CommandArgument<String>("op", kind: .comparison, help: "==, !=, <, <=, >, >=")
    static let expected = CommandArgument<Double>("expected", help: "the number to compare with")

    public static let signature = CommandSignature(
        "assert", area: "session", summary: "Fail unless the latest published value NAME compares as stated.",
        pattern: [
            name.spec,
            op.spec,
            expected.spec,
        ],
        examples: ["assert rows == 891", "assert accuracy >= 0.8"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let op = try call.value(Self.op)
        let expected = try call.value(Self.expected)
        let session = context.session
        guard let value = session.published[name] ?? session.variables[name] ?? session.parameters[name] else {
            let known = session.published.keys.sorted()
            let hint = NameSuggestion.closest(to: name, in: known).map { "did you mean '\($0)'?" }
                ?? (known.isEmpty ? "nothing has been published yet" : "published so far: " + known.joined(separator: ", "))
            throw call.error("no value named '\(name)' — \(hint)", at: "name")
        }
        guard let actual = value.number else {
            throw call.error("'\(name)' is '\(value)', not a number", at: "name")
        }
        let holds: Bool
        switch op {
        case "==": holds = actual == expected
        case "!=": holds = actual != expected
        case "<": holds = actual < expected
        case "<=": holds = actual <= expected
        case ">": holds = actual > expected
        default: holds = actual >= expected
        }
        let stated = "\(name) \(op) \(Value.format(expected))"
        guard holds else {
            throw call.error("assertion failed: \(stated) (\(name) is \(value))", at: "name")
        }
        return CommandResult("ok: \(stated) (\(name) is \(value))")
    }
}
