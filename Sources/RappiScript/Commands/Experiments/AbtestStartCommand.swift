import Foundation
import RappiDeploy
import RappiML
import RappiWorkspace

/// `abtest start NAME A vs B [split=50/50] [unit=FIELD] [port=N] [auth=key|none]`
public enum AbtestStartCommand: RappiCommand {
    static let split = CommandOption("split", default: "50/50", help: "percent of traffic for A/B, summing to 100")
    static let unit = CommandOption<String?>("unit", help: "a record field (e.g. PassengerId): the same value always sees the same variant; without it each record is a seeded random draw")
    static let name = CommandArgument<String>("name", kind: .name, help: "the experiment's name")
    static let variantA = CommandArgument<String>("a", help: "variant A: a deployed endpoint, or a registered model MODEL[:vN|:stage]")
    static let variantB = CommandArgument<String>("b", help: "variant B: a deployed endpoint, or a registered model MODEL[:vN|:stage]")

    public static let signature = CommandSignature(
        "abtest start", area: "experiments",
        summary: "Start an A/B experiment: a router endpoint that splits /score and /invocations traffic between two models and takes outcomes on /feedback.",
        pattern: [
            name.spec,
            variantA.spec,
            .keyword("vs"),
            variantB.spec,
        ],
        options: [split.spec, unit.spec] + ServerOptions.specs,
        publishes: ["experiment", "url", "port"],
        examples: ["abtest start titanic titanic-rf vs titanic-linsvc unit=PassengerId",
                   "abtest start trial titanic_rf:v1 vs titanic_rf:v2 split=90/10 auth=none"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let splitA = try ExperimentVariants.split(try call.value(split), call: call, at: "split")
        let authenticated = try call.value(ServerOptions.auth) == .key
        let tls = try ServerOptions.tls(call)
        let workspace = try context.workspace()
        let router = ExperimentRouterProcess(workspace: workspace)
        if let existing = try? workspace.experiment(name), router.isLive(existing) || existing.status == "running" && existing.pid.map({ LocalProcess.isAlive(pid: Int32($0)) }) == true {
            throw call.error("experiment '\(name)' is already running at \(existing.url ?? "?") — stop it first with `abtest stop \(name)`, or choose another name", at: "name")
        }
        let a = try ExperimentVariants.resolve(try call.value(Self.variantA), label: "A", in: context)
        let b = try ExperimentVariants.resolve(try call.value(Self.variantB), label: "B", in: context)
        let models = try [a, b].map { try ExperimentVariants.model($0, in: workspace) }
        guard models[0].target == models[1].target else {
            throw CommandFailure("A and B predict different targets (A: '\(models[0].target.column)' with classes \(models[0].target.classes), B: '\(models[1].target.column)' with classes \(models[1].target.classes)) — compare models trained for the same target")
        }
        let unit = try call.value(unit)
        if let unit { try checkUnit(unit, for: a, in: workspace, call: call) }

        // A stopped experiment of the same name is replaced, its traffic with it: say so.
        let replaced = (try? workspace.experiment(name)) != nil ? try workspace.experimentRequestCount(name) : nil
        // A port someone listens on is refused before anything is saved or started.
        if let port = try call.value(ServerOptions.port) {
            do { try FreePort.checkAvailable(port) } catch { throw call.error("\(error)", at: "port") }
        }
        var experiment = ExperimentRecord(name: name, a: a, b: b, splitA: splitA, unit: unit, seed: context.session.seed,
                                          auth: authenticated ? "key" : "none")
        try workspace.saveExperiment(experiment)
        let keys = authenticated ? EndpointKeys.generate() : nil
        if let keys { try keys.write(to: router.keysFile(name)) }
        let port = try call.value(ServerOptions.port) ?? FreePort.pick()
        let url = "\(ServerTLS.scheme(tls))://127.0.0.1:\(port)"
        let pid: Int32
        do {
            pid = try router.start(experiment, port: port, authenticated: authenticated, tls: tls)
        } catch {
            try? workspace.markExperimentStopped(name)
            throw error
        }
        try workspace.markExperimentRunning(name, url: url, port: port, pid: Int(pid))
        experiment.pid = Int(pid)

        var lines = ["started experiment \(name) (router pid \(pid)): A = \(ExperimentVariants.describe(a)) \(splitA)% vs "
                        + "B = \(ExperimentVariants.describe(b)) \(100 - splitA)%, "
                        + (unit.map { "sticky by \($0)" } ?? "random assignment (seed \(context.session.seed))"),
                     "  url       \(url)/score",
                     "  feedback  \(url)/feedback  {\"request_id\": …, \"outcome\": …}"]
        if let keys { lines.append("  key       \(keys.primary)") } else { lines.append("  auth      none") }
        if let replaced { lines.append("  note      replaced the stopped experiment \(name) and its \(replaced) recorded assignments") }
        var result = CommandResult(lines.joined(separator: "\n"), values: [
            ("experiment", .string(name)), ("url", .string(url)), ("port", .int(port)),
        ])
        result.secrets = keys.map { [$0.primary] } ?? []  // kept out of run records and step logs
        return result
    }

    /// The unit must be a column of the data A was trained on, or every request would be refused.
    private static func checkUnit(_ unit: String, for variant: ExperimentVariant, in workspace: Workspace, call: BoundCall) throws {
        let version = try workspace.modelVersion(variant.model, .version(.number(variant.version)))
        guard let dataset = version.dataset, let number = version.datasetVersion,
              let columns = try? workspace.datasetVersion(dataset, .number(number)).schema.map(\.name),
              !columns.contains(unit) else { return }
        let hint = NameSuggestion.closest(to: unit, in: columns).map { " — did you mean '\($0)'?" }
            ?? " — columns: \(columns.joined(separator: ", "))"
        throw call.error("option 'unit' names '\(unit)', which is not a field of \(dataset) v\(number)\(hint)", at: "unit")
    }
}
