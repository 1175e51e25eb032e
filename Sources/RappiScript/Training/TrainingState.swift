import RappiML
import RappiWorkspace

/// Which rows train and which are held out, for one dataset version.
public struct SplitPlan {
    public let datasetHash: String
    public let train: [Int]
    public let test: [Int]
    public let testFraction: Double
    public let seed: UInt64
    public let stratify: String?
}

/// How features are made: a recipe and the target column.
public struct PreprocessPlan {
    public let recipe: Recipe
    public let target: String
}

/// An algorithm with its parameters, able to fit itself again (for `cv`).
public struct EstimatorChoice {
    public let algorithm: String
    /// Parameters as recorded in the model file and the registry.
    public let parameters: [(name: String, value: String)]
    /// Linear models want standardized features; trees do not care.
    public let standardize: Bool
    public let fit: (FeatureMatrix, EncodedLabels, ProgressReporter?) throws -> any Classifier

    /// One line for people: "rf (trees=200, seed=42)".
    public var summary: String {
        "\(algorithm) (" + parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
    }
}

/// The model the session holds: trained here, or loaded from the registry.
public struct CurrentModel {
    public var model: TrainedModel
    public let choice: EstimatorChoice?
    public let dataset: DatasetVersion?
    public let split: SplitPlan?
    public var evaluation: ClassificationMetrics?
    public var registered: ModelVersion?
}
