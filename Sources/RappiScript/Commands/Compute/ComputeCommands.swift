import RappiWorkspace

/// `compute create NAME cores=N memory=SIZE [max-jobs=N]`
public enum ComputeCreateCommand: RappiCommand {
    public static let signature = CommandSignature(
        "compute create", area: "workspace",
        summary: "Create a compute target: pipeline runs on it get N threads, an enforced memory limit, and at most max-jobs at once.",
        pattern: [.argument(ArgumentSpec("name", .name, help: "the target's name"))],
        options: [cores.spec, memory.spec, maxJobs.spec],
        publishes: ["compute"],
        examples: ["compute create cpu-cluster cores=2 memory=7g", "compute create small cores=1 memory=256m max-jobs=2"])
    static let cores = CommandOption("cores", default: 2, .atLeast(1), help: "threads a run on this target uses")
    static let memory = CommandOption("memory", default: MemorySize(bytes: 7 << 30, written: "7g"),
                               .atLeast(MemorySize(bytes: 16 << 20, written: "16m")), help: "memory limit per run: 7g, 512m, 64MB")
    static let maxJobs = CommandOption("max-jobs", default: 1, .atLeast(1), help: "runs executing at once; the rest wait queued")

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.string("name")!
        let cores = try call.value(cores)
        let memory = try call.value(memory).bytes
        let jobs = try call.value(maxJobs)
        let target = ComputeTarget(name: name, cores: cores, memoryBytes: memory, maxJobs: jobs)
        let workspace = try context.workspace()
        // Re-running a setup script is fine: the same settings again are no change (as in the original's "found existing compute").
        if let existing = try workspace.computeTargets().first(where: { $0.name == name }) {
            guard existing.cores == cores, existing.memoryBytes == memory, existing.maxJobs == jobs else {
                throw call.error("compute \(name) already exists with \(existing.cores) cores, \(existing.memoryDescription), max-jobs \(existing.maxJobs) — `compute delete \(name)` first to change it", at: "name")
            }
            return CommandResult("found existing compute \(name): \(cores) core\(cores == 1 ? "" : "s"), \(target.memoryDescription), at most \(jobs) at once",
                                 values: [("compute", .string(name))])
        }
        try workspace.createComputeTarget(target)
        return CommandResult("created compute \(name): \(cores) core\(cores == 1 ? "" : "s"), \(target.memoryDescription), at most \(jobs) run\(jobs == 1 ? "" : "s") at once",
                             values: [("compute", .string(name))])
    }
}

/// `compute list`
public enum ComputeListCommand: RappiCommand {
    public static let signature = CommandSignature(
        "compute list", area: "workspace", summary: "List compute targets with their limits and what runs on them now.",
        publishes: ["computes"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let running = try workspace.pipelineRuns(limit: 1000)
        var table = TextTable(["name", "cores", "memory", "max-jobs", "running", "queued"])
        let targets = try workspace.computeTargets()
        for target in targets {
            let mine = running.filter { $0.compute == target.name }
            table.add([target.name, target.cores == 0 ? "all (\(target.threads))" : String(target.cores), target.memoryDescription,
                       String(target.maxJobs), String(mine.filter { $0.status == "running" }.count),
                       String(mine.filter { $0.status == "queued" }.count)])
        }
        return CommandResult(table.render(), values: [("computes", .int(targets.count))])
    }
}

/// `compute delete NAME`
public enum ComputeDeleteCommand: RappiCommand {
    public static let signature = CommandSignature(
        "compute delete", area: "workspace", summary: "Delete a compute target that has no queued or running runs.",
        pattern: [.argument(ArgumentSpec("name", .stored(.compute), help: "a compute target"))])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.string("name")!
        try context.workspace().deleteComputeTarget(name)
        return CommandResult("deleted compute \(name)")
    }
}
