import Foundation
import RappiCharts
import RappiML
import RappiWorkspace

/// `abtest report NAME` — per variant requests, outcomes, accuracy with its Wilson interval and
/// latency; the difference with Newcombe's interval, the z-test, the sample-ratio check, a verdict.
public enum AbtestReportCommand: RappiCommand {
    public static let signature = CommandSignature(
        "abtest report", area: "experiments",
        summary: "Report an experiment: accuracy per variant with 95% intervals, the difference, a z-test, a sample-ratio check and a verdict.",
        pattern: [.argument(ArgumentSpec("name", .stored(.experiment), help: "an experiment from `abtests` (running or stopped)"))],
        publishes: ["ab_requests_a", "ab_requests_b", "ab_outcomes_a", "ab_outcomes_b", "ab_accuracy_a", "ab_accuracy_b",
                    "ab_accuracy_a_low", "ab_accuracy_a_high", "ab_accuracy_b_low", "ab_accuracy_b_high",
                    "ab_p50_ms_a", "ab_p99_ms_a", "ab_p50_ms_b", "ab_p99_ms_b",
                    "ab_difference", "ab_difference_low", "ab_difference_high", "ab_z", "ab_p_value",
                    "ab_srm_chi_square", "ab_srm_p_value", "ab_winner", "ab_verdict"],
        examples: ["abtest report titanic", "abtest report titanic; assert ab_p_value < 0.05"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let report = try ExperimentReport(try call.string("name")!, in: context.workspace())
        let experiment = report.experiment, comparison = report.comparison
        var table = TextTable(["variant", "model", "requests", "outcomes", "accuracy", "95% interval", "p50 ms", "p99 ms"])
        var values: PublishedValues = []
        for (summary, variant) in zip(report.summary, [comparison.a, comparison.b]) {
            let key = summary.variant.lowercased()
            let model = summary.variant == "A" ? experiment.a : experiment.b
            let interval = variant.interval
            let p50 = summary.latencyMilliseconds(at: 50), p99 = summary.latencyMilliseconds(at: 99)
            table.add([summary.variant, ExperimentVariants.describe(model), String(summary.requests), String(summary.outcomes),
                       variant.accuracy.rate.map { String(format: "%.4f", $0) } ?? "-",
                       interval.map { String(format: "[%.4f, %.4f]", $0.lowerBound, $0.upperBound) } ?? "-",
                       p50.map { String(format: "%.2f", $0) } ?? "-", p99.map { String(format: "%.2f", $0) } ?? "-"])
            values += [
                ("ab_requests_\(key)", .int(summary.requests)), ("ab_outcomes_\(key)", .int(summary.outcomes)),
                ("ab_accuracy_\(key)", number(variant.accuracy.rate)),
                ("ab_accuracy_\(key)_low", number(interval?.lowerBound)), ("ab_accuracy_\(key)_high", number(interval?.upperBound)),
                ("ab_p50_ms_\(key)", number(p50)), ("ab_p99_ms_\(key)", number(p99)),
            ]
        }
        values += [
            ("ab_difference", number(comparison.difference)),
            ("ab_difference_low", number(comparison.differenceInterval?.lowerBound)),
            ("ab_difference_high", number(comparison.differenceInterval?.upperBound)),
            ("ab_z", number(comparison.test?.z)), ("ab_p_value", number(comparison.test?.p)),
            ("ab_srm_chi_square", number(comparison.srm?.chiSquare)), ("ab_srm_p_value", number(comparison.srm?.p)),
            ("ab_winner", .string(comparison.winner ?? "none")), ("ab_verdict", .string(comparison.verdict)),
        ]
        let points = { (x: Double) in String(format: "%+.1f", x * 100) }
        var lines = ["experiment \(experiment.name) (\(experiment.status), split \(experiment.splitText)"
                        + (experiment.unit.map { ", unit \($0)" } ?? "") + ")",
                     table.render(indent: "  ")]
        if let d = comparison.difference, let ci = comparison.differenceInterval {
            lines.append("  difference B − A  \(points(d)) points of accuracy, 95% interval [\(points(ci.lowerBound)), \(points(ci.upperBound))]")
        }
        if let test = comparison.test {
            lines.append(String(format: "  z-test            z = %.3f, p = %@ (two-sided, pooled)", test.z, ABComparison.format(test.p)))
        }
        if let srm = comparison.srm {
            let counted = experiment.unit.map { "distinct \($0) values" } ?? "requests"
            lines.append(String(format: "  sample ratio      chi-square = %.3f, p = %@ (%@ against the configured split)",
                                srm.chiSquare, ABComparison.format(srm.p), counted))
        }
        lines.append("  verdict           \(comparison.verdict)")
        return CommandResult(lines.joined(separator: "\n"), values: values, charts: chart(report).map { [$0] } ?? [])
    }

    /// Accuracy per variant with its 95% interval, and the difference B − A with its interval
    /// (nil until outcomes have been fed back).
    private static func chart(_ report: ExperimentReport) -> Chart? {
        let comparison = report.comparison
        let variants = zip(["A", "B"], [comparison.a, comparison.b]).compactMap { name, variant -> IntervalChart.Row? in
            guard let rate = variant.accuracy.rate, let interval = variant.interval else { return nil }
            let model = name == "A" ? report.experiment.a : report.experiment.b
            return IntervalChart.Row(label: "\(name): \(ExperimentVariants.describe(model))", value: rate,
                                     low: interval.lowerBound, high: interval.upperBound)
        }
        guard !variants.isEmpty else { return nil }
        var panels = [IntervalChart.Panel(axisTitle: "accuracy (95% interval)", rows: variants)]
        if let d = comparison.difference, let ci = comparison.differenceInterval {
            panels.append(IntervalChart.Panel(axisTitle: "difference in accuracy (95% interval)",
                                              rows: [IntervalChart.Row(label: "B − A", value: d, low: ci.lowerBound, high: ci.upperBound)],
                                              reference: 0))
        }
        return IntervalChart.render(panels, title: "A/B test \(report.experiment.name) — \(comparison.verdict)")
    }

    private static func number(_ x: Double?) -> Value { .double(x ?? .nan) }
}
