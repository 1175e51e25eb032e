import RappiDeploy
import RappiWorkspace

/// `abtest promote NAME [A|B|ENDPOINT|MODEL]` — all traffic to the winner, or to the variant named
/// by its letter, its endpoint or its model.
public enum AbtestPromoteCommand: RappiCommand {
    static let name = AbtestStopCommand.name
    static let variant = CommandArgument<String?>(
        "variant", kind: .name, help: "the variant to promote: A, B, or its endpoint or model name (default: the report's winner)")

    public static let signature = CommandSignature(
        "abtest promote", area: "experiments",
        summary: "Send all of an experiment's traffic to the significantly better variant (or the one named), from the next request on.",
        pattern: [
            name.spec,
            .optional([variant.spec]),
        ],
        publishes: ["experiment", "promoted"],
        examples: ["abtest promote titanic", "abtest promote titanic B", "abtest promote titanic titanic_rf"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let workspace = try context.workspace()
        let variant: String
        if let named = try call.value(Self.variant) {
            variant = try resolve(named, in: try workspace.experiment(name), call: call)
        } else {
            let report = try ExperimentReport(name, in: workspace)
            guard let winner = report.comparison.winner else {
                throw CommandFailure("\(name) has no winner to promote — \(report.comparison.verdict); to promote anyway, name the variant: `abtest promote \(name) A` or `abtest promote \(name) B`")
            }
            variant = winner
        }
        let experiment = try workspace.updateExperimentControl(name, promoted: .some(variant))
        let chosen = variant == "A" ? experiment.a : experiment.b
        let note = experiment.status == "running" ? "from the next request" : "when the router runs again (it is stopped)"
        return CommandResult("promoted \(variant) = \(ExperimentVariants.describe(chosen)) in \(name): all traffic goes to it \(note)",
                             values: [("experiment", .string(name)), ("promoted", .string(variant))])
    }

    /// `A`/`B` (any case), or the endpoint or model a variant was started with (`ab-rf`,
    /// `titanic_rf`, `titanic_rf:v2`) — refused when it names both variants or neither.
    static func resolve(_ named: String, in experiment: ExperimentRecord, call: BoundCall) throws -> String {
        if ["A", "B"].contains(named.uppercased()) { return named.uppercased() }
        let variants = [experiment.a, experiment.b]
        let matches = variants.filter { v in
            [v.source, v.model, "\(v.model):v\(v.version)"].contains(named)
        }
        let described = variants.map { "\($0.label) = \(ExperimentVariants.describe($0))" }.joined(separator: ", ")
        switch matches.count {
        case 1: return matches[0].label
        case 0: throw call.error("'\(named)' is not a variant of \(experiment.name) (\(described)) — name A, B, or one of those endpoints or models", at: "variant")
        default: throw call.error("'\(named)' is both variants of \(experiment.name) (\(described)) — say A or B", at: "variant")
        }
    }
}
