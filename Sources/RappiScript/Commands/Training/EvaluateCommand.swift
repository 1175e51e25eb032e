import Foundation
import RappiCharts
import RappiML

/// `evaluate` — the current model on the held-out rows: metrics, confusion matrix (or, for a
/// regression model, the residuals and predicted against actual), and which features matter.
public enum EvaluateCommand: RappiCommand {
    public static let reusableInPipelines = true
    public static let signature = CommandSignature(
        "evaluate", area: "training",
        summary: "Score the current model on the held-out split: accuracy, precision, recall, F1, ROC AUC, log loss, confusion matrix; for regression RMSE, MAE, R² and the residuals.",
        publishes: ["accuracy", "precision", "recall", "f1", "auc", "log_loss", "rmse", "mae", "r2", "test_rows"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        guard var current = context.session.currentModel else {
            throw CommandFailure("evaluate needs a trained model — train one first, e.g. `train rf`")
        }
        let data = try EvaluationData.choose(for: current, in: context)
        let (dataset, rows) = (data.dataset, data.rows)
        let datasetVersion = dataset.version
        let model = current.model
        let predictions = try model.predict(dataset.frame, rows: rows)
        let subject = "\(model.algorithm) on \(datasetVersion.name) v\(datasetVersion.version)"
        var lines = ["\(model.algorithm) on \(data.description)"]
        let published: [(name: String, value: Double)]
        var charts: [Chart]
        if let predicted = predictions.values {
            let truth = try model.target.values(dataset.frame, rows: rows)
            let metrics = RegressionMetrics.compute(truth: truth, predicted: predicted)
            current.evaluation = .regression(metrics)
            published = MetricsReport.values(metrics)
            lines += MetricsReport.lines(published)
            lines.append(MetricsReport.residuals(metrics))
            charts = [PredictedActualChart.render(actual: truth, predicted: predicted, title: "Predicted vs actual — \(subject)")]
        } else {
            let truth = try model.target.encode(dataset.frame, rows: rows).indices
            let metrics = ClassificationMetrics.compute(
                truth: truth, predicted: predictions.indices, classCount: model.classes.count,
                probabilities: predictions.probabilities, scores: predictions.scores)
            current.evaluation = .classification(metrics)
            published = MetricsReport.values(metrics)
            lines += MetricsReport.lines(published)
            lines.append("")
            lines += MetricsReport.confusion(metrics.confusion, classes: model.classes)
            charts = EvaluationCharts.evaluate(metrics, classes: model.classes, truth: truth, scores: predictions.scores, subject: subject)
        }
        current.model.metrics = published
        context.session.currentModel = current

        lines.append("")
        switch model.algorithm {
        case RandomForestClassifier.algorithm: lines.append("feature importances")
        case GradientBoostingClassifier.algorithm: lines.append("feature importances (share of the loss reduction by splits)")
        case RidgeRegression.algorithm: lines.append("coefficients (per standardized feature)")
        default: lines.append("coefficients (largest |weight| over classes)")
        }
        lines += MetricsReport.bars(names: model.preprocessor.featureNames, weights: model.estimator.featureWeights)
        if let booster = model.estimator as? GradientBoostingClassifier {
            lines.append("")
            lines += LearningCurveReport.lines(booster)
        }
        var values: PublishedValues = published.map { ($0.name, Value.double($0.value)) }
        values.append(("test_rows", .int(rows.count)))
        if let weights = EvaluationCharts.weights(featureNames: model.preprocessor.featureNames, weights: model.estimator.featureWeights,
                                                  isForest: model.algorithm == RandomForestClassifier.algorithm, subject: subject) {
            charts.append(weights)
        }
        return CommandResult(lines.joined(separator: "\n"), values: values, charts: charts)
    }
}

/// Which rows of which data `evaluate` scores the current model on: the held-out rows of the split
/// it was trained with when the current dataset is the data it was trained on (same content) —
/// rebuilt from the recorded split for a model loaded from the registry — else every row of the
/// current dataset, and the first line of the output says which.
enum EvaluationData {
    static func choose(for current: CurrentModel, in context: CommandContext) throws -> (dataset: LoadedDataset, rows: [Int], description: String) {
        guard let dataset = context.session.currentDataset else {
            throw CommandFailure("evaluate needs data: load the dataset to evaluate on (`load dataset NAME`) — its held-out rows are used when it is the data the model was trained on")
        }
        let version = dataset.version
        let model = current.model
        let trainedOn = current.dataset?.contentHash ?? model.lineageValue("dataset_hash")
        guard trainedOn == version.contentHash else {
            let rows = Array(0..<dataset.frame.rowCount)
            return (dataset, rows, "all \(rows.count) rows of \(version.name) v\(version.version) (not the data it was trained on, so no rows were held out from it)")
        }
        let split: SplitPlan
        if let inSession = current.split {
            split = inSession
        } else {
            guard let fraction = model.lineageValue("split_test").flatMap(Double.init),
                  let seed = model.lineageValue("split_seed").flatMap(UInt64.init) else {
                throw CommandFailure("the model file records no split, so its held-out rows are unknown — evaluate it on another dataset version, or retrain")
            }
            let stratify = model.lineageValue("split_stratify").flatMap { $0.isEmpty ? nil : $0 }
            split = try Trainer.makeSplit(dataset, testFraction: fraction, seed: seed, stratify: stratify)
        }
        guard !split.test.isEmpty else {
            throw CommandFailure("evaluate has no held-out rows: the split kept all \(split.train.count) rows of \(version.name) v\(version.version) for training — hold some out with a larger test fraction (`split test=0.5`) or a larger dataset, then train again")
        }
        let how = current.split == nil ? " (the split it was trained with)" : ""
        return (dataset, split.test, "\(split.test.count) held-out rows of \(version.name) v\(version.version)\(how)")
    }
}

/// Shared rendering of metrics for `evaluate`, `cv` and `model`.
enum MetricsReport {
    static func values(_ m: ClassificationMetrics) -> [(name: String, value: Double)] {
        var out: [(name: String, value: Double)] = [
            ("accuracy", m.accuracy), ("precision", m.precision), ("recall", m.recall), ("f1", m.f1),
        ]
        if let auc = m.rocAUC { out.append(("auc", auc)) }
        if let loss = m.logLoss { out.append(("log_loss", loss)) }
        return out
    }

