import Foundation

/// `describe` — per-column statistics of the current dataset.
public enum DescribeCommand: RappiCommand {
    public static let signature = CommandSignature(
        "describe", area: "data",
        summary: "Per column of the current dataset: type, count, missing, unique, and mean/std/min/max or the most frequent values.",
        publishes: ["rows", "columns", "missing"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let dataset = try context.currentDataset(for: "describe")
        var table = TextTable(["column", "type", "count", "missing", "unique", "mean", "std", "min", "max", "top"])
        table.maxCellWidth = 48
        let summaries = dataset.frame.describe()
        for s in summaries {
            let top = s.top.map { "\(shorten($0.value)) (\($0.count))" }.joined(separator: ", ")
            table.add([s.name, s.type.rawValue, String(s.count), String(s.missing), String(s.unique),
                       number(s.mean), number(s.std), number(s.min), number(s.max), top])
        }
        let missing = summaries.reduce(0) { $0 + $1.missing }
        let v = dataset.version
        let header = "\(v.name) v\(v.version): \(dataset.frame.rowCount) rows × \(dataset.frame.columns.count) columns"
        return CommandResult(header + "\n" + table.render(), values: [
            ("rows", .int(dataset.frame.rowCount)), ("columns", .int(dataset.frame.columns.count)), ("missing", .int(missing)),
        ], charts: [DatasetCharts.distributions(dataset.frame, subject: "\(v.name) v\(v.version)")])
    }

    private static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        if value == value.rounded(), abs(value) < 1e12 { return String(Int(value)) }
        return String(format: "%.4g", value)
    }

    private static func shorten(_ s: String) -> String { s.count > 14 ? String(s.prefix(13)) + "…" : s }
}
