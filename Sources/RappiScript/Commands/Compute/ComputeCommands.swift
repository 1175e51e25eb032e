import Foundation
import RappiDeploy
import RappiWorkspace

/// Where a compute target's runs execute.
enum ComputeKind: String, ChoiceOptionText {
    case local, ray
}

/// `compute create NAME cores=N memory=SIZE [max-jobs=N]`, or on a Ray cluster:
/// `compute create NAME kind=ray address=http://HOST:8265 [cores=N] [memory=SIZE] [resources=NAME:AMOUNT,…]`
public enum ComputeCreateCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .name, help: "the target's name")

    public static let signature = CommandSignature(
        "compute create", area: "workspace",
        summary: "Create a compute target: pipeline runs on it get N threads, an enforced memory limit, and at most max-jobs at once — on this machine or as Ray jobs.",
        pattern: [name.spec],
        options: [cores.spec, memory.spec, maxJobs.spec, kind.spec, address.spec, resources.spec, queueTimeout.spec, rappiPath.spec],
        publishes: ["compute"],
        examples: ["compute create cpu-cluster cores=2 memory=7g", "compute create small cores=1 memory=256m max-jobs=2",
                   "compute create ray-cpu kind=ray address=http://127.0.0.1:8265 cores=2 max-jobs=4",
                   "compute create ray-gpu kind=ray address=http://head:8265 cores=4 memory=16g resources=gpu_box:1 queue-timeout=300"])
    static let cores = CommandOption("cores", default: 2, .atLeast(1), help: "threads a run on this target uses (on Ray: the job's entrypoint_num_cpus)")
    static let memory = CommandOption("memory", default: MemorySize(bytes: 7 << 30, written: "7g"),
                               .atLeast(MemorySize(bytes: 16 << 20, written: "16m")),
                               help: "memory limit per run: 7g, 512m, 64MB (on Ray also the job's entrypoint_memory; no default there)")
    static let maxJobs = CommandOption("max-jobs", default: 1, .atLeast(1), help: "runs executing at once; the rest wait queued")
    static let kind = CommandOption("kind", default: ComputeKind.local, help: "local (this machine) or ray (jobs on a Ray cluster)")
    static let address = CommandOption<String?>("address", help: "kind=ray: the Ray dashboard's URL, http://HOST:8265")
    static let resources = CommandOption<String?>("resources", help: "kind=ray: custom resources each run reserves, NAME:AMOUNT,… (picks the nodes)")
    static let queueTimeout = CommandOption("queue-timeout", default: 600.0, .positive,
                                            help: "kind=ray: seconds a run may wait for a node with its resources before it fails")
    static let rappiPath = CommandOption<String?>("rappi-path", help: "kind=ray: where rappi is installed on the nodes (default: this rappi's path)")

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let cores = try call.value(cores)
        let jobs = try call.value(maxJobs)
        let cluster = try Self.cluster(call)
        // On Ray, memory is a reservation the scheduler must find free on one node: none unless asked.
        let memory = cluster != nil && !call.has("memory") ? 0 : try call.value(memory).bytes
        let target = ComputeTarget(name: name, cores: cores, memoryBytes: memory, maxJobs: jobs, cluster: cluster)
        let workspace = try context.workspace()
        let place = cluster.map { " on the Ray cluster at \($0.address)" + ($0.resources.isEmpty ? "" : " (resources \($0.resourcesDescription))") } ?? ""
        // Re-running a setup script is fine: the same settings again are no change (as in the original's "found existing compute").
        if let existing = try workspace.computeTargets().first(where: { $0.name == name }) {
            guard existing.cores == cores, existing.memoryBytes == memory, existing.maxJobs == jobs, existing.cluster == cluster else {
                throw call.error("compute \(name) already exists with \(existing.cores) cores, \(existing.memoryDescription), max-jobs \(existing.maxJobs)\(existing.cluster == nil ? "" : ", kind=ray") — `compute delete \(name)` first to change it", at: "name")
            }
            return CommandResult("found existing compute \(name): \(cores) core\(cores == 1 ? "" : "s"), \(target.memoryDescription), at most \(jobs) at once\(place)",
                                 values: [("compute", .string(name))])
        }
        try workspace.createComputeTarget(target)
        return CommandResult("created compute \(name): \(cores) core\(cores == 1 ? "" : "s"), \(target.memoryDescription), at most \(jobs) run\(jobs == 1 ? "" : "s") at once\(place)",
                             values: [("compute", .string(name))])
    }

    /// The Ray settings of a `kind=ray` target (nil for a local one, which takes none of them).
    private static func cluster(_ call: BoundCall) throws -> RayCluster? {
        let rayOnly = [address.name, resources.name, queueTimeout.name, rappiPath.name]
        guard try call.value(kind) == .ray else {
            if let given = rayOnly.first(where: call.has) {
                throw call.error("option '\(given)' is for Ray targets — add kind=ray (with address=http://HOST:8265)", at: given)
            }
            return nil
        }
        guard let url = try call.value(address), let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""),
              parsed.host != nil else {
            throw call.error("kind=ray needs address=http://HOST:8265 — the Ray dashboard's URL (`ray start --head --dashboard-port 8265`)",
                             at: call.has(address.name) ? address.name : "kind")
        }
        var reserved: [String: Double] = [:]
        for item in (try call.value(resources) ?? "").split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let amount = Double(parts[1]), amount > 0, amount.isFinite else {
                throw call.error("option 'resources' expects NAME:AMOUNT,… such as hidden:1,gpu_box:0.5, got '\(item)'", at: resources.name)
            }
            guard !["CPU", "GPU", "memory"].contains(parts[0]) else {
                throw call.error("option 'resources' names custom resources; \(parts[0]) comes from cores= and memory=", at: resources.name)
            }
            reserved[parts[0]] = amount
        }
        let path = try call.value(rappiPath)
        if let path, !path.hasPrefix("/") {
            throw call.error("option 'rappi-path' must be an absolute path on the nodes, such as /usr/local/bin/rappi", at: rappiPath.name)
        }
        return RayCluster(address: url.hasSuffix("/") ? String(url.dropLast()) : url, resources: reserved,
                          queueTimeoutSeconds: try call.value(queueTimeout), rappiPath: path)
    }
}

