import RappiWorkspace

/// `help [COMMAND]` — generated from the command table.
public enum HelpCommand: RappiCommand {
    public static let signature = CommandSignature(
        "help", area: "session", summary: "List commands, or show one command's usage, options and examples.",
        pattern: [.rest(ArgumentSpec("command", .text, help: "a command name, such as upload dataset"))],
        examples: ["help", "help upload dataset"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let words = try call.restTexts()
        guard !words.isEmpty else { return CommandResult(overview(context.table)) }
        let signatures = context.table.commands.map { $0.signature }
        let typed = words.joined(separator: " ").lowercased()
        if let exact = signatures.first(where: { $0.name == typed }) {
            return CommandResult(details(exact))
        }
        let related = signatures.filter { $0.nameWords.first == words[0].lowercased() }
        if !related.isEmpty {
            return CommandResult(related.map(details).joined(separator: "\n\n"))
        }
        let hint = context.table.suggestion(for: typed).map { "did you mean '\($0)'?" } ?? "type `help` to list commands"
        throw CommandFailure("no command named '\(typed)' — \(hint)")
    }

    static func overview(_ table: CommandTable) -> String {
        var lines: [String] = []
        let width = table.commands.map { $0.signature.name.count }.max() ?? 0
        for area in table.areas {
            lines.append("\(area):")
            for command in table.commands where command.signature.area == area {
                let name = command.signature.name
                lines.append("  " + name + String(repeating: " ", count: width - name.count + 2) + command.signature.summary)
            }
        }
        lines.append("")
        lines.append("Statements end at ';' or a newline; '#' starts a comment; key=value sets an option;")
        lines.append("let NAME = VALUE and $NAME for variables. `help COMMAND` for details; `.help` for REPL dot commands.")
        return lines.joined(separator: "\n")
    }

    public static func details(_ signature: CommandSignature) -> String {
        var lines = [signature.usage, "", "  " + signature.summary]
        let arguments = signature.arguments
        if !arguments.isEmpty {
            lines += ["", "  arguments:"]
            let width = arguments.map { $0.name.count }.max()!
            for spec in arguments {
                lines.append("    \(spec.name.uppercased())\(String(repeating: " ", count: width - spec.name.count + 2))\(spec.help)")
            }
        }
        if !signature.options.isEmpty {
            lines += ["", "  options:"]
            let rendered = signature.options.map { "\($0.name)=\($0.kind.placeholder)" }
            let width = rendered.map(\.count).max()!
            for (spec, text) in zip(signature.options, rendered) {
                let fallback = spec.defaultValue.map { " (default: \($0))" } ?? ""
                lines.append("    \(text)\(String(repeating: " ", count: width - text.count + 2))\(spec.help)\(fallback)")
            }
        }
        if !signature.publishes.isEmpty {
            lines += ["", "  publishes: " + signature.publishes.joined(separator: ", ")
                      + (signature.publishesRunOutputs ? ", and every value the run's steps published" : "")]
        }
        if !signature.examples.isEmpty {
            lines += ["", "  examples:"] + signature.examples.map { "    " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
