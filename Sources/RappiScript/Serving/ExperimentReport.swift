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
        // The sample-ratio check counts what was randomised: units when there is one, else requests.
        var assigned = summary.map { (count: $0.requests, expected: $0.expectedRequests) }
        if experiment.unit != nil {
            let units = try workspace.experimentUnitCounts(name)
            assigned = [(units.a, units.expectedA), (units.b, units.expectedB)]
        }
        let variants = zip(summary, assigned).map { summary, assigned in
            ABComparison.Variant(name: summary.variant, requests: assigned.count, expectedRequests: assigned.expected,
                                 accuracy: Proportion(summary.correct, of: summary.outcomes))
        }
        comparison = ABComparison(a: variants[0], b: variants[1])
    }
}
