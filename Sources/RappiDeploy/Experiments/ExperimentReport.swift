import RappiML
import RappiWorkspace

/// An experiment's stored traffic and the statistics on it.
public struct ExperimentReport {
    public let experiment: ExperimentRecord
    public let summary: [ExperimentVariantSummary]
    public let comparison: ABComparison
    /// For regression variants (both predict a number): their mean absolute errors compared.
    public let errors: MeanErrorComparison?

    public init(_ name: String, in workspace: Workspace) throws {
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
        let model = try ModelFile.decodeInterface([UInt8](try workspace.artifacts.read(experiment.a.hash)))
        if model.target.task == .regression {
            let (a, b) = try workspace.experimentAbsoluteErrors(name)
            errors = MeanErrorComparison(a: .init(name: "A", errors: a), b: .init(name: "B", errors: b))
        } else {
            errors = nil
        }
    }
}
