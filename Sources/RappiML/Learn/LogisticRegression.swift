#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options of `LogisticRegression.fit`, with scikit-learn's defaults.
public struct LogisticRegressionParameters: Sendable, Equatable {
    /// Inverse regularisation strength: minimises `0.5·‖w‖² + C·Σ log-loss` (intercept not penalised).
    public var C = 1.0
    /// Maximum number of Newton iterations.
    public var maxIterations = 100
    /// Stops when the largest gradient component of the mean objective (`objective / (C·n)`, the
    /// scale scikit-learn's lbfgs uses) is below `tolerance / 100`.
    public var tolerance = 1e-4

    public init() {}

    public func validate() throws {
        try validateLinearSettings(C: C, maxIterations: maxIterations, tolerance: tolerance, suggestedIterations: 100)
    }
}

/// L2-regularised logistic regression, as scikit-learn's `LogisticRegression` (the intercept is not
/// penalised), solved by a truncated Newton method (conjugate gradient on exact Hessian–vector
/// products, Armijo backtracking) — deterministic and converging tightly to the optimum.
/// Several classes: one-vs-rest, with probabilities `σ(s_k) / Σ_j σ(s_j)` as scikit-learn's
/// `OneVsRestClassifier`.
public struct LogisticRegression: Classifier {
    public static let algorithm = "logreg"

    public let parameters: LogisticRegressionParameters
    var model: LinearModel
    /// Newton iterations used per problem.
    public let iterations: [Int]

    public var classCount: Int { model.classCount }
    public var featureCount: Int { model.featureCount }
    public var coefficients: [[Double]] { model.coefficients }
    public var intercepts: [Double] { model.intercepts }
    public var featureWeights: [Double] { model.featureWeights }
    public var converged: Bool { iterations.allSatisfy { $0 < parameters.maxIterations } }

