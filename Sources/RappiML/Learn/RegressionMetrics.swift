/// Regression metrics as scikit-learn computes them, and a summary of the residuals
/// (actual − predicted) for the predicted-vs-actual report.
public struct RegressionMetrics: Sendable, Equatable {
    /// Root mean squared error.
    public let rmse: Double
    /// Mean absolute error.
    public let mae: Double
    /// Coefficient of determination, 1 − SS_res / SS_tot (scikit-learn's `r2_score`: 1 for a
    /// perfect fit of a constant target, 0 for an imperfect one).
    public let r2: Double
    /// Residual quantiles at `RegressionMetrics.quantileLevels`.
    public let residualQuantiles: [Double]
    public let count: Int

    /// 5%, 25%, 50%, 75%, 95%.
    public static let quantileLevels = [0.05, 0.25, 0.5, 0.75, 0.95]

    public init(rmse: Double, mae: Double, r2: Double, residualQuantiles: [Double], count: Int) {
        self.rmse = rmse; self.mae = mae; self.r2 = r2; self.residualQuantiles = residualQuantiles; self.count = count
    }

    public static func compute(truth: [Double], predicted: [Double]) -> RegressionMetrics {
        precondition(truth.count == predicted.count, "truth and predicted differ in length")
        let n = truth.count
        guard n > 0 else { return RegressionMetrics(rmse: 0, mae: 0, r2: 0, residualQuantiles: quantileLevels.map { _ in 0 }, count: 0) }
        var squares = 0.0, absolutes = 0.0, mean = 0.0
        for i in 0..<n { mean += truth[i] }
        mean /= Double(n)
        var total = 0.0
        var residuals = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let e = truth[i] - predicted[i]
            residuals[i] = e
            squares += e * e
            absolutes += Swift.abs(e)
            total += (truth[i] - mean) * (truth[i] - mean)
        }
        let r2 = total > 0 ? 1 - squares / total : (squares == 0 ? 1 : 0)
        residuals.sort()
        return RegressionMetrics(rmse: (squares / Double(n)).squareRoot(), mae: absolutes / Double(n), r2: r2,
                                 residualQuantiles: quantileLevels.map { quantile(sorted: residuals, $0) }, count: n)
    }

    /// The `q` quantile of sorted values, interpolated linearly between order statistics (NumPy's default).
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
