import Foundation

/// The loss a gradient-boosted regressor minimises (`train gbm objective=l2|l1`).
public enum RegressionLoss: String, Sendable, CaseIterable {
    /// Squared error: predicts the conditional mean (the default).
    case l2
    /// Absolute error: predicts the conditional median, robust to outlying targets.
    case l1

    var objective: any BoostingObjective {
        switch self {
        case .l2: return SquaredError()
        case .l1: return AbsoluteError()
        }
    }
}

/// Squared error (LightGBM `regression`): start at the mean, g = s − y, h = 1. The loss reported
/// by round is the mean squared error.
struct SquaredError: BoostingObjective {
    var name: String { "l2" }
    var lossName: String { "squared error" }
    var outputs: Int { 1 }
    var hasUnitHessian: Bool { true }

    func initialScores(targets: [Double], rows: [Int]) -> [Double] {
        [rows.reduce(0.0) { $0 + targets[$1] } / Double(Swift.max(rows.count, 1))]
    }

    @inline(__always)
    func derivatives(scores: UnsafePointer<Double>, target y: Double,
                     g: UnsafeMutablePointer<Double>, h: UnsafeMutablePointer<Double>) -> Double {
        let e = scores[0] - y
        g[0] = e
        h[0] = 1
        return e * e
    }

    func probabilities(scores: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) { out[0] = scores[0] }
}

/// Absolute error (LightGBM `regression_l1`): start at the median, g = sign(s − y), h = 1, and
/// every leaf is then reset to the median residual of its rows (a Newton step on |e| would move
/// at most the learning rate per round, whatever the scale of the target).
struct AbsoluteError: BoostingObjective {
    var name: String { "l1" }
    var lossName: String { "absolute error" }
    var outputs: Int { 1 }
    var hasUnitHessian: Bool { true }

    func initialScores(targets: [Double], rows: [Int]) -> [Double] {
        [Self.median(rows.map { targets[$0] })]
    }

    @inline(__always)
    func derivatives(scores: UnsafePointer<Double>, target y: Double,
                     g: UnsafeMutablePointer<Double>, h: UnsafeMutablePointer<Double>) -> Double {
        let e = scores[0] - y
        g[0] = e > 0 ? 1 : (e < 0 ? -1 : 0)
        h[0] = 1
        return Swift.abs(e)
    }

    func probabilities(scores: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) { out[0] = scores[0] }

    func refitLeaf(rows: UnsafeBufferPointer<Int32>, targets: UnsafePointer<Double>, scores: UnsafePointer<Double>,
                   stride: Int) -> Double? {
        Self.median(rows.map { targets[Int($0)] - scores[Int($0) * stride] })
    }

    /// The median (mean of the two middle values for an even count); 0 for no values.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
