import RappiWorkspace

/// `datasets` — every dataset with its latest version.
public enum DatasetsCommand: RappiCommand {
    public static let signature = CommandSignature(
        "datasets", area: "data", summary: "List the workspace's datasets with their latest versions.",
        publishes: ["datasets"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let summaries = try context.workspace().datasetSummaries()
        guard !summaries.isEmpty else {
            return CommandResult("no datasets yet — add one with `upload dataset NAME from PATH`", values: [("datasets", .int(0))])
        }
        var table = TextTable(["name", "versions", "latest", "rows", "columns", "target", "created"])
        for s in summaries {
            table.add([s.name, String(s.versions), "v\(s.latest.version)", String(s.latest.rows), String(s.latest.columns),
                       s.latest.target ?? "", Timestamp.short(s.latest.createdAt)])
        }
        return CommandResult(table.render(), values: [("datasets", .int(summaries.count))])
    }
}
