import Foundation
import RappiML

/// `train rf [trees=100 depth= min_leaf=1 max_features=sqrt bootstrap=true seed=]`
public enum TrainRandomForestCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let trees = CommandOption("trees", default: 100, .atLeast(1), help: "number of trees (at least 1)")
    static let depth = CommandOption<Int?>("depth", .atLeast(1), help: "maximum tree depth (default: unlimited)")
    static let minLeaf = CommandOption("min_leaf", default: 1, .atLeast(1), help: "minimum rows in a leaf")
    static let maxFeatures = CommandOption("max_features", default: "sqrt", OptionRule { MaxFeatures($0) == nil ? "expects sqrt, log2, all, a fraction such as 0.5 or a count such as 7" : nil },
                                    help: "features tried per split: sqrt, log2, all, a fraction (0.5) or a count (7)")
    static let bootstrap = CommandOption("bootstrap", default: true, help: "sample rows with replacement for each tree")
    public static let signature = CommandSignature(
        "train rf", area: "training", summary: "Train a random forest on the current dataset's training rows.",
        options: [trees.spec, depth.spec, minLeaf.spec, maxFeatures.spec, bootstrap.spec, TrainCommandSupport.seed.spec],
        publishes: TrainCommandSupport.published,
        examples: ["train rf trees=200", "train rf trees=500 depth=8 min_leaf=2"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = RandomForestParameters()
        p.trees = try call.value(trees)
        p.maxDepth = try call.value(depth)
        p.minSamplesLeaf = try call.value(minLeaf)
        let maxFeaturesText = try call.value(maxFeatures)
        p.maxFeatures = MaxFeatures(maxFeaturesText)!
        p.bootstrap = try call.value(bootstrap)
        p.seed = try TrainCommandSupport.seed(call, context)
        try TrainCommandSupport.validate(p.validate, call)
        let choice = EstimatorChoices.randomForest(p, threads: context.session.threads, maxFeaturesText: maxFeaturesText)
        return try TrainCommandSupport.train(choice, units: p.trees, unit: "trees", context: context)
    }
}

