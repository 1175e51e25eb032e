/// What every trained estimator offers: the same code path in the REPL, the server and the
/// container. Outputs are row-major `rows × classCount` arrays.
///
/// A regressor is an estimator with one output (`classCount` 1, `isRegressor`): its
/// `decisionScores` are the predicted numbers and it has no probabilities. One protocol for both
/// keeps one model file, one registry and one prediction path (`TrainedModel.predict`).
public protocol Classifier: Sendable {
    /// A short identifier stored in model files: "rf", "linsvc", "logreg".
    static var algorithm: String { get }
    var classCount: Int { get }
    var featureCount: Int { get }

    /// Class probabilities, or nil when the estimator has none (linear SVC).
    func predictProbabilities(_ x: FeatureMatrix) -> [Double]?
    /// Scores whose order ranks classes (probabilities, or decision values), for ROC AUC.
    func decisionScores(_ x: FeatureMatrix) -> [Double]
    func predict(_ x: FeatureMatrix) -> [Int]

    /// Per-feature weight for the terminal bar chart: importances (rf) or coefficients (linear;
    /// for several classes, the largest absolute coefficient over classes).
    var featureWeights: [Double] { get }

    func encode(into writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws
}

extension Classifier {
    /// True for an estimator that predicts a number (one output, no classes).
    public var isRegressor: Bool { classCount == 1 }

    /// Arg-max of the decision scores, ties to the lower class index.
    public func predict(_ x: FeatureMatrix) -> [Int] {
        let scores = decisionScores(x)
        return (0..<x.rows).map { row in
            var best = 0
            for k in 1..<Swift.max(classCount, 1) where scores[row * classCount + k] > scores[row * classCount + best] { best = k }
            return best
        }
    }
}

/// Training failed for a reason the user can fix (bad parameter, one class only, …).
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
