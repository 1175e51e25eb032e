import RappiWorkspace

/// `workspace` — where the workspace is and what it holds.
public enum WorkspaceCommand: RappiCommand {
    public static let signature = CommandSignature(
        "workspace", area: "workspace", summary: "Summarise the current workspace: path, schema, datasets, artifacts, runs.",
        publishes: ["datasets", "dataset_versions", "artifacts", "runs"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let db = workspace.database
        let datasets = try db.scalar("SELECT COUNT(*) FROM datasets").int ?? 0
        let versions = try db.scalar("SELECT COUNT(*) FROM dataset_versions").int ?? 0
        let runs = try db.scalar("SELECT COUNT(*) FROM runs").int ?? 0
        let usage = workspace.artifacts.usage()
        let lines = [
            "workspace  \(workspace.directory.path)",
            "schema     v\(workspace.schemaVersion) (rappi \(Workspace.rappiVersion))",
            "datasets   \(datasets) (\(versions) versions)",
            "artifacts  \(usage.count) (\(formatBytes(usage.bytes)))",
            "runs       \(runs)",
        ]
        return CommandResult(lines.joined(separator: "\n"), values: [
            ("datasets", .int(datasets)), ("dataset_versions", .int(versions)),
            ("artifacts", .int(usage.count)), ("runs", .int(runs)),
        ])
    }
}
