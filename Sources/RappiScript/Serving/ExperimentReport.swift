import RappiML
import RappiWorkspace

/// An experiment's stored traffic and the statistics on it.
struct ExperimentReport {
    let experiment: ExperimentRecord
    let summary: [ExperimentVariantSummary]
    let comparison: ABComparison

    init(_ name: String, in workspace: Workspace) throws {
        experiment = try workspace.experiment(name)
        summary = try workspace.experimentSummary(name)
        let variants = summary.map {
            ABComparison.Variant(name: $0.variant, requests: $0.requests, expectedRequests: $0.expectedRequests,
                                 accuracy: Proportion($0.correct, of: $0.outcomes))
        }
        comparison = ABComparison(a: variants[0], b: variants[1])
    }
}
