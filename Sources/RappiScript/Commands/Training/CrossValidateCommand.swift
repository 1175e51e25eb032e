import Foundation
import RappiML

/// `cv folds=5` — stratified k-fold cross-validation of the current algorithm and parameters
/// (plain k-fold for a regression target); preprocessing is fitted inside each fold, on that
/// fold's training rows only.
public enum CrossValidateCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let folds = CommandOption("folds", default: 5, .atLeast(2), help: "number of folds (2 or more)")
    static let seed = CommandOption<Int?>("seed", .atLeast(0), help: "seed for the fold assignment (default: the session seed)")
    public static let signature = CommandSignature(
        "cv", area: "training",
        summary: "Stratified k-fold cross-validation of the current model's algorithm and parameters (mean ± std).",
        options: [folds.spec, seed.spec],
        publishes: ["cv_accuracy", "cv_accuracy_std", "cv_f1", "cv_f1_std", "cv_auc", "cv_auc_std",
                    "cv_rmse", "cv_rmse_std", "cv_mae", "cv_mae_std", "cv_r2", "cv_r2_std"],
        examples: ["train rf trees=200; cv folds=5"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let folds = try call.value(folds)
        let seed = try TrainCommandSupport.seed(call, context, option: seed)
        guard let choice = context.session.currentModel?.choice else {
            throw CommandFailure("cv needs an algorithm — train one first (e.g. `train rf trees=200`); cv then re-fits it on each fold")
        }
        let trainer = Trainer(context: context)
        let (dataset, _, plan, notes) = try trainer.setup(for: "cv")
        let frame = dataset.frame
        let allRows = Array(0..<frame.rowCount)
        let target = try TargetEncoding.fit(frame, target: plan.target, rows: allRows, task: plan.task)
        if target.task == .regression {
            return try regression(choice, folds: folds, seed: seed, call: call, context: context)
        }
        let labels = try target.encode(frame, rows: allRows).indices
        for k in 0..<target.classes.count {
            let count = labels.filter { $0 == k }.count
            guard count >= folds else {
                throw call.error("class '\(target.classes[k])' has \(count) rows, fewer than folds=\(folds) — use fewer folds", at: "folds")
            }
        }
        let progress = ProgressReporter(total: folds, unit: "folds", enabled: context.session.showsProgress)
        var scores: [ClassificationMetrics] = []
        for (index, fold) in Splits.stratifiedKFold(labels, classCount: target.classes.count, folds: folds, seed: seed).enumerated() {
            let model = try trainer.fit(choice, frame: frame, rows: fold.train, plan: plan, progress: nil, lineage: [])
            let predictions = try model.predict(frame, rows: fold.test)
            let truth = try model.target.encode(frame, rows: fold.test).indices
            scores.append(ClassificationMetrics.compute(
                truth: truth, predicted: predictions.indices, classCount: model.classes.count,
                probabilities: predictions.probabilities, scores: predictions.scores))
            progress.update(index + 1)
            if Interrupt.isRequested { break }
        }
        progress.finish()
        var lines = notes.filter { !$0.hasPrefix("split") && !$0.hasPrefix("task=") }.map { "using " + $0 }
        lines.append("\(folds)-fold stratified cross-validation of \(choice.summary) on \(frame.rowCount) rows of \(dataset.version.name) v\(dataset.version.version)")
        var values: PublishedValues = []
        for (name, pick) in [("accuracy", { (m: ClassificationMetrics) -> Double? in m.accuracy }),
                             ("f1", { $0.f1 }), ("auc", { $0.rocAUC })] {
            guard let (mean, std) = summary(scores.compactMap(pick), folds: scores.count) else { continue }
            lines.append(line(name, mean, std))
            values += [("cv_\(name)", .double(mean)), ("cv_\(name)_std", .double(std))]
        }
        lines.append("  per fold: " + scores.map { String(format: "%.4f", $0.accuracy) }.joined(separator: "  "))
        let algorithm = choice.summary.components(separatedBy: " (").first ?? choice.summary
        let chart = EvaluationCharts.crossValidation(scores, subject: "\(algorithm) on \(dataset.version.name) v\(dataset.version.version)")
        return CommandResult(lines.joined(separator: "\n"), values: values, charts: [chart])
    }

    /// Mean and (population) standard deviation over the folds; nil unless every fold has the metric.
    private static func summary(_ xs: [Double], folds: Int) -> (Double, Double)? {
        guard xs.count == folds, !xs.isEmpty else { return nil }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        return (mean, variance.squareRoot())
    }

    private static func line(_ name: String, _ mean: Double, _ std: Double) -> String {
        "  " + name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "%.4f ± %.4f", mean, std)
    }

    /// K-fold (not stratified: a number has no classes to balance) with RMSE, MAE and R².
    private static func regression(_ choice: EstimatorChoice, folds: Int, seed: UInt64, call: BoundCall,
                                   context: CommandContext) throws -> CommandResult {
        let trainer = Trainer(context: context)
        let (dataset, _, plan, notes) = try trainer.setup(for: "cv")
        let frame = dataset.frame
        guard frame.rowCount >= folds else {
            throw call.error("\(dataset.version.name) has \(frame.rowCount) rows, fewer than folds=\(folds) — use fewer folds", at: "folds")
        }
        let progress = ProgressReporter(total: folds, unit: "folds", enabled: context.session.showsProgress)
        var scores: [RegressionMetrics] = []
        let groups = [Int](repeating: 0, count: frame.rowCount)
        for (index, fold) in Splits.stratifiedKFold(groups, classCount: 1, folds: folds, seed: seed).enumerated() {
            let model = try trainer.fit(choice, frame: frame, rows: fold.train, plan: plan, progress: nil, lineage: [])
            let predicted = try model.predict(frame, rows: fold.test).values ?? []
            scores.append(RegressionMetrics.compute(truth: try model.target.values(frame, rows: fold.test), predicted: predicted))
            progress.update(index + 1)
            if Interrupt.isRequested { break }
        }
        progress.finish()
        var lines = notes.filter { !$0.hasPrefix("split") }.map { "using " + $0 }
        lines.append("\(folds)-fold cross-validation of \(choice.summary) on \(frame.rowCount) rows of \(dataset.version.name) v\(dataset.version.version)")
        var values: PublishedValues = []
        for (name, pick) in [("rmse", { (m: RegressionMetrics) in m.rmse }), ("mae", { $0.mae }), ("r2", { $0.r2 })] {
            guard let (mean, std) = summary(scores.map(pick), folds: scores.count) else { continue }
            lines.append(line(name, mean, std))
            values += [("cv_\(name)", .double(mean)), ("cv_\(name)_std", .double(std))]
        }
        lines.append("  per fold (rmse): " + scores.map { String(format: "%.4f", $0.rmse) }.joined(separator: "  "))
        let algorithm = choice.summary.components(separatedBy: " (").first ?? choice.summary
        let chart = EvaluationCharts.crossValidation(scores, subject: "\(algorithm) on \(dataset.version.name) v\(dataset.version.version)")
        return CommandResult(lines.joined(separator: "\n"), values: values, charts: [chart])
    }
}
