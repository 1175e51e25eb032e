import Foundation

/// What a gradient-boosting loss supplies to the booster: the starting score, the per-row first
/// and second derivatives the trees are fitted to, and the loss itself for the learning curve
/// and early stopping. Scores are raw (before any link function), `outputs` per row.
///
/// Regression plugs in here too (`RegressionObjectives.swift`): squared error and absolute
/// error, one output, raw score = the prediction.
protocol BoostingObjective: Sendable {
    /// Identifier stored in model files.
    var name: String { get }
    /// The loss as people name it ("log loss", "squared error"), for the learning curve.
    var lossName: String { get }
    /// Score columns per row: one tree per column each round.
    var outputs: Int { get }
    /// Whether every row's hessian is 1, so the trees can count rows instead of adding hessians.
    var hasUnitHessian: Bool { get }
    /// Starting raw scores (`outputs` values) from the training targets.
    func initialScores(targets: [Double], rows: [Int]) -> [Double]
    /// For one row: writes the gradient and hessian of every output (`g[c]`, `h[c]`) at `scores`
    /// (`outputs` values) and returns the row's loss.
    func derivatives(scores: UnsafePointer<Double>, target: Double,
                     g: UnsafeMutablePointer<Double>, h: UnsafeMutablePointer<Double>) -> Double
    /// Probabilities (`classCount` values) from raw scores.
    func probabilities(scores: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>)
    /// A leaf's value (before shrinkage) from its rows, replacing the Newton step −G/(H+λ) when
    /// non-nil: absolute error takes the median residual, as LightGBM does. `scores` are the rows'
    /// current raw scores of this output (stride `outputs`).
    func refitLeaf(rows: UnsafeBufferPointer<Int32>, targets: UnsafePointer<Double>, scores: UnsafePointer<Double>,
                   stride: Int) -> Double?
}

extension BoostingObjective {
    var lossName: String { "log loss" }
    var hasUnitHessian: Bool { false }
    func refitLeaf(rows: UnsafeBufferPointer<Int32>, targets: UnsafePointer<Double>, scores: UnsafePointer<Double>,
                   stride: Int) -> Double? { nil }
}

/// Two classes: log loss on the score of class 1, p = σ(s).
struct BinaryLogLoss: BoostingObjective {
    var name: String { "binary" }
    var outputs: Int { 1 }

    func initialScores(targets: [Double], rows: [Int]) -> [Double] {
        let positives = rows.reduce(0.0) { $0 + targets[$1] }
        let p = Swift.min(Swift.max(positives / Double(Swift.max(rows.count, 1)), 1e-15), 1 - 1e-15)
        return [Foundation.log(p / (1 - p))]
    }

    @inline(__always)
    func derivatives(scores: UnsafePointer<Double>, target y: Double,
                     g: UnsafeMutablePointer<Double>, h: UnsafeMutablePointer<Double>) -> Double {
        let s = scores[0]
        // One exp for both p = σ(s) and the loss log(1 + e^-|s|) + max(s, 0) − y·s (stable for large |s|).
        let e = Foundation.exp(-Swift.abs(s))
        let p = s >= 0 ? 1 / (1 + e) : e / (1 + e)
        g[0] = p - y
        h[0] = Swift.max(p * (1 - p), 1e-16)
        return Foundation.log1p(e) + Swift.max(s, 0) - y * s
    }

    func probabilities(scores: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let p = 1 / (1 + Foundation.exp(-scores[0]))
        out[0] = 1 - p
        out[1] = p
    }
}

/// Several classes: softmax over one score per class, multinomial log loss.
struct SoftmaxLoss: BoostingObjective {
    let classCount: Int
    var name: String { "softmax" }
    var outputs: Int { classCount }

    func initialScores(targets: [Double], rows: [Int]) -> [Double] {
        var counts = [Double](repeating: 0, count: classCount)
        for r in rows { counts[Int(targets[r])] += 1 }
        let n = Double(Swift.max(rows.count, 1))
        return counts.map { Foundation.log(Swift.max($0 / n, 1e-15)) }
    }

    @inline(__always)
    func derivatives(scores: UnsafePointer<Double>, target: Double,
                     g: UnsafeMutablePointer<Double>, h: UnsafeMutablePointer<Double>) -> Double {
        let k = classCount, y = Int(target)
        var top = scores[0]
        for c in 1..<k { top = Swift.max(top, scores[c]) }
        var sum = 0.0
        for c in 0..<k { let e = Foundation.exp(scores[c] - top); g[c] = e; sum += e }
        // LightGBM's factor k/(k−1) on the diagonal hessian.
        let factor = Double(k) / Double(k - 1)
        for c in 0..<k {
            let p = g[c] / sum
            g[c] = p - (c == y ? 1 : 0)
            h[c] = Swift.max(factor * p * (1 - p), 1e-16)
        }
        return Foundation.log(sum) + top - scores[y]
    }

    func probabilities(scores: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let k = classCount
        var top = scores[0]
        for c in 1..<k { top = Swift.max(top, scores[c]) }
        var sum = 0.0
        for c in 0..<k { out[c] = Foundation.exp(scores[c] - top); sum += out[c] }
        for c in 0..<k { out[c] /= sum }
    }
}

/// The objective a model file names.
func boostingObjective(named name: String, classCount: Int) -> (any BoostingObjective)? {
    switch name {
    case "l2" where classCount == 1: return SquaredError()
    case "l1" where classCount == 1: return AbsoluteError()
    case "binary" where classCount == 2: return BinaryLogLoss()
    case "softmax" where classCount >= 2: return SoftmaxLoss(classCount: classCount)
    default: return nil
    }
}