/// `train gbm [rounds=100 learning_rate=0.1 leaves=31 depth= min_leaf=20 l2=0 subsample=1.0
/// colsample=1.0 bins=255 early_stopping= seed=]`
public enum TrainGradientBoostingCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let rounds = CommandOption("rounds", default: 100, .atLeast(1), help: "boosting rounds (trees per class)")
    static let learningRate = CommandOption("learning_rate", default: 0.1, .positive, help: "shrinkage of every tree (> 0; 0.05–0.3 is usual)")
    static let leaves = CommandOption("leaves", default: 31, OptionRule { $0 < 2 || $0 > 65_536 ? "must be between 2 and 65536" : nil },
                                      help: "largest number of leaves per tree (trees grow best-first)")
    static let depth = CommandOption<Int?>("depth", .atLeast(1), help: "largest leaf depth (default: limited by leaves only)")
    static let minLeaf = CommandOption("min_leaf", default: 20, .atLeast(1), help: "smallest number of training rows in a leaf")
    static let l2 = CommandOption("l2", default: 0.0, OptionRule { $0 >= 0 && $0.isFinite ? nil : "must be 0 or more" },
                                  help: "L2 penalty on leaf values")
    static let subsample = CommandOption("subsample", default: 1.0, OptionRule { $0 > 0 && $0 <= 1 ? nil : "must be in (0, 1]" },
                                         help: "fraction of rows drawn for each round")
    static let colsample = CommandOption("colsample", default: 1.0, OptionRule { $0 > 0 && $0 <= 1 ? nil : "must be in (0, 1]" },
                                         help: "fraction of features drawn for each round")
    static let bins = CommandOption("bins", default: 255, OptionRule { $0 < 2 || $0 > 255 ? "must be between 2 and 255" : nil },
                                    help: "largest number of histogram bins per feature")
    static let earlyStopping = CommandOption<Int?>("early_stopping", .atLeast(1),
                                                   help: "stop after N rounds without improvement on a validation tenth of the training rows")
    static let objective = CommandOption<RegressionLoss?>("objective",
                                                          help: "regression loss: l2 (squared error, the default) or l1 (absolute error); classes always use log loss")
    public static let signature = CommandSignature(
        "train gbm", area: "training",
        summary: "Train gradient-boosted trees (histogram-based, leaf-wise like LightGBM) on the current dataset's training rows.",
        options: [rounds.spec, learningRate.spec, leaves.spec, depth.spec, minLeaf.spec, l2.spec, subsample.spec,
                  colsample.spec, bins.spec, earlyStopping.spec, objective.spec, TrainCommandSupport.seed.spec],
        publishes: TrainCommandSupport.published + ["best_round"],
        examples: ["train gbm", "train gbm rounds=500 learning_rate=0.05 early_stopping=20",
                   "train gbm leaves=15 min_leaf=10 subsample=0.8 colsample=0.8", "train gbm objective=l1"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = GradientBoostingParameters()
        p.rounds = try call.value(rounds)
        p.learningRate = try call.value(learningRate)
        p.leaves = try call.value(leaves)
        p.maxDepth = try call.value(depth)
        p.minLeaf = try call.value(minLeaf)
        p.l2 = try call.value(l2)
        p.subsample = try call.value(subsample)
        p.colsample = try call.value(colsample)
        p.bins = try call.value(bins)
        p.earlyStopping = try call.value(earlyStopping)
        p.loss = try call.value(objective)
        p.seed = try TrainCommandSupport.seed(call, context)
        try TrainCommandSupport.validate(p.validate, call)
        let choice = EstimatorChoices.gradientBoosting(p, threads: context.session.threads)
        var result = try TrainCommandSupport.train(choice, units: p.rounds, unit: "rounds", context: context)
        guard let booster = context.session.currentModel?.model.estimator as? GradientBoostingClassifier else { return result }
        if p.earlyStopping != nil, let loss = booster.validationLoss.dropFirst(booster.bestRound).first {
            let trained = booster.trainLoss.count - 1
            result.output += String(format: "\nearly stopping: best round %d of %d trained (validation %@ %.4f); the model keeps %d rounds",
                                    booster.bestRound, trained, booster.lossName, loss, booster.bestRound)
        }
        result.values.append(("best_round", .int(booster.bestRound)))
        return result
    }
}

/// `train linsvc [C=1.0 max_iter=1000 tol=0.0001 seed=]`
public enum TrainLinearSVCCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let C = CommandOption("C", default: 1.0, .positive, help: "inverse regularisation strength (> 0)")
    static let maxIterations = CommandOption("max_iter", default: 1000, .atLeast(1), help: "maximum passes over the data")
    static let seed = CommandOption<Int?>("seed", .atLeast(0), help: "seed for the coordinate order (default: the session seed)")
    public static let signature = CommandSignature(
        "train linsvc", area: "training",
        summary: "Train a linear support vector classifier (L2, squared hinge, dual coordinate descent as in liblinear).",
        options: [C.spec, maxIterations.spec, TrainCommandSupport.tolerance.spec, seed.spec],
        publishes: TrainCommandSupport.classifierPublished,
        examples: ["train linsvc", "train linsvc C=0.5"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = LinearSVCParameters()
        p.C = try call.value(C)
        p.maxIterations = try call.value(maxIterations)
        p.tolerance = try call.value(TrainCommandSupport.tolerance)
        p.seed = try TrainCommandSupport.seed(call, context, option: seed)
        try TrainCommandSupport.validate(p.validate, call)
        return try TrainCommandSupport.train(EstimatorChoices.linearSVC(p), units: 0, unit: "", context: context)
    }
}

/// `train logreg [C=1.0 max_iter=100 tol=0.0001]`
public enum TrainLogisticRegressionCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let maxIterations = CommandOption("max_iter", default: 100, .atLeast(1), help: "maximum solver iterations")
    public static let signature = CommandSignature(
        "train logreg", area: "training", summary: "Train an L2-regularised logistic regression.",
        options: [TrainLinearSVCCommand.C.spec, maxIterations.spec, TrainCommandSupport.tolerance.spec],
        publishes: TrainCommandSupport.classifierPublished,
        examples: ["train logreg", "train logreg C=0.3"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = LogisticRegressionParameters()
        p.C = try call.value(TrainLinearSVCCommand.C)
        p.maxIterations = try call.value(maxIterations)
        p.tolerance = try call.value(TrainCommandSupport.tolerance)
        try TrainCommandSupport.validate(p.validate, call)
        return try TrainCommandSupport.train(EstimatorChoices.logisticRegression(p), units: 0, unit: "", context: context)
    }
}

