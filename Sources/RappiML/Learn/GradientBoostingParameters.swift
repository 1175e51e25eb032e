/// Settings of `GradientBoostingClassifier`, named as `train gbm` takes them (LightGBM's names in
/// brackets where they differ).
public struct GradientBoostingParameters: Sendable, Equatable {
    /// Boosting rounds (trees per class); fewer when early stopping ends sooner.
    public var rounds = 100
    /// Shrinkage of every leaf value.
    public var learningRate = 0.1
    /// Largest number of leaves per tree (`num_leaves`); trees grow best-first up to it.
    public var leaves = 31
    /// Largest depth of a leaf (`max_depth`), nil for no limit beyond `leaves`.
    public var maxDepth: Int?
    /// Smallest number of training rows in a leaf (`min_data_in_leaf`).
    public var minLeaf = 20
    /// L2 penalty on leaf values (`lambda_l2`).
    public var l2 = 0.0
    /// Fraction of rows each round sees (`bagging_fraction`, drawn afresh every round).
    public var subsample = 1.0
    /// Fraction of features each round may split on (`feature_fraction`).
    public var colsample = 1.0
    /// Largest number of value bins per feature (`max_bin`).
    public var bins = 255
    /// Stop when the validation loss has not improved for this many rounds; nil trains all
    /// `rounds`. The validation rows are a stratified tenth of the training rows.
    public var earlyStopping: Int?
    public var seed: UInt64 = 0
    /// The regression loss (`objective=`); nil is squared error for a regression target and the
    /// log loss of the classes otherwise. Only regression targets take one.
    public var loss: RegressionLoss?

    public init() {}

    /// Fraction of the training rows held back to judge early stopping.
    public static let validationFraction = 0.1

    public func validate() throws {
        guard rounds >= 1 else { throw TrainingError("rounds must be at least 1 (got \(rounds))") }
        guard learningRate > 0, learningRate.isFinite else {
            throw TrainingError("learning_rate must be greater than 0 (got \(learningRate)); 0.05–0.3 is usual")
        }
        guard leaves >= 2 else { throw TrainingError("leaves must be at least 2 (got \(leaves))") }
        guard leaves <= 65_536 else { throw TrainingError("leaves must be at most 65536 (got \(leaves))") }
        if let maxDepth, maxDepth < 1 { throw TrainingError("depth must be at least 1 (got \(maxDepth))") }
        guard minLeaf >= 1 else { throw TrainingError("min_leaf must be at least 1 (got \(minLeaf))") }
        guard l2 >= 0, l2.isFinite else { throw TrainingError("l2 must be 0 or more (got \(l2))") }
        guard subsample > 0, subsample <= 1 else { throw TrainingError("subsample must be in (0, 1] (got \(subsample))") }
        guard colsample > 0, colsample <= 1 else { throw TrainingError("colsample must be in (0, 1] (got \(colsample))") }
        guard bins >= 2, bins <= 255 else { throw TrainingError("bins must be between 2 and 255 (got \(bins))") }
        if let earlyStopping, earlyStopping < 1 {
            throw TrainingError("early_stopping must be at least 1 round (got \(earlyStopping))")
        }
    }
}
