/// `echo …` — prints its words with `$variables` resolved.
public enum EchoCommand: RappiCommand {
    public static let runsOnRemoteWorkers = true
    public static let signature = CommandSignature(
        "echo", area: "session", summary: "Print text; $name takes a variable's or a published value's value.",
        pattern: [.rest(ArgumentSpec("text", .text, help: "words, \"strings\" and $variables"))],
        examples: ["echo \"rows loaded:\" $rows"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        CommandResult(try call.restTexts().joined(separator: " "))
    }
}
