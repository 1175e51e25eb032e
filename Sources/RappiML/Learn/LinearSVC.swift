/// Options of `LinearSVC.fit`, with scikit-learn's defaults.
public struct LinearSVCParameters: Sendable, Equatable {
    /// Inverse regularisation strength (larger = less regularisation).
    public var C = 1.0
    /// Maximum number of outer passes of the coordinate descent.
    public var maxIterations = 1000
    /// Stopping tolerance on the projected gradient spread (liblinear's `eps`).
    public var tolerance = 1e-4
    /// Seed of the per-pass random permutations.
    public var seed: UInt64 = 42

    public init() {}

    public func validate() throws {
        try validateLinearSettings(C: C, maxIterations: maxIterations, tolerance: tolerance, suggestedIterations: 1000)
    }
}

/// A linear support vector classifier: L2-regularised squared hinge loss, solved by liblinear's
/// dual coordinate descent (`L2R_L2LOSS_SVC_DUAL`, with shrinking and a random permutation per
/// pass from `SplitMix64(seed)`), as scikit-learn's `LinearSVC`. The intercept is a constant
/// feature 1 (`intercept_scaling=1`) and is regularised like the weights, as in liblinear.
/// Several classes: one-vs-rest. Decision scores only (no probabilities).
public struct LinearSVC: Classifier {
    public static let algorithm = "linsvc"

    public let parameters: LinearSVCParameters
    var model: LinearModel
    /// Outer passes used per one-vs-rest problem (equal to `maxIterations` when not converged).
    public let iterations: [Int]

    public var classCount: Int { model.classCount }
    public var featureCount: Int { model.featureCount }
    /// One row per class (one-vs-rest), or one row for two classes (positive = class index 1).
    public var coefficients: [[Double]] { model.coefficients }
    public var intercepts: [Double] { model.intercepts }
    public var featureWeights: [Double] { model.featureWeights }
    /// True when every problem stopped on the tolerance rather than on `maxIterations`.
    public var converged: Bool { iterations.allSatisfy { $0 < parameters.maxIterations } }