    public static func fit(_ x: FeatureMatrix, _ y: EncodedLabels, parameters: LogisticRegressionParameters,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws -> LogisticRegression {
        try parameters.validate()
        try validateTrainingData(x, y)
        let k = y.classes.count, d = x.columns
        let problems = k == 2 ? [1] : Array(0..<k)
        let results = SlotBuffer<([Double], Int)>(count: problems.count)
        ParallelFor.run(count: problems.count, threads: ParallelFor.coreCount) { i in
            let signs = oneVsRestSigns(y.indices, positive: problems[i])
            if let r = newton(x, signs, parameters: parameters, isCancelled: isCancelled) { results.set(i, r) }
        }
        var rows: [[Double]] = [], intercepts: [Double] = [], iterations: [Int] = []
        for i in 0..<problems.count {
            guard let (w, iters) = results.get(i) else { throw TrainingError("training was cancelled") }
            rows.append(Array(w[0..<d]))
            intercepts.append(w[d])
            iterations.append(iters)
        }
        return LogisticRegression(parameters: parameters,
                                  model: LinearModel(coefficients: rows, intercepts: intercepts, classCount: k, featureCount: d),
                                  iterations: iterations)
    }

    init(parameters: LogisticRegressionParameters, model: LinearModel, iterations: [Int]) {
        self.parameters = parameters
        self.model = model
        self.iterations = iterations
    }

    /// Minimises f(w, b) = 0.5‖w‖² + C Σ log(1 + exp(−yᵢ(w·xᵢ + b))), yᵢ ∈ {−1, +1}.
    /// Returns `d + 1` values (the last is b) and the iterations used; nil when cancelled.
    static func newton(_ x: FeatureMatrix, _ y: [Double], parameters: LogisticRegressionParameters,
                       isCancelled: (@Sendable () -> Bool)?) -> ([Double], Int)? {
        let n = x.rows, d = x.columns, dim = d + 1
        let C = parameters.C
        let scale = 1 / (C * Double(n))
        var w = [Double](repeating: 0, count: dim)
        var z = [Double](repeating: 0, count: n)       // margins w·x + b
        var dd = [Double](repeating: 0, count: n)      // Hessian diagonal weights σ(1−σ)
        var g = [Double](repeating: 0, count: dim)

        return x.values.withUnsafeBufferPointer { xv -> ([Double], Int)? in
            let X = xv.baseAddress!

            func margins(_ w: [Double], into z: inout [Double]) {
                for i in 0..<n {
                    let row = X + i * d
                    var s = w[d]
                    for j in 0..<d { s += w[j] * row[j] }
                    z[i] = s
                }
            }
            /// log(1 + exp(−t)), stable.
            @inline(__always) func logLoss(_ t: Double) -> Double {
                t > 0 ? log1p(exp(-t)) : -t + log1p(exp(t))
            }
            func objective(_ w: [Double], _ z: [Double]) -> Double {
                var loss = 0.0
                for i in 0..<n { loss += logLoss(y[i] * z[i]) }
                var reg = 0.0
                for j in 0..<d { reg += w[j] * w[j] }
                return 0.5 * reg + C * loss
            }
            /// Gradient into g and Hessian weights into dd.
            func gradient(_ w: [Double], _ z: [Double]) {
                for j in 0..<dim { g[j] = 0 }
                for i in 0..<n {
                    let t = y[i] * z[i]
                    // σ(−t) computed stably.
                    let sNeg = t >= 0 ? exp(-t) / (1 + exp(-t)) : 1 / (1 + exp(t))
                    let coef = -y[i] * sNeg * C
                    dd[i] = sNeg * (1 - sNeg) * C
                    let row = X + i * d
                    for j in 0..<d { g[j] += coef * row[j] }
                    g[d] += coef
                }
                for j in 0..<d { g[j] += w[j] }
            }
            /// Hessian–vector product.
            func hessianTimes(_ v: [Double], into out: inout [Double]) {
                for j in 0..<dim { out[j] = 0 }
                for i in 0..<n {
                    let row = X + i * d
                    var s = v[d]
                    for j in 0..<d { s += v[j] * row[j] }
                    s *= dd[i]
                    for j in 0..<d { out[j] += s * row[j] }
                    out[d] += s
                }
                for j in 0..<d { out[j] += v[j] }
            }

            margins(w, into: &z)
            var f = objective(w, z)
            var iter = 0
            var p = [Double](repeating: 0, count: dim)
            var r = [Double](repeating: 0, count: dim)
            var q = [Double](repeating: 0, count: dim)
            var hq = [Double](repeating: 0, count: dim)
            var trial = [Double](repeating: 0, count: dim)
            var zTrial = [Double](repeating: 0, count: n)
            while true {
                gradient(w, z)
                var gMax = 0.0
                for j in 0..<dim { gMax = Swift.max(gMax, Swift.abs(g[j])) }
                if gMax * scale <= parameters.tolerance / 100 || iter >= parameters.maxIterations { break }
                if let isCancelled, isCancelled() { return nil }
                iter += 1

                // Conjugate gradient on H p = −g.
                var gNorm2 = 0.0
                for j in 0..<dim { p[j] = 0; r[j] = -g[j]; q[j] = r[j]; gNorm2 += g[j] * g[j] }
                let cgTolerance = Swift.min(0.1, gNorm2.squareRoot()) * gNorm2.squareRoot() * 1e-3
                var rr = gNorm2
                for _ in 0..<(2 * dim + 10) {
                    if rr.squareRoot() <= cgTolerance { break }
                    hessianTimes(q, into: &hq)
                    var qhq = 0.0
                    for j in 0..<dim { qhq += q[j] * hq[j] }
                    if qhq <= 0 { break }
                    let a = rr / qhq
                    var rrNew = 0.0
                    for j in 0..<dim { p[j] += a * q[j]; r[j] -= a * hq[j]; rrNew += r[j] * r[j] }
                    let beta = rrNew / rr
                    rr = rrNew
                    for j in 0..<dim { q[j] = r[j] + beta * q[j] }
                }
                var slope = 0.0
                for j in 0..<dim { slope += g[j] * p[j] }
                if !(slope < 0) {   // not a descent direction (numerical trouble): steepest descent
                    for j in 0..<dim { p[j] = -g[j] }
                    slope = -gNorm2
                }
                // Armijo backtracking.
                var step = 1.0
                var accepted = false
                for _ in 0..<60 {
                    for j in 0..<dim { trial[j] = w[j] + step * p[j] }
                    margins(trial, into: &zTrial)
                    let fTrial = objective(trial, zTrial)
                    if fTrial <= f + 1e-4 * step * slope {
                        swap(&w, &trial); swap(&z, &zTrial); f = fTrial
                        accepted = true
                        break
                    }
                    step *= 0.5
                }
                if !accepted { break }   // no further progress possible in floating point
            }
            return (w, iter)
        }
    }

    /// Probabilities `rows × classCount`.
    public func predictProbabilities(_ x: FeatureMatrix) -> [Double]? {
        let raw = model.rawScores(x)
        let rows = x.rows, k = classCount
        var out = [Double](repeating: 0, count: rows * k)
        @inline(__always) func sigmoid(_ t: Double) -> Double {
            t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t))
        }
        if k == 2 {
            for r in 0..<rows { let p = sigmoid(raw[r]); out[2 * r] = 1 - p; out[2 * r + 1] = p }
        } else {
            for r in 0..<rows {
                var s = 0.0
                for c in 0..<k { let p = sigmoid(raw[r * k + c]); out[r * k + c] = p; s += p }
                if s > 0 { for c in 0..<k { out[r * k + c] /= s } }
            }
        }
        return out
    }

    public func decisionScores(_ x: FeatureMatrix) -> [Double] { predictProbabilities(x)! }

    static let formatVersion = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.writeSectionHeader(Self.algorithm, version: Self.formatVersion)
        writer.write(parameters.C)
        writer.write(parameters.maxIterations)
        writer.write(parameters.tolerance)
        writer.write(iterations)
        model.encode(into: &writer)
    }

    public init(from reader: inout BinaryReader) throws {
        try reader.expectSectionHeader(Self.algorithm, version: Self.formatVersion)
        var p = LogisticRegressionParameters()
        p.C = try reader.readDouble()
        p.maxIterations = try reader.readInt()
        p.tolerance = try reader.readDouble()
        parameters = p
        iterations = try reader.readInts()
        model = try LinearModel(from: &reader, algorithm: Self.algorithm)
    }
}
