import Foundation
import RappiML

/// `train rf [trees=100 depth= min_leaf=1 max_features=sqrt bootstrap=true seed=]`
public enum TrainRandomForestCommand: RappiCommand {
    public static let reusableInPipelines = true
    public static let signature = CommandSignature(
        "train rf", area: "training", summary: "Train a random forest on the current dataset's training rows.",
        options: [
            OptionSpec("trees", .integer, default: "100", help: "number of trees (at least 1)"),
            OptionSpec("depth", .integer, help: "maximum tree depth (default: unlimited)"),
            OptionSpec("min_leaf", .integer, default: "1", help: "minimum rows in a leaf"),
            OptionSpec("max_features", .text, default: "sqrt", help: "features tried per split: sqrt, log2, all, a fraction (0.5) or a count (7)"),
            OptionSpec("bootstrap", .boolean, default: "true", help: "sample rows with replacement for each tree"),
            OptionSpec("seed", .integer, help: "random seed (default: the session seed)"),
        ],
        publishes: TrainCommandSupport.published,
        examples: ["train rf trees=200", "train rf trees=500 depth=8 min_leaf=2"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = RandomForestParameters()
        p.trees = try TrainCommandSupport.atLeast(1, "trees", call)!
        p.maxDepth = try TrainCommandSupport.atLeast(1, "depth", call)
        p.minSamplesLeaf = try TrainCommandSupport.atLeast(1, "min_leaf", call)!
        let maxFeatures = try call.string("max_features")!
        guard let parsed = MaxFeatures(maxFeatures) else {
            throw call.error("option 'max_features' expects sqrt, log2, all, a fraction such as 0.5 or a count such as 7, got '\(maxFeatures)'", at: "max_features")
        }
        p.maxFeatures = parsed
        p.bootstrap = try call.bool("bootstrap")!
        p.seed = try TrainCommandSupport.seed(call, context)
        try TrainCommandSupport.validate(p.validate, call)
        let choice = EstimatorChoices.randomForest(p, threads: context.session.threads, maxFeaturesText: maxFeatures)
        return try TrainCommandSupport.train(choice, units: p.trees, unit: "trees", context: context)
    }
}

/// `train linsvc [C=1.0 max_iter=1000 tol=0.0001 seed=]`
public enum TrainLinearSVCCommand: RappiCommand {
    public static let reusableInPipelines = true
    public static let signature = CommandSignature(
        "train linsvc", area: "training",
        summary: "Train a linear support vector classifier (L2, squared hinge, dual coordinate descent as in liblinear).",
        options: [
            OptionSpec("C", .number, default: "1.0", help: "inverse regularisation strength (> 0)"),
            OptionSpec("max_iter", .integer, default: "1000", help: "maximum passes over the data"),
            OptionSpec("tol", .number, default: "0.0001", help: "stopping tolerance (> 0)"),
            OptionSpec("seed", .integer, help: "seed for the coordinate order (default: the session seed)"),
        ],
        publishes: TrainCommandSupport.published,
        examples: ["train linsvc", "train linsvc C=0.5"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = LinearSVCParameters()
        p.C = try TrainCommandSupport.positive("C", call)
        p.maxIterations = try TrainCommandSupport.atLeast(1, "max_iter", call)!
        p.tolerance = try TrainCommandSupport.positive("tol", call)
        p.seed = try TrainCommandSupport.seed(call, context)
        try TrainCommandSupport.validate(p.validate, call)
        return try TrainCommandSupport.train(EstimatorChoices.linearSVC(p), units: 0, unit: "", context: context)
    }
}

/// `train logreg [C=1.0 max_iter=100 tol=0.0001]`
public enum TrainLogisticRegressionCommand: RappiCommand {
    public static let reusableInPipelines = true
    public static let signature = CommandSignature(
        "train logreg", area: "training", summary: "Train an L2-regularised logistic regression.",
        options: [
            OptionSpec("C", .number, default: "1.0", help: "inverse regularisation strength (> 0)"),
            OptionSpec("max_iter", .integer, default: "100", help: "maximum solver iterations"),
            OptionSpec("tol", .number, default: "0.0001", help: "stopping tolerance (> 0)"),
        ],
        publishes: TrainCommandSupport.published,
        examples: ["train logreg", "train logreg C=0.3"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        var p = LogisticRegressionParameters()
        p.C = try TrainCommandSupport.positive("C", call)
        p.maxIterations = try TrainCommandSupport.atLeast(1, "max_iter", call)!
        p.tolerance = try TrainCommandSupport.positive("tol", call)
        try TrainCommandSupport.validate(p.validate, call)
        return try TrainCommandSupport.train(EstimatorChoices.logisticRegression(p), units: 0, unit: "", context: context)
    }
}

/// What the three `train` commands share.
enum TrainCommandSupport {
    static let published = ["train_rows", "features", "train_accuracy"]

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
        let trainFeatures = try model.preprocessor.transform(dataset.frame, rows: split.train)
        let truth = try model.target.encode(dataset.frame, rows: split.train).indices
        let predicted = model.estimator.predict(trainFeatures)
        let trainAccuracy = Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(max(truth.count, 1))
        var lines = notes.map { "using " + $0 }
        lines.append(String(format: "trained %@ on %d rows × %d features of %@ v%d in %.2f s (training accuracy %.4f)",
                            choice.summary, split.train.count, trainFeatures.columns, dataset.version.name,
                            dataset.version.version, seconds, trainAccuracy))
        return CommandResult(lines.joined(separator: "\n"), values: [
            ("train_rows", .int(split.train.count)), ("features", .int(trainFeatures.columns)),
            ("train_accuracy", .double(trainAccuracy)),
        ])
    }

    static func atLeast(_ minimum: Int, _ name: String, _ call: BoundCall) throws -> Int? {
        guard let value = try call.int(name) else { return nil }
        guard value >= minimum else {
            throw call.error("option '\(name)' must be at least \(minimum), got \(value)", at: name)
        }
        return value
    }

    static func positive(_ name: String, _ call: BoundCall) throws -> Double {
        let value = try call.double(name)!
        guard value > 0, value.isFinite else {
            throw call.error("option '\(name)' must be greater than 0, got \(Value.format(value))", at: name)
        }
        return value
    }

    static func seed(_ call: BoundCall, _ context: CommandContext) throws -> UInt64 {
        guard let seed = try call.int("seed") else { return context.session.seed }
        guard seed >= 0 else { throw call.error("option 'seed' must be 0 or more, got \(seed)", at: "seed") }
        return UInt64(seed)
    }

    static func validate(_ check: () throws -> Void, _ call: BoundCall) throws {
        do { try check() } catch let error as TrainingError {
            throw ScriptError(error.message, at: call.invocation.endPosition)
        }
    }
}
