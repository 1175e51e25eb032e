import RappiWorkspace

/// `load dataset NAME [vN|latest]` — makes a dataset version the session's current data.
public enum LoadDatasetCommand: RappiCommand {
    public static let runsOnRemoteWorkers = true
    static let name = CommandArgument<String>("name", kind: .stored(.dataset), help: "a dataset in the workspace")
    static let version = CommandArgument<VersionSelector?>("version", help: "v2, 2, or latest (0 also means latest)")

    public static let signature = CommandSignature(
        "load dataset", area: "data", summary: "Make a dataset version current (the latest when no version is given).",
        pattern: [
            name.spec,
            .optional([version.spec]),
        ],
        publishes: ["dataset", "version", "rows", "columns", "hash"],
        examples: ["load dataset titanic v2", "load dataset titanic latest"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        var selector = try call.value(Self.version) ?? .latest
        // Replaying a recorded run: `latest` means what it meant then.
        if selector == .latest, var pinned = context.session.pinnedLoads[name], !pinned.isEmpty {
            selector = .number(pinned.removeFirst())
            context.session.pinnedLoads[name] = pinned
        }
        let workspace = try context.workspace()
        let version = try workspace.datasetVersion(name, selector)
        let frame = try workspace.loadFrame(version, isCancelled: Interrupt.poll)
        context.session.currentDataset = LoadedDataset(version: version, frame: frame)
        let target = version.target.map { ", target \($0)" } ?? ""
        return CommandResult(
            "loaded \(name) v\(version.version) — \(frame.rowCount) rows × \(frame.columns.count) columns\(target), sha256 \(version.contentHash.prefix(12))",
            values: [
                ("dataset", .string(name)), ("version", .int(version.version)), ("rows", .int(frame.rowCount)),
                ("columns", .int(frame.columns.count)), ("hash", .string(version.contentHash)),
            ])
    }
}
