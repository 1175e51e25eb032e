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

    /// Predictions for every row of `frame` (raw columns; the target may be absent).
    public func predict(_ frame: DataFrame) throws -> Predictions {
        let features = try preprocessor.transform(frame)
        let indices = estimator.predict(features)
        return Predictions(classes: classes, indices: indices,
                           probabilities: estimator.predictProbabilities(features), classCount: estimator.classCount)
    }

    public func lineageValue(_ name: String) -> String? { lineage.first { $0.name == name }?.value }
}

/// A model's answers for a batch of rows.
public struct Predictions: Sendable {
    public let classes: [String]
    public let indices: [Int]
    /// `rows × classCount`, row-major, when the model has probabilities.
    public let probabilities: [Double]?
    public let classCount: Int

    public var labels: [String] { indices.map { classes[$0] } }

    public func probabilities(row: Int) -> ArraySlice<Double>? {
        probabilities.map { $0[(row * classCount)..<((row + 1) * classCount)] }
    }
}
