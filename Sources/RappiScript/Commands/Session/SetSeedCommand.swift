/// `set seed N` — the seed every random choice (splits, training) derives from.
public enum SetSeedCommand: RappiCommand {
    public static let runsOnRemoteWorkers = true
    static let seed = CommandArgument<Int>("seed", help: "a non-negative integer")

    public static let signature = CommandSignature(
        "set seed", area: "session", summary: "Set the session's random seed (default 42).",
        pattern: [seed.spec],
        publishes: ["seed"], examples: ["set seed 7"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let seed = try call.value(Self.seed)
        guard seed >= 0 else { throw call.error("SEED must be a non-negative integer, got \(seed)", at: "seed") }
        context.session.seed = UInt64(seed)
        return CommandResult("seed = \(seed)", values: [("seed", .int(seed))])
    }
}
