/// `head [N]` — the first rows of the current dataset.
public enum HeadCommand: RappiCommand {
    static let count = CommandArgument<Int?>("count", help: "how many rows")

    public static let signature = CommandSignature(
        "head", area: "data", summary: "Show the first N rows of the current dataset (default 5).",
        pattern: [.optional([count.spec])],
        examples: ["head", "head 20"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let count = try call.value(Self.count) ?? 5
        let dataset = try context.currentDataset(for: "head")
        guard count >= 0 else { throw call.error("N must be 0 or more, got \(count)", at: "count") }
        var table = TextTable(dataset.frame.columnNames)
        table.maxCellWidth = 24
        for row in dataset.frame.head(count) { table.add(row.map { $0 ?? "" }) }
        return CommandResult(table.render())
    }
}
