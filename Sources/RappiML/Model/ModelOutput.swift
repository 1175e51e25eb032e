/// What a model answers for a record — a property of the model that servers and reports ask
/// (`TrainedModel.output`) instead of each testing the algorithm or the target.
public enum ModelOutput: Sendable, Equatable {
    /// One of `classes`, with a probability per class when the estimator has them.
    case classLabel(classes: [String], hasProbabilities: Bool)
    /// One number (a regression model): no classes, no probabilities.
    case number

    public var isNumber: Bool { self == .number }

    /// How a predicted number is written in JSON answers and CSV files alike: the shortest text
    /// that reads back as the same Double, so every path gives the same value to the last bit.
    public static func numberText(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), v.magnitude < 9.0e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
