import RappiWorkspace

/// `workspace` — where the workspace is and what it holds.
public enum WorkspaceCommand: RappiCommand {
    public static let signature = CommandSignature(
        "workspace", area: "workspace", summary: "Summarise the current workspace: path, schema, datasets, artifacts, runs, models, pipelines, experiments, server.",
        publishes: ["datasets", "dataset_versions", "artifacts", "runs", "models", "pipelines", "experiments"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let db = workspace.database
        let datasets = try db.scalar("SELECT COUNT(*) FROM datasets").int ?? 0
        let versions = try db.scalar("SELECT COUNT(*) FROM dataset_versions").int ?? 0
        let runs = try db.scalar("SELECT COUNT(*) FROM runs").int ?? 0
        let models = try db.scalar("SELECT COUNT(*) FROM models").int ?? 0
        let pipelines = try db.scalar("SELECT COUNT(DISTINCT name) FROM pipelines").int ?? 0
        let queued = try db.scalar("SELECT COUNT(*) FROM runs WHERE kind = 'pipeline' AND status IN ('queued', 'running')").int ?? 0
        let experiments = try db.scalar("SELECT COUNT(*) FROM experiments").int ?? 0
        let server = WorkspaceServerRecord.live(in: workspace.directory).map { "\($0.baseURL) (pid \($0.pid))" } ?? "not running — `rappi serve`"
        let usage = workspace.artifacts.usage()
        let lines = [
            "workspace   \(workspace.directory.path)",
            "schema      v\(workspace.schemaVersion) (rappi \(Workspace.rappiVersion))",
            "datasets    \(datasets) (\(versions) versions)",
            "artifacts   \(usage.count) (\(formatBytes(usage.bytes)))",
            "runs        \(runs)",
            "models      \(models)",
            "pipelines   \(pipelines) (\(queued) run\(queued == 1 ? "" : "s") queued or running)",
            "experiments \(experiments)",
            "server      \(server)",
        ]
        return CommandResult(lines.joined(separator: "\n"), values: [
            ("datasets", .int(datasets)), ("dataset_versions", .int(versions)),
            ("artifacts", .int(usage.count)), ("runs", .int(runs)), ("models", .int(models)),
            ("pipelines", .int(pipelines)), ("experiments", .int(experiments)),
        ])
    }
}
