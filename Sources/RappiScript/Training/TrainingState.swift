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

/// How features are made: a recipe, the target column and the task (nil: guessed from the
/// target, see `LearningTask.guess`).
public struct PreprocessPlan {
    public let recipe: Recipe
    public let target: String
    public var task: LearningTask?

    public init(recipe: Recipe, target: String, task: LearningTask? = nil) {
        self.recipe = recipe
        self.target = target
        self.task = task
    }
}

/// An algorithm with its parameters, able to fit itself again (for `cv`).
public struct EstimatorChoice {
    public let algorithm: String
    /// Parameters as recorded in the model file and the registry.
    public let parameters: [(name: String, value: String)]
    /// Linear models want standardized features; trees do not care.
    public let standardize: Bool
    /// The tasks the algorithm handles; training it for another is refused, naming what to use.
    public let tasks: [LearningTask]
    public let fit: (FeatureMatrix, TrainingTarget, ProgressReporter?) throws -> any Classifier

    public init(algorithm: String, parameters: [(name: String, value: String)], standardize: Bool,
                tasks: [LearningTask] = LearningTask.allCases,
                fit: @escaping (FeatureMatrix, TrainingTarget, ProgressReporter?) throws -> any Classifier) {
        self.algorithm = algorithm
        self.parameters = parameters
        self.standardize = standardize
        self.tasks = tasks
        self.fit = fit
    }

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
    public var evaluation: Evaluation?
    public var registered: ModelVersion?
}

/// The held-out metrics of the current model, by task.
public enum Evaluation {
    case classification(ClassificationMetrics)
    case regression(RegressionMetrics)
}
