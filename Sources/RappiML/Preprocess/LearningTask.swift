/// What a model predicts: one of a few classes, or a number.
public enum LearningTask: String, Sendable, CaseIterable {
    case classification
    case regression

    /// A numeric target with more than this many distinct training values is taken as a
    /// regression target (a class column rarely has so many; a price or a duration always has).
    /// `preprocess task=…` overrides the guess either way.
    public static let regressionDistinctValues = 20

    /// The guess for a target: regression for a numeric column with many distinct values.
    static func guess(isNumeric: Bool, distinctValues: Int) -> LearningTask {
        isNumeric && distinctValues > regressionDistinctValues ? .regression : .classification
    }
}

/// What an estimator learns from: class indices (classification) or numbers (regression).
public enum TrainingTarget: Sendable {
    case classes(EncodedLabels)
    case values([Double])

    public var task: LearningTask {
        switch self {
        case .classes: return .classification
        case .values: return .regression
        }
    }
}
