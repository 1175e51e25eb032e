import RappiWorkspace

/// `upload dataset NAME from PATH` — a new immutable, content-hashed version.
public enum UploadDatasetCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.dataset), help: "the dataset's name, e.g. titanic")
    static let path = CommandArgument<String>("path", kind: .path, help: "a .csv file or a folder of them (relative to the script's folder)")
    static let target = CommandOption<String?>("target", kind: .name, help: "the column to predict (default: the previous version's target, when the data has it)")
    static let description = CommandOption<String?>("description", help: "a note stored with the version")

    public static let signature = CommandSignature(
        "upload dataset", area: "data",
        summary: "Upload a CSV file, or a folder of CSVs with one header, as the next version of a dataset.",
        pattern: [
            name.spec,
            .keyword("from"),
            path.spec,
        ],
        options: [
            target.spec, description.spec,
        ],
        publishes: ["dataset", "version", "rows", "columns", "hash", "created"],
        examples: ["upload dataset titanic from data/titanic/ds_full target=Survived description=\"all 891 passengers\""])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let path = try call.path(Self.path)
        let result = try context.workspace().uploadDataset(
            name: name, path: path, target: try call.value(target), description: try call.value(description),
            isCancelled: Interrupt.poll)
        let version = result.version
        let summary = "\(version.rows) rows × \(version.columns) columns, sha256 \(version.contentHash.prefix(12))"
        let output: String
        let created: Bool
        switch result {
        case .created:
            output = "created \(name) v\(version.version) — \(summary)" + (try targetNote(version, given: call.value(target), in: context))
                + (try schemaNote(version, in: context))
            created = true
        case .unchanged:
            output = "unchanged: identical to \(name) v\(version.version) (\(summary)) — nothing stored"
            created = false
        case .retargeted(_, let previous):
            output = "unchanged content: identical to \(name) v\(version.version) (\(summary)) — its target is now \(version.target ?? "")"
                + (previous.map { " (was \($0))" } ?? " (it had none)")
            created = false
        }
        return CommandResult(output, values: [
            ("dataset", .string(name)), ("version", .int(version.version)), ("rows", .int(version.rows)),
            ("columns", .int(version.columns)), ("hash", .string(version.contentHash)), ("created", .bool(created)),
        ])
    }

    /// Warns when a new version's columns differ from the previous version's: added, removed or
    /// retyped columns usually mean another file, and models trained on the old one may not fit.
    private static func schemaNote(_ version: DatasetVersion, in context: CommandContext) throws -> String {
        guard let previous = try context.workspace().datasetVersions(version.name).last(where: { $0.version < version.version })
        else { return "" }
        let old = Dictionary(previous.schema.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(version.schema.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        var changes: [String] = []
        let added = version.schema.map(\.name).filter { old[$0] == nil }
        let removed = previous.schema.map(\.name).filter { new[$0] == nil }
        let retyped = version.schema.filter { column in old[column.name].map { $0 != column.type } ?? false }
        if !added.isEmpty { changes.append("added " + added.joined(separator: ", ")) }
        if !removed.isEmpty { changes.append("removed " + removed.joined(separator: ", ")) }
        if !retyped.isEmpty { changes.append("retyped " + retyped.map { "\($0.name) \(old[$0.name]!) → \($0.type)" }.joined(separator: ", ")) }
        guard !changes.isEmpty else { return "" }
        return "\nwarning: the columns differ from v\(previous.version): " + changes.joined(separator: "; ")
            + " — models trained on v\(previous.version) may not accept this data"
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