/// `train ridge [alpha=1.0]`
public enum TrainRidgeCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let alpha = CommandOption("alpha", default: 1.0, OptionRule { $0 >= 0 && $0.isFinite ? nil : "must be 0 or more" },
                                     help: "L2 penalty on the coefficients (0: ordinary least squares)")
    public static let signature = CommandSignature(
        "train ridge", area: "training",
        summary: "Train a ridge regression (linear least squares with an L2 penalty, closed form on standardized features) for a numeric target.",
        options: [alpha.spec],
        publishes: TrainCommandSupport.regressorPublished,
        examples: ["train ridge", "train ridge alpha=10"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = RidgeParameters()
        p.alpha = try call.value(alpha)
        try TrainCommandSupport.validate(p.validate, call)
        return try TrainCommandSupport.train(EstimatorChoices.ridge(p), units: 0, unit: "", context: context)
    }
}

/// What the `train` commands share.
enum TrainCommandSupport {
    /// `train_accuracy` for a classifier, `train_rmse` for a regression model.
    static let published = ["train_rows", "features", "train_accuracy", "train_rmse"]
    static let classifierPublished = ["train_rows", "features", "train_accuracy"]
    static let regressorPublished = ["train_rows", "features", "train_rmse"]

    static func train(_ choice: EstimatorChoice, units: Int, unit: String, context: CommandContext) throws -> CommandResult {
        let trainer = Trainer(context: context)
        let (dataset, split, _, notes) = try trainer.setup(for: "train")
        let progress = units > 0 ? ProgressReporter(total: units, unit: unit, enabled: context.session.showsProgress) : nil
        let started = Date()
        let current: CurrentModel
        do {
            current = try trainer.train(choice, progress: progress)
            progress?.finish()
        } catch {
            progress?.finish()
            throw error
        }
        let seconds = Date().timeIntervalSince(started)
        context.session.currentModel = current
        let model = current.model
        let featureCount = model.preprocessor.featureNames.count
        let predictions = try model.predict(dataset.frame, rows: split.train)
        let fit: (text: String, value: (String, Value))
        if let predicted = predictions.values {
            let truth = try model.target.values(dataset.frame, rows: split.train)
            let rmse = RegressionMetrics.compute(truth: truth, predicted: predicted).rmse
            fit = (String(format: "training RMSE %.4f", rmse), ("train_rmse", .double(rmse)))
        } else {
            let truth = try model.target.encode(dataset.frame, rows: split.train).indices
            let accuracy = Double(zip(truth, predictions.indices).filter { $0 == $1 }.count) / Double(max(truth.count, 1))
            fit = (String(format: "training accuracy %.4f", accuracy), ("train_accuracy", .double(accuracy)))
        }
        var lines = notes.map { "using " + $0 }
        lines.append(String(format: "trained %@ on %d rows × %d features of %@ v%d in %.2f s (%@)",
                            choice.summary, split.train.count, featureCount, dataset.version.name,
                            dataset.version.version, seconds, fit.text))
        return CommandResult(lines.joined(separator: "\n"), values: [
            ("train_rows", .int(split.train.count)), ("features", .int(featureCount)), fit.value,
        ])
    }

    static let tolerance = CommandOption("tol", default: 0.0001, .positive, help: "stopping tolerance (> 0)")
    static let seed = CommandOption<Int?>("seed", .atLeast(0), help: "random seed (default: the session seed)")

    /// The option's seed when given, else the session's (`set seed`).
    static func seed(_ call: BoundCall, _ context: CommandContext, option: CommandOption<Int?> = seed) throws -> UInt64 {
        try call.value(option).map(UInt64.init) ?? context.session.seed
    }

    static func validate(_ check: () throws -> Void, _ call: BoundCall) throws {
        do { try check() } catch let error as TrainingError {
            throw ScriptError(error.message, at: call.invocation.endPosition)
        }
    }
}

extension RegressionLoss: ChoiceOptionText {}
