/// A trained model as one value: the fitted preprocessing, the estimator, the target's classes,
/// and where it came from. It takes raw records and answers with labels and probabilities —
/// the same code path in the REPL, the server and the container.
public struct TrainedModel: Sendable {
    public let algorithm: String
    /// Parameters as given and resolved, sorted by name (e.g. trees=200, seed=42).
    public let parameters: [(name: String, value: String)]
    public let target: TargetEncoding
    public let preprocessor: Preprocessor
    public let estimator: any Classifier
    /// Held-out metrics, when evaluated before registering.
    public var metrics: [(name: String, value: Double)]
    /// Lineage: dataset name, version and content hash, split, seed, rappi version, …
    public let lineage: [(name: String, value: String)]

    public init(algorithm: String, parameters: [(name: String, value: String)], target: TargetEncoding,
                preprocessor: Preprocessor, estimator: any Classifier, metrics: [(name: String, value: Double)],
                lineage: [(name: String, value: String)]) {
        self.algorithm = algorithm
        self.parameters = parameters.sorted { $0.name < $1.name }
        self.target = target
        self.preprocessor = preprocessor
        self.estimator = estimator
        self.metrics = metrics
        self.lineage = lineage
    }

    public var classes: [String] { target.classes }

    /// The one prediction path: predictions for `rows` of `frame` (all rows when nil) — raw
    /// columns, coerced and preprocessed by `Preprocessor.transform`, then one batch pass of the
    /// estimator. CSV and JSON predictions, the model server, the A/B router, `evaluate` and `cv`
    /// all come here, so a record gets the same answer however it arrives.
    public func predict(_ frame: DataFrame, rows: [Int]? = nil) throws -> Predictions {
        let (features, missing) = try preprocessor.prepare(frame, rows: rows)
        // One pass: the class is the arg-max of the probabilities where the model has them (what
        // the estimator's `predict` computes from the same scores), else of the decision scores.
        let k = estimator.classCount
        let probabilities = estimator.predictProbabilities(features)
        let scores = probabilities ?? estimator.decisionScores(features)
        var indices = [Int](repeating: 0, count: features.rows)
        scores.withUnsafeBufferPointer { s in
            for row in 0..<features.rows {
                var best = 0
                for c in 1..<Swift.max(k, 1) where s[row * k + c] > s[row * k + best] { best = c }
                indices[row] = best
            }
        }
        let imputed = zip(preprocessor.inputs, missing).filter { $1 > 0 }.map { (column: $0.name, count: $1) }
        return Predictions(classes: classes, indices: indices, probabilities: probabilities, scores: scores, classCount: k,
                           imputed: imputed)
    }

    public func lineageValue(_ name: String) -> String? { lineage.first { $0.name == name }?.value }
}

/// A model's answers for a batch of rows.
public struct Predictions: Sendable {
    public let classes: [String]
    public let indices: [Int]
    /// `rows × classCount`, row-major, when the model has probabilities.
    public let probabilities: [Double]?
    /// `rows × classCount` scores that rank the classes: the probabilities, or the decision values
    /// of a model without them (for ROC AUC).
    public let scores: [Double]
    public let classCount: Int
    /// Inputs some rows lacked, with how many: those values were imputed as preprocessing learned.
    public let imputed: [(column: String, count: Int)]

    public var count: Int { indices.count }

    public func label(_ row: Int) -> String { classes[indices[row]] }

    /// Every row's label (a new array each time: in a loop over rows use `label(_:)`).
    public var labels: [String] { indices.map { classes[$0] } }

    public func probabilities(row: Int) -> ArraySlice<Double>? {
        probabilities.map { $0[(row * classCount)..<((row + 1) * classCount)] }
    }
}
