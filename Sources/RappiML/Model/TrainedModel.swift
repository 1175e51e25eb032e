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
    public var task: LearningTask { target.task }

    /// What the model answers per record: a class label (with probabilities when it has them) or a number.
    public var output: ModelOutput {
        if task == .regression { return .number }
        let none = FeatureMatrix(rows: 0, columns: estimator.featureCount, values: [], names: preprocessor.featureNames)
        return .classLabel(classes: classes, hasProbabilities: estimator.predictProbabilities(none) != nil)
    }

    /// The one prediction path: predictions for `rows` of `frame` (all rows when nil) — raw
    /// columns, coerced and preprocessed by `Preprocessor.transform`, then one batch pass of the
    /// estimator. CSV and JSON predictions, the model server, the A/B router, `evaluate` and `cv`
    /// all come here, so a record gets the same answer however it arrives.
    public func predict(_ frame: DataFrame, rows: [Int]? = nil) throws -> Predictions {
        let (features, missing) = try preprocessor.prepare(frame, rows: rows)
        let imputed = zip(preprocessor.inputs, missing).filter { $1 > 0 }.map { (column: $0.name, count: $1) }
        if task == .regression {
            let values = estimator.decisionScores(features)
            return Predictions(classes: [], indices: [], probabilities: nil, scores: values, classCount: 1, imputed: imputed,
                               values: values)
        }
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
        return Predictions(classes: classes, indices: indices, probabilities: probabilities, scores: scores, classCount: k,
                           imputed: imputed, values: nil)
    }

    public func lineageValue(_ name: String) -> String? { lineage.first { $0.name == name }?.value }
}

/// A model's answers for a batch of rows: class indices (with probabilities or scores), or the
/// predicted numbers of a regression model (`values`; then there are no classes).
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
    /// A regression model's predictions, one per row; nil for a classifier.
    public let values: [Double]?

    public init(classes: [String], indices: [Int], probabilities: [Double]?, scores: [Double], classCount: Int,
                imputed: [(column: String, count: Int)], values: [Double]?) {
        self.classes = classes
        self.indices = indices
        self.probabilities = probabilities
        self.scores = scores
        self.classCount = classCount
        self.imputed = imputed
        self.values = values
    }

    public var count: Int { values?.count ?? indices.count }

    /// The predicted class, or the predicted number as text (`ModelOutput.numberText`).
    public func label(_ row: Int) -> String {
        if let values { return ModelOutput.numberText(values[row]) }
        return classes[indices[row]]
    }

    /// Every row's label (a new array each time: in a loop over rows use `label(_:)`).
    public var labels: [String] { (0..<count).map(label) }

    public func probabilities(row: Int) -> ArraySlice<Double>? {
        probabilities.map { $0[(row * classCount)..<((row + 1) * classCount)] }
    }
}
