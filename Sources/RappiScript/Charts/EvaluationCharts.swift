import RappiCharts
import RappiML

/// The pictures of `evaluate` and `cv`, built from what the commands already computed.
enum EvaluationCharts {
    /// Confusion matrix and ROC curve(s) with their AUC (when the model gives scores).
    static func evaluate(_ metrics: ClassificationMetrics, classes: [String], truth: [Int], scores: [Double], subject: String) -> [Chart] {
        var charts = [ConfusionMatrixChart.render(metrics.confusion, classes: classes, title: "Confusion matrix — \(subject)")]
        let k = classes.count, n = truth.count
        if scores.count == n * k, k >= 2 {
            // Binary: the positive class's curve; several classes: one-vs-rest per class.
            let curveClasses = k == 2 ? [1] : Array(0..<k)
            let curves = curveClasses.compactMap { c -> ROCChart.Curve? in
                let positive = truth.map { $0 == c }
                let classScores = (0..<n).map { scores[$0 * k + c] }
                guard let auc = ClassificationMetrics.rocAUC(positive: positive, scores: classScores) else { return nil }
                return ROCChart.Curve(label: k == 2 ? "class \(classes[1])" : "\(classes[c]) vs rest",
                                      points: ROCCurve.points(positive: positive, scores: classScores), auc: auc)
            }
            if !curves.isEmpty { charts.append(ROCChart.render(curves, title: "ROC curve — \(subject)")) }
        }
        return charts
    }

    /// The feature importances or coefficients, when the model has them.
    static func weights(featureNames: [String], weights: [Double], isForest: Bool, subject: String) -> Chart? {
        guard !weights.isEmpty, weights.count == featureNames.count else { return nil }
        return WeightsChart.render(
            names: featureNames, weights: weights,
            title: isForest ? "Feature importances — \(subject)" : "Coefficients — \(subject)",
            axisTitle: isForest ? "mean decrease in impurity" : "weight (largest |weight| over classes)")
    }

    static func crossValidation(_ folds: [ClassificationMetrics], subject: String) -> Chart {
        var metrics: [(name: String, perFold: [Double])] = [("accuracy", folds.map(\.accuracy)), ("f1", folds.map(\.f1))]
        let aucs = folds.compactMap(\.rocAUC)
        if aucs.count == folds.count { metrics.append(("auc", aucs)) }
        return FoldScoresChart.render(metrics: metrics, title: "Cross-validation — \(subject)")
    }

    /// A regression model's R² per fold (RMSE and MAE are in the target's units, so not on one axis with it).
    static func crossValidation(_ folds: [RegressionMetrics], subject: String) -> Chart {
        // The chart's axis starts at 0: a fold worse than predicting the mean (R² < 0) is drawn at 0.
        FoldScoresChart.render(metrics: [("r2", folds.map { Swift.max($0.r2, 0) })], title: "Cross-validation — \(subject)")
    }
}