/// `compute list` — with the cluster's nodes and their free CPUs and memory for Ray targets.
public enum ComputeListCommand: RappiCommand {
    public static let signature = CommandSignature(
        "compute list", area: "workspace", summary: "List compute targets with their limits and what runs on them now; for Ray targets, the cluster's nodes.",
        publishes: ["computes"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let running = try workspace.pipelineRuns(limit: 1000)
        var table = TextTable(["name", "kind", "cores", "memory", "max-jobs", "running", "queued"])
        let targets = try workspace.computeTargets()
        for target in targets {
            let mine = running.filter { $0.compute == target.name }
            table.add([target.name, target.kind, target.cores == 0 ? "all (\(target.threads))" : String(target.cores), target.memoryDescription,
                       String(target.maxJobs), String(mine.filter { $0.status == "running" }.count),
                       String(mine.filter { $0.status == "queued" }.count)])
        }
        var lines = [table.render()]
        for (address, names) in Dictionary(grouping: targets.filter { $0.cluster != nil }, by: { $0.cluster!.address }).sorted(by: { $0.key < $1.key }) {
            lines.append("Ray cluster \(address) (\(names.map(\.name).sorted().joined(separator: ", "))):")
            do {
                let nodes = try RayJobs(address: address).nodes()
                var nodeTable = TextTable(["node", "state", "CPU free/total", "memory", "custom resources"])
                for node in nodes {
                    nodeTable.add([node.address, node.alive ? "alive" : "dead",
                                   "\(RayCluster.describe(node.freeCPU))/\(RayCluster.describe(node.totalCPU))",
                                   ByteSize.describe(Int(node.memory)),
                                   node.custom.sorted { $0.key < $1.key }.map { "\($0.key):\(RayCluster.describe($0.value))" }.joined(separator: ",")])
                }
                lines.append(nodes.isEmpty ? "  no nodes" : nodeTable.render())
            } catch {
                lines.append("  unreachable: \(error)")
            }
        }
        return CommandResult(lines.joined(separator: "\n"), values: [("computes", .int(targets.count))])
    }
}

/// `compute delete NAME`
public enum ComputeDeleteCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.compute), help: "a compute target")

    public static let signature = CommandSignature(
        "compute delete", area: "workspace", summary: "Delete a compute target that has no queued or running runs.",
        pattern: [name.spec])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        try context.workspace().deleteComputeTarget(name)
        return CommandResult("deleted compute \(name)")
    }
}
