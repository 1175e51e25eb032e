import RappiWorkspace

/// `dataset NAME` — one dataset's versions.
public enum DatasetCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.dataset), help: "a dataset in the workspace")

    public static let signature = CommandSignature(
        "dataset", area: "data", summary: "Show a dataset's versions: rows, columns, content hash, target, created.",
        pattern: [name.spec],
        publishes: ["versions"], examples: ["dataset titanic"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let versions = try context.workspace().datasetVersions(name)
        var table = TextTable(["version", "rows", "columns", "sha256", "target", "created", "description"])
        for v in versions {
            table.add(["v\(v.version)", String(v.rows), String(v.columns), String(v.contentHash.prefix(16)),
                       v.target ?? "", Timestamp.short(v.createdAt), v.description ?? ""])
        }
        return CommandResult("dataset \(name)\n" + table.render(), values: [("versions", .int(versions.count))])
    }
}