    public static func fit(_ x: FeatureMatrix, _ y: EncodedLabels, parameters: LinearSVCParameters,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws -> LinearSVC {
        try parameters.validate()
        try validateTrainingData(x, y)
        let k = y.classes.count, d = x.columns
        let problems = k == 2 ? [1] : Array(0..<k)
        var rows: [[Double]] = [], intercepts: [Double] = [], iterations: [Int] = []
        for (i, positive) in problems.enumerated() {
            let signs = oneVsRestSigns(y.indices, positive: positive)
            let seed = k == 2 ? parameters.seed : SplitMix64.derive(parameters.seed, UInt64(i))
            guard let (w, iters) = solveDual(x, signs, parameters: parameters, seed: seed, isCancelled: isCancelled) else {
                throw TrainingError("training was cancelled")
            }
            rows.append(Array(w[0..<d]))
            intercepts.append(w[d])
            iterations.append(iters)
        }
        return LinearSVC(parameters: parameters,
                         model: LinearModel(coefficients: rows, intercepts: intercepts, classCount: k, featureCount: d),
                         iterations: iterations)
    }

    init(parameters: LinearSVCParameters, model: LinearModel, iterations: [Int]) {
        self.parameters = parameters
        self.model = model
        self.iterations = iterations
    }

    /// liblinear's `solve_l2r_l1l2_svc` for the squared hinge loss, dense, with the bias as a
    /// last feature equal to 1. Returns `d + 1` weights (the last is the intercept) and the passes.
    static func solveDual(_ x: FeatureMatrix, _ y: [Double], parameters: LinearSVCParameters, seed: UInt64,
                          isCancelled: (@Sendable () -> Bool)?) -> ([Double], Int)? {
        let l = x.rows, d = x.columns
        var rng = SplitMix64(seed: seed)
        let diag = 0.5 / parameters.C
        var w = [Double](repeating: 0, count: d + 1)
        var alpha = [Double](repeating: 0, count: l)
        var qd = [Double](repeating: 0, count: l)
        var index = Array(0..<l)
        var iter = 0
        var activeSize = l
        var pgMaxOld = Double.infinity, pgMinOld = -Double.infinity
        x.values.withUnsafeBufferPointer { xv in
            for i in 0..<l {
                var s = 1.0   // the bias feature
                for j in 0..<d { let v = xv[i * d + j]; s += v * v }
                qd[i] = diag + s
            }
        }
        var cancelled = false
        x.values.withUnsafeBufferPointer { xv in
            w.withUnsafeMutableBufferPointer { w in
                while iter < parameters.maxIterations {
                    if iter % 16 == 0, let isCancelled, isCancelled() { cancelled = true; return }
                    var pgMaxNew = -Double.infinity, pgMinNew = Double.infinity
                    for i in 0..<activeSize {
                        let j = i + rng.nextInt(below: activeSize - i)
                        index.swapAt(i, j)
                    }
                    var s = 0
                    while s < activeSize {
                        let i = index[s]
                        let yi = y[i]
                        let row = xv.baseAddress! + i * d
                        var dot = w[d]
                        for j in 0..<d { dot += w[j] * row[j] }
                        let g = yi * dot - 1 + alpha[i] * diag
                        var pg = 0.0
                        if alpha[i] == 0 {
                            if g > pgMaxOld {
                                activeSize -= 1
                                index.swapAt(s, activeSize)
                                continue
                            } else if g < 0 {
                                pg = g
                            }
                        } else {
                            pg = g   // upper bound is infinite for the squared hinge loss
                        }
                        pgMaxNew = Swift.max(pgMaxNew, pg)
                        pgMinNew = Swift.min(pgMinNew, pg)
                        if Swift.abs(pg) > 1e-12 {
                            let old = alpha[i]
                            alpha[i] = Swift.max(old - g / qd[i], 0)
                            let step = (alpha[i] - old) * yi
                            for j in 0..<d { w[j] += step * row[j] }
                            w[d] += step
                        }
                        s += 1
                    }
                    iter += 1
                    if pgMaxNew - pgMinNew <= parameters.tolerance {
                        if activeSize == l { break }
                        activeSize = l
                        pgMaxOld = .infinity
                        pgMinOld = -.infinity
                        continue
                    }
                    pgMaxOld = pgMaxNew
                    pgMinOld = pgMinNew
                    if pgMaxOld <= 0 { pgMaxOld = .infinity }
                    if pgMinOld >= 0 { pgMinOld = -.infinity }
                }
            }
        }
        _ = pgMinOld
        if cancelled { return nil }
        return (w, iter)
    }

    public func predictProbabilities(_ x: FeatureMatrix) -> [Double]? { nil }

    /// `rows × classCount` decision values; for two classes `[-s, s]` with s the decision value
    /// of class 1, so the arg-max is class 1 exactly when s > 0.
    public func decisionScores(_ x: FeatureMatrix) -> [Double] {
        let raw = model.rawScores(x)
        guard classCount == 2 else { return raw }
        var out = [Double](repeating: 0, count: x.rows * 2)
        for r in 0..<x.rows { out[2 * r] = -raw[r]; out[2 * r + 1] = raw[r] }
        return out
    }

    static let formatVersion = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.writeSectionHeader(Self.algorithm, version: Self.formatVersion)
        writer.write(parameters.C)
        writer.write(parameters.maxIterations)
        writer.write(parameters.tolerance)
        writer.write(parameters.seed)
        writer.write(iterations)
        model.encode(into: &writer)
    }

    public init(from reader: inout BinaryReader) throws {
        try reader.expectSectionHeader(Self.algorithm, version: Self.formatVersion)
        var p = LinearSVCParameters()
        p.C = try reader.readDouble()
        p.maxIterations = try reader.readInt()
        p.tolerance = try reader.readDouble()
        p.seed = try reader.readUInt64()
        parameters = p
        iterations = try reader.readInts()
        model = try LinearModel(from: &reader, algorithm: Self.algorithm)
    }
}
