import Foundation
import RappiCharts
import RappiDeploy
import RappiML
import RappiWorkspace

/// `abtest report NAME` — per variant requests, outcomes, accuracy with its Wilson interval and
/// latency; the difference with Newcombe's interval, the z-test, the sample-ratio check, a verdict.
/// For regression variants: mean absolute error with t-intervals and Welch's t-test instead.
public enum AbtestReportCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.experiment), help: "an experiment from `abtests` (running or stopped)")

    public static let signature = CommandSignature(
        "abtest report", area: "experiments",
        summary: "Report an experiment: accuracy per variant with 95% intervals, the difference, a z-test, a sample-ratio check and a verdict (mean absolute error and Welch's t-test for regression models).",
        pattern: [name.spec],
        publishes: ["ab_requests_a", "ab_requests_b", "ab_outcomes_a", "ab_outcomes_b", "ab_accuracy_a", "ab_accuracy_b",
                    "ab_accuracy_a_low", "ab_accuracy_a_high", "ab_accuracy_b_low", "ab_accuracy_b_high",
                    "ab_p50_ms_a", "ab_p99_ms_a", "ab_p50_ms_b", "ab_p99_ms_b",
                    "ab_difference", "ab_difference_low", "ab_difference_high", "ab_z", "ab_p_value",
                    "ab_srm_chi_square", "ab_srm_p_value", "ab_winner", "ab_verdict",
                    "ab_mae_a", "ab_mae_b", "ab_mae_a_low", "ab_mae_a_high", "ab_mae_b_low", "ab_mae_b_high", "ab_t", "ab_df"],
        examples: ["abtest report titanic", "abtest report titanic; assert ab_p_value < 0.05"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let report = try ExperimentReport(try call.value(Self.name), in: context.workspace())
        if let errors = report.errors { return regression(report, errors) }
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

    /// The report for two regression models: lower mean absolute error is better.
    private static func regression(_ report: ExperimentReport, _ errors: MeanErrorComparison) -> CommandResult {
        let experiment = report.experiment
        var table = TextTable(["variant", "model", "requests", "outcomes", "mean abs error", "95% interval", "p50 ms", "p99 ms"])
        var values: PublishedValues = []
        for (summary, variant) in zip(report.summary, [errors.a, errors.b]) {
            let key = summary.variant.lowercased()
            let model = summary.variant == "A" ? experiment.a : experiment.b
            let interval = variant.interval
            let p50 = summary.latencyMilliseconds(at: 50), p99 = summary.latencyMilliseconds(at: 99)
            table.add([summary.variant, ExperimentVariants.describe(model), String(summary.requests), String(variant.count),
                       variant.mean.map { String(format: "%.4g", $0) } ?? "-",
                       interval.map { String(format: "[%.4g, %.4g]", $0.lowerBound, $0.upperBound) } ?? "-",
                       p50.map { String(format: "%.2f", $0) } ?? "-", p99.map { String(format: "%.2f", $0) } ?? "-"])
            values += [
                ("ab_requests_\(key)", .int(summary.requests)), ("ab_outcomes_\(key)", .int(variant.count)),
                ("ab_mae_\(key)", number(variant.mean)),
                ("ab_mae_\(key)_low", number(interval?.lowerBound)), ("ab_mae_\(key)_high", number(interval?.upperBound)),
                ("ab_p50_ms_\(key)", number(p50)), ("ab_p99_ms_\(key)", number(p99)),
            ]
        }
        let test = errors.test
        values += [
            ("ab_difference", number(errors.difference)),
            ("ab_difference_low", number(test?.interval.lowerBound)), ("ab_difference_high", number(test?.interval.upperBound)),
            ("ab_t", number(test?.t)), ("ab_df", number(test?.degrees)), ("ab_p_value", number(test?.p)),
            ("ab_winner", .string(errors.winner ?? "none")), ("ab_verdict", .string(errors.verdict)),
        ]
        var lines = ["experiment \(experiment.name) (\(experiment.status), split \(experiment.splitText)"
                        + (experiment.unit.map { ", unit \($0)" } ?? "") + "), regression: lower mean absolute error is better",
                     table.render(indent: "  ")]
        if let d = errors.difference, let test {
            lines.append(String(format: "  difference B − A  %+.4g in mean absolute error, 95%% interval [%+.4g, %+.4g]",
                                d, test.interval.lowerBound, test.interval.upperBound))
            lines.append(String(format: "  Welch t-test      t = %.3f, df = %.1f, p = %@ (two-sided, per-record absolute errors)",
                                test.t, test.degrees, ABComparison.format(test.p)))
        }
        lines.append("  verdict           \(errors.verdict)")
        var charts: [Chart] = []
        let rows = zip(["A", "B"], [errors.a, errors.b]).compactMap { name, variant -> IntervalChart.Row? in
            guard let mean = variant.mean, let interval = variant.interval else { return nil }
            let model = name == "A" ? experiment.a : experiment.b
            return IntervalChart.Row(label: "\(name): \(ExperimentVariants.describe(model))", value: mean,
                                     low: interval.lowerBound, high: interval.upperBound)
        }
        if !rows.isEmpty {
            var panels = [IntervalChart.Panel(axisTitle: "mean absolute error (95% interval)", rows: rows)]
            if let d = errors.difference, let test {
                panels.append(IntervalChart.Panel(axisTitle: "difference in mean absolute error (95% interval)",
                                                  rows: [IntervalChart.Row(label: "B − A", value: d, low: test.interval.lowerBound,
                                                                           high: test.interval.upperBound)], reference: 0))
            }
            charts.append(IntervalChart.render(panels, title: "A/B test \(experiment.name) — \(errors.verdict)"))
        }
        return CommandResult(lines.joined(separator: "\n"), values: values, charts: charts)
    }
}
