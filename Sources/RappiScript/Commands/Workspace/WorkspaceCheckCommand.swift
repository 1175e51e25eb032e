import Foundation
import RappiDeploy
import RappiWorkspace

/// `workspace check [hashes=true]` — is the workspace consistent? The store (SQLite integrity and
/// foreign keys, every artifact row and every named hash has its blob, every blob hashes to its
/// name) and the states a killed process leaves behind: runs, pipeline runs, local endpoints and
/// A/B routers that claim a process which is gone. Those stale states are mended and reported;
/// anything else is a problem, and the statement fails (exit status 1 from `rappi run`/`-c`).
public enum WorkspaceCheckCommand: RappiCommand {
    static let hashes = CommandOption("hashes", default: true,
                                      help: "hash every blob to check it against its name (reads all artifacts; false checks presence and size only)")

    public static let signature = CommandSignature(
        "workspace check", area: "workspace",
        summary: "Check the workspace is consistent (database, artifacts, what claims to be running); mend stale states and say so.",
        options: [hashes.spec],
        publishes: ["problems", "repaired"],
        examples: ["workspace check", "workspace check hashes=false"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        var findings = try workspace.checkStore(hashingBlobs: try call.value(hashes))
        findings += try mendProcessClaims(in: workspace)
        let problems = findings.filter { $0.kind == .problem }, repaired = findings.filter { $0.kind == .repaired }
        var lines = repaired.map { "repaired: \($0.message)" }
        if problems.isEmpty {
            lines.insert("workspace \(workspace.directory.path) is consistent", at: 0)
            return CommandResult(lines.joined(separator: "\n"), values: [("problems", .int(0)), ("repaired", .int(repaired.count))])
        }
        lines = ["workspace \(workspace.directory.path) is inconsistent: \(problems.count) problem\(problems.count == 1 ? "" : "s")"]
            + problems.map { "  \($0.message)" } + lines
        throw CommandFailure(lines.joined(separator: "\n"))
    }

    /// Local endpoints and A/B routers whose recorded process is gone, and pipeline runs whose
    /// executor is gone (requeued or failed, as the workspace server would). Containers are not
    /// looked at: the engine, not the workspace, says whether one runs (`endpoints` does).
    static func mendProcessClaims(in workspace: Workspace) throws -> [WorkspaceFinding] {
        var findings: [WorkspaceFinding] = []
        for endpoint in try workspace.endpoints() where endpoint.target == "local" {
            guard let pid = endpoint.pid, !Deployer.isServer(pid: Int32(pid), of: endpoint) else { continue }
            try workspace.forgetEndpointProcess(endpoint.name, pid: pid)
            findings.append(.repaired("""
                endpoint \(endpoint.name) recorded pid \(pid), which is not its server any more — pid forgotten; \
                `deploy \(endpoint.model):v\(endpoint.modelVersion) local as \(endpoint.name)` restarts it, `undeploy \(endpoint.name)` removes it
                """))
        }
        for experiment in try workspace.experiments() where experiment.status == "running" {
            if let pid = experiment.pid, let argv = ProcessTable.commandLine(Int32(pid)), argv.contains("serve-router"),
               argv.contains(experiment.name) { continue }
            try workspace.markExperimentStopped(experiment.name)
            findings.append(.repaired("A/B test \(experiment.name) claimed a running router (pid \(experiment.pid.map(String.init) ?? "none")), which is gone — marked stopped"))
        }
        findings += try PipelineScheduler.recoverInterrupted(in: workspace).map { WorkspaceFinding.repaired("pipeline \($0)") }
        return findings
    }
}

/// `workspace gc [apply=false]` — finds the blobs nothing refers to (left by a process killed
/// between storing a blob and recording it) and, with `apply=true`, deletes them.
public enum WorkspaceGCCommand: RappiCommand {
    static let apply = CommandOption("apply", default: false, help: "delete what was found (default: a dry run that only reports)")

    public static let signature = CommandSignature(
        "workspace gc", area: "workspace",
        summary: "Find artifacts nothing refers to and say how much deleting them frees; apply=true deletes them.",
        options: [apply.spec],
        publishes: ["garbage_blobs", "garbage_bytes", "deleted"],
        examples: ["workspace gc", "workspace gc apply=true"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let applying = try call.value(apply)
        let report = try workspace.collectGarbage(apply: applying)
        let what = "\(report.blobs) unreferenced blob\(report.blobs == 1 ? "" : "s") (\(formatBytes(report.bytes)))"
            + (report.rows > 0 ? " and \(report.rows) artifact row\(report.rows == 1 ? "" : "s")" : "")
        let text: String
        if report.blobs == 0 && report.rows == 0 {
            text = "nothing to collect: every artifact is referenced (blobs younger than \(Int(Workspace.garbageGrace / 60)) minutes are never collected)"
        } else if applying {
            text = "deleted \(what) — freed \(formatBytes(report.bytes))"
        } else {
            text = "would delete \(what) — `workspace gc apply=true` frees \(formatBytes(report.bytes))"
        }
        return CommandResult(text, values: [("garbage_blobs", .int(report.blobs)), ("garbage_bytes", .int(report.bytes)),
                                            ("deleted", .bool(applying && report.blobs + report.rows > 0))])
    }
}
