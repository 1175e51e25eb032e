import Foundation
import RappiML

extension Workspace {
    public func createComputeTarget(_ target: ComputeTarget) throws {
        try Self.validateName(target.name, kind: "compute target")
        try database.writeTransaction {
            if try computeTargetIfPresent(target.name) != nil {
                throw WorkspaceError("compute target '\(target.name)' already exists — delete it first with `compute delete \(target.name)`, or pick another name")
            }
            let settings = try target.cluster.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) } ?? "{}"
            try database.run("""
                INSERT INTO compute_targets (name, cores, memory_bytes, max_jobs, created_at, kind, settings_json) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.text(target.name), SQLValue(target.cores), SQLValue(target.memoryBytes), SQLValue(target.maxJobs), .text(target.createdAt),
                      .text(target.kind), .text(settings)])
        }
    }

    public func computeTargets() throws -> [ComputeTarget] {
        try database.query("SELECT name, cores, memory_bytes, max_jobs, created_at, kind, settings_json FROM compute_targets ORDER BY name")
            .map(Self.computeTarget)
    }

    /// The named target, or an error that suggests a close name.
    public func computeTarget(_ name: String) throws -> ComputeTarget {
        if let target = try computeTargetIfPresent(name) { return target }
        let names = try computeTargets().map(\.name)
        let hint = NameSuggestion.closest(to: name, in: names).map { " — did you mean '\($0)'?" }
            ?? " — targets are: \(names.joined(separator: ", ")); create one with `compute create \(name) cores=2 memory=7g`"
        throw WorkspaceError("no compute target '\(name)'\(hint)")
    }

    /// Deletes a target that no queued or running run is waiting on. `local` always stays.
    public func deleteComputeTarget(_ name: String) throws {
        guard name != "local" else { throw WorkspaceError("the 'local' compute target is built in and cannot be deleted") }
        _ = try computeTarget(name)
        try database.writeTransaction {
            let busy = try database.scalar("""
                SELECT COUNT(*) FROM pipeline_runs p JOIN runs r ON r.id = p.run_id
                WHERE p.compute = ? AND r.status IN ('queued', 'running')
                """, [.text(name)]).int ?? 0
            guard busy == 0 else {
                throw WorkspaceError("compute target '\(name)' has \(busy) queued or running run(s) — wait for them or cancel them (`run cancel ID`) first")
            }
            try database.run("DELETE FROM compute_targets WHERE name = ?", [.text(name)])
        }
    }

    func computeTargetIfPresent(_ name: String) throws -> ComputeTarget? {
        try database.query("SELECT name, cores, memory_bytes, max_jobs, created_at, kind, settings_json FROM compute_targets WHERE name = ?",
                           [.text(name)]).first.map(Self.computeTarget)
    }

    private static func computeTarget(_ row: [SQLValue]) throws -> ComputeTarget {
        let name = try row.text(0, "compute_targets.name")
        var cluster: RayCluster?
        if row[5].string == "ray" {
            guard let decoded = try? JSONDecoder().decode(RayCluster.self, from: Data((row[6].string ?? "").utf8)) else {
                throw WorkspaceError("compute target '\(name)' has unreadable Ray settings — delete it (`compute delete \(name)`) and create it again")
            }
            cluster = decoded
        }
        return ComputeTarget(name: name, cores: row[1].int ?? 0, memoryBytes: row[2].int ?? 0,
                             maxJobs: row[3].int ?? 1, createdAt: row[4].string ?? "", cluster: cluster)
    }
}
