/// Settings of `RidgeRegression` (`train ridge [alpha=1.0]`).
public struct RidgeParameters: Sendable, Equatable {
    /// L2 penalty on the coefficients (not on the intercept); 0 is ordinary least squares.
    public var alpha = 1.0

    public init() {}

    public func validate() throws {
        guard alpha >= 0, alpha.isFinite else { throw TrainingError("alpha must be 0 or more (got \(alpha)); try alpha=1") }
    }
}

/// Linear least squares with an L2 penalty, solved in closed form as scikit-learn's `Ridge`
/// (fit_intercept): the features and target are centred on their training means, then
/// (XᵀX + αI) w = Xᵀy is solved by Cholesky and the intercept is ȳ − x̄·w, so the intercept is
/// not penalised. rappi standardizes numeric features before a linear model, so α weighs every
/// numeric feature alike. A regressor: one output, the predicted number.
///
/// Every sum runs over rows in order on one thread: the model does not depend on the thread count.
public struct RidgeRegression: Classifier {
    public static let algorithm = "ridge"

    public var classCount: Int { 1 }
    public let featureCount: Int
    public let parameters: RidgeParameters
    public let coefficients: [Double]
    public let intercept: Double

    init(featureCount: Int, parameters: RidgeParameters, coefficients: [Double], intercept: Double) {
        self.featureCount = featureCount
        self.parameters = parameters
        self.coefficients = coefficients
        self.intercept = intercept
    }

    public static func fit(_ x: FeatureMatrix, targets: [Double], parameters: RidgeParameters) throws -> RidgeRegression {
        try parameters.validate()
        try validateRegressionData(x, targets)
        let n = x.rows, d = x.columns
        var means = [Double](repeating: 0, count: d)
        var meanY = 0.0
        for r in 0..<n {
            for j in 0..<d { means[j] += x.values[r * d + j] }
            meanY += targets[r]
        }
        for j in 0..<d { means[j] /= Double(n) }
        meanY /= Double(n)

        // Upper triangle of XᵀX and Xᵀy on centred data.
        var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
        var row = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d { row[j] = x.values[r * d + j] - means[j] }
            let y = targets[r] - meanY
            for i in 0..<d {
                let xi = row[i]
                guard xi != 0 else { continue }
                b[i] += xi * y
                for j in i..<d { a[i * d + j] += xi * row[j] }
            }
        }
        for i in 0..<d {
            a[i * d + i] += parameters.alpha
            for j in 0..<i { a[i * d + j] = a[j * d + i] }
        }
        guard let w = choleskySolve(a, b, size: d) else {
            throw TrainingError("the features are linearly dependent, so least squares has no unique solution — use alpha > 0 (e.g. alpha=1)")
        }
        var intercept = meanY
        for j in 0..<d { intercept -= means[j] * w[j] }
        return RidgeRegression(featureCount: d, parameters: parameters, coefficients: w, intercept: intercept)
    }

    /// Solves `A x = b` for a symmetric `A` (`size × size`, row-major); nil unless A is positive
    /// definite (within rounding).
    static func choleskySolve(_ a: [Double], _ b: [Double], size d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        var largest = 0.0
        for i in 0..<d { largest = Swift.max(largest, Swift.abs(a[i * d + i])) }
        let floor = Swift.max(largest, 1) * 1e-12
        for i in 0..<d {
            for j in 0...i {
                var s = a[i * d + j]
                for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                if i == j {
                    guard s > floor else { return nil }
                    l[i * d + i] = s.squareRoot()
                } else {
                    l[i * d + j] = s / l[j * d + j]
                }
            }
        }
        var z = [Double](repeating: 0, count: d)
        for i in 0..<d {
            var s = b[i]
            for k in 0..<i { s -= l[i * d + k] * z[k] }
            z[i] = s / l[i * d + i]
        }
        var x = [Double](repeating: 0, count: d)
        for i in stride(from: d - 1, through: 0, by: -1) {
            var s = z[i]
            for k in (i + 1)..<Swift.max(i + 1, d) { s -= l[k * d + i] * x[k] }
            x[i] = s / l[i * d + i]
        }
        return x
    }

    public func predictProbabilities(_ x: FeatureMatrix) -> [Double]? { nil }

    /// The predictions `w·x + b`.
    public func decisionScores(_ x: FeatureMatrix) -> [Double] {
        LinearModel(coefficients: [coefficients], intercepts: [intercept], classCount: 1, featureCount: featureCount).rawScores(x)
    }

    public var featureWeights: [Double] { coefficients }

    // MARK: model file

    static let formatVersion = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.writeSectionHeader(Self.algorithm, version: Self.formatVersion)
        writer.write(featureCount)
        writer.write(parameters.alpha)
        writer.write(coefficients)
        writer.write(intercept)
    }

    public init(from reader: inout BinaryReader) throws {
        try reader.expectSectionHeader(Self.algorithm, version: Self.formatVersion)
        featureCount = try reader.readInt()
        var p = RidgeParameters()
        p.alpha = try reader.readDouble()
        parameters = p
        coefficients = try reader.readDoubles()
        intercept = try reader.readDouble()
        guard featureCount >= 1, featureCount < 1 << 30, coefficients.count == featureCount else {
            throw BinaryReader.Failure(message: "model file is damaged (ridge: coefficient count)")
        }
    }
}
