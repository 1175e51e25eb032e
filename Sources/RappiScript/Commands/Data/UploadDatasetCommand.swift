import RappiWorkspace

/// `upload dataset NAME from PATH` — a new immutable, content-hashed version.
public enum UploadDatasetCommand: RappiCommand {
    public static let signature = CommandSignature(
        "upload dataset", area: "data",
        summary: "Upload a CSV file, or a folder of CSVs with one header, as the next version of a dataset.",
        pattern: [
            .argument(ArgumentSpec("name", .stored(.dataset), help: "the dataset's name, e.g. titanic")),
            .keyword("from"),
            .argument(ArgumentSpec("path", .path, help: "a .csv file or a folder of them (relative to the script's folder)")),
        ],
        options: [
            OptionSpec("target", .name, help: "the column to predict (default: the previous version's target, when the data has it)"),
            OptionSpec("description", .text, help: "a note stored with the version"),
        ],
        publishes: ["dataset", "version", "rows", "columns", "hash", "created"],
        examples: ["upload dataset titanic from data/titanic/ds_full target=Survived description=\"all 891 passengers\""])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.string("name")!
        let path = try call.path("path")!
        let result = try context.workspace().uploadDataset(
            name: name, path: path, target: try call.string("target"), description: try call.string("description"),
            isCancelled: Interrupt.poll)
        let version = result.version
        let summary = "\(version.rows) rows × \(version.columns) columns, sha256 \(version.contentHash.prefix(12))"
        let output: String
        let created: Bool
        switch result {
        case .created:
            output = "created \(name) v\(version.version) — \(summary)" + (try targetNote(version, given: call.string("target"), in: context))
            created = true
        case .unchanged:
            output = "unchanged: identical to \(name) v\(version.version) (\(summary)) — nothing stored"
            created = false
        }
        return CommandResult(output, values: [
            ("dataset", .string(name)), ("version", .int(version.version)), ("rows", .int(version.rows)),
            ("columns", .int(version.columns)), ("hash", .string(version.contentHash)), ("created", .bool(created)),
        ])
    }

    /// Says where a new version's target came from when the upload named none: kept from the
    /// previous version, or dropped because that column is not in the new data.
    private static func targetNote(_ version: DatasetVersion, given: String?, in context: CommandContext) throws -> String {
        guard given == nil, let previous = try context.workspace().datasetVersions(version.name)
            .last(where: { $0.version < version.version }), let previousTarget = previous.target else { return "" }
        if let target = version.target {
            return "\ntarget \(target), as in v\(previous.version) (give target=COLUMN to change it)"
        }
        return "\nno target: v\(previous.version)'s target '\(previousTarget)' is not a column of this data — give one with target=COLUMN"
    }
}
