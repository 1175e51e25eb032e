import RappiML
import RappiWorkspace

/// What `abtest start … A vs B` names: a deployed endpoint (the exact model version it serves)
/// or a registered model `NAME[:vN|:stage]` (no deployment needed: the router scores in-process).
enum ExperimentVariants {
    static func resolve(_ text: String, label: String, in context: CommandContext) throws -> ExperimentVariant {
        let workspace = try context.workspace()
        if !text.contains(":"), let endpoint = try? workspace.endpoint(text) {
            return ExperimentVariant(label: label, source: text, model: endpoint.model, version: endpoint.modelVersion,
                                     hash: endpoint.modelHash)
        }
        let modelName = String(text.split(separator: ":", maxSplits: 1).first ?? "")
        guard workspace.modelNames().contains(modelName) else {
            let known = ((try? workspace.endpoints().map(\.name)) ?? []) + workspace.modelNames()
            let hint = NameSuggestion.closest(to: text, in: known).map { " — did you mean '\($0)'?" }
                ?? (known.isEmpty ? " — register a model first (`register`)" : " — endpoints and models: \(known.joined(separator: ", "))")
            throw CommandFailure("variant \(label) '\(text)' is neither a deployed endpoint nor a registered model\(hint)")
        }
        let version = try ModelReference.resolve(text, in: context, for: "abtest start")
        return ExperimentVariant(label: label, source: text, model: version.name, version: version.version, hash: version.contentHash)
    }

    /// The model behind a variant, loaded from the artifact store.
    static func model(_ variant: ExperimentVariant, in workspace: Workspace) throws -> TrainedModel {
        try ModelFile.decode(try workspace.loadModelBytes(workspace.modelVersion(variant.model, .version(.number(variant.version)))))
    }

    /// `90/10` → 90 (A's percent). Both parts whole percentages summing to 100.
    static func split(_ text: String, call: BoundCall, at name: String) throws -> Int {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, b >= 0, a + b == 100 else {
            throw call.error("\(call.signature.option(named: name) != nil ? "option '\(name)'" : name.uppercased()) must be two whole percentages for A and B that sum to 100, as in 90/10 or 50/50 — got '\(text)'", at: name)
        }
        return a
    }

    /// `titanic-rf (titanic_rf v1)`.
    static func describe(_ variant: ExperimentVariant) -> String {
        variant.source == variant.model ? "\(variant.model) v\(variant.version)" : "\(variant.source) (\(variant.model) v\(variant.version))"
    }
}