    static func values(_ m: RegressionMetrics) -> [(name: String, value: Double)] {
        [("rmse", m.rmse), ("mae", m.mae), ("r2", m.r2)]
    }

    static func lines(_ values: [(name: String, value: Double)]) -> [String] {
        values.map { "  " + $0.name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: "%.4f", $0.value) }
    }

    /// The residuals' quantiles on one line: how far off, and whether the model leans one way.
    static func residuals(_ m: RegressionMetrics) -> String {
        let names = RegressionMetrics.quantileLevels.map { $0 == 0.5 ? "median" : "\(Int(($0 * 100).rounded()))%" }
        return "residuals (actual − predicted): " + zip(names, m.residualQuantiles).map { "\($0) \(String(format: "%.4g", $1))" }.joined(separator: "  ")
    }

    static func confusion(_ matrix: [[Int]], classes: [String]) -> [String] {
        var table = TextTable(["truth \\ predicted"] + classes)
        for (i, row) in matrix.enumerated() { table.add([classes[i]] + row.map(String.init)) }
        return ["confusion matrix"] + table.render(indent: "  ").split(separator: "\n").map(String.init)
    }

    /// A small horizontal bar chart of the largest weights by magnitude.
    static func bars(names: [String], weights: [Double], top: Int = 12) -> [String] {
        let ranked = zip(names, weights).enumerated()
            .sorted { abs($0.element.1) != abs($1.element.1) ? abs($0.element.1) > abs($1.element.1) : $0.offset < $1.offset }
            .prefix(top).map(\.element)
        guard let largest = ranked.map({ abs($0.1) }).max(), largest > 0 else { return ["  (no weights)"] }
        let nameWidth = min(28, ranked.map(\.0.count).max() ?? 0)
        return ranked.map { name, weight in
            let length = Int((abs(weight) / largest * 30).rounded())
            let label = name.count > nameWidth ? String(name.prefix(nameWidth - 1)) + "…" : name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            return String(format: "  %@ %@ %+.4f", label, String(repeating: "█", count: max(length, 1)), weight)
        }
    }
}
