import RappiML

/// The algorithms as `EstimatorChoice`s, built from a command's options.
enum EstimatorChoices {
    static func randomForest(_ p: RandomForestParameters, threads: Int, maxFeaturesText: String) -> EstimatorChoice {
        var parameters: [(name: String, value: String)] = [
            ("trees", String(p.trees)), ("min_leaf", String(p.minSamplesLeaf)), ("max_features", maxFeaturesText),
            ("bootstrap", p.bootstrap ? "true" : "false"), ("seed", String(p.seed)),
        ]
        if let depth = p.maxDepth { parameters.append(("depth", String(depth))) }
        return EstimatorChoice(algorithm: RandomForestClassifier.algorithm, parameters: parameters, standardize: false) { x, target, progress in
            let update = progress.map { reporter in { @Sendable (done: Int) in reporter.update(done) } }
            switch target {
            case .classes(let y):
                return try RandomForestClassifier.fit(x, y, parameters: p, threads: threads, progress: update, isCancelled: Interrupt.poll)
            case .values(let y):
                return try RandomForestClassifier.fitRegression(x, targets: y, parameters: p, threads: threads, progress: update,
                                                                isCancelled: Interrupt.poll)
            }
        }
    }

    static func gradientBoosting(_ p: GradientBoostingParameters, threads: Int) -> EstimatorChoice {
        var parameters: [(name: String, value: String)] = [
            ("rounds", String(p.rounds)), ("learning_rate", Value.format(p.learningRate)), ("leaves", String(p.leaves)),
            ("min_leaf", String(p.minLeaf)), ("l2", Value.format(p.l2)), ("subsample", Value.format(p.subsample)),
            ("colsample", Value.format(p.colsample)), ("bins", String(p.bins)), ("seed", String(p.seed)),
        ]
        if let depth = p.maxDepth { parameters.append(("depth", String(depth))) }
        if let patience = p.earlyStopping { parameters.append(("early_stopping", String(patience))) }
        if let loss = p.loss { parameters.append(("objective", loss.rawValue)) }
        return EstimatorChoice(algorithm: GradientBoostingClassifier.algorithm, parameters: parameters, standardize: false) { x, target, progress in
            let update = progress.map { reporter in { @Sendable (done: Int) in reporter.update(done) } }
            switch target {
            case .classes(let y):
                return try GradientBoostingClassifier.fit(x, y, parameters: p, threads: threads, progress: update, isCancelled: Interrupt.poll)
            case .values(let y):
                return try GradientBoostingClassifier.fitRegression(x, targets: y, parameters: p, threads: threads, progress: update,
                                                                    isCancelled: Interrupt.poll)
            }
        }
    }

    static func linearSVC(_ p: LinearSVCParameters) -> EstimatorChoice {
        EstimatorChoice(algorithm: LinearSVC.algorithm, parameters: [
            ("C", Value.format(p.C)), ("max_iter", String(p.maxIterations)), ("tol", Value.format(p.tolerance)), ("seed", String(p.seed)),
        ], standardize: true, tasks: [.classification]) { x, target, _ in
            guard case .classes(let y) = target else { throw TrainingError("linsvc is a classifier") }
            return try LinearSVC.fit(x, y, parameters: p, isCancelled: Interrupt.poll)
        }
    }

    static func logisticRegression(_ p: LogisticRegressionParameters) -> EstimatorChoice {
        EstimatorChoice(algorithm: LogisticRegression.algorithm, parameters: [
            ("C", Value.format(p.C)), ("max_iter", String(p.maxIterations)), ("tol", Value.format(p.tolerance)),
        ], standardize: true, tasks: [.classification]) { x, target, _ in
            guard case .classes(let y) = target else { throw TrainingError("logreg is a classifier") }
            return try LogisticRegression.fit(x, y, parameters: p, isCancelled: Interrupt.poll)
        }
    }

    static func ridge(_ p: RidgeParameters) -> EstimatorChoice {
        EstimatorChoice(algorithm: RidgeRegression.algorithm, parameters: [("alpha", Value.format(p.alpha))], standardize: true,
                        tasks: [.regression]) { x, target, _ in
            guard case .values(let y) = target else { throw TrainingError("ridge is a regressor") }
            return try RidgeRegression.fit(x, targets: y, parameters: p)
        }
    }

    /// The choice a model was trained with, rebuilt from the parameters its file records — so
    /// `cv` works after `load model` or a reused pipeline step. Nil for an unknown algorithm.
    static func recorded(algorithm: String, parameters: [(name: String, value: String)], threads: Int) -> EstimatorChoice? {
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        func int(_ name: String) -> Int? { value(name).flatMap { Int($0) } }
        func double(_ name: String) -> Double? { value(name).flatMap { Double($0) } }
        func seed() -> UInt64? { value("seed").flatMap { UInt64($0) } }
        switch algorithm {
        case RandomForestClassifier.algorithm:
            var p = RandomForestParameters()
            p.trees = int("trees") ?? p.trees
            p.minSamplesLeaf = int("min_leaf") ?? p.minSamplesLeaf
            p.maxDepth = int("depth")
            p.bootstrap = value("bootstrap").map { $0 == "true" } ?? p.bootstrap
            p.seed = seed() ?? p.seed
            let maxFeaturesText = value("max_features") ?? "sqrt"
            guard let maxFeatures = MaxFeatures(maxFeaturesText) else { return nil }
            p.maxFeatures = maxFeatures
            return randomForest(p, threads: threads, maxFeaturesText: maxFeaturesText)
        case GradientBoostingClassifier.algorithm:
            var p = GradientBoostingParameters()
            p.rounds = int("rounds") ?? p.rounds
            p.learningRate = double("learning_rate") ?? p.learningRate
            p.leaves = int("leaves") ?? p.leaves
            p.maxDepth = int("depth")
            p.minLeaf = int("min_leaf") ?? p.minLeaf
            p.l2 = double("l2") ?? p.l2
            p.subsample = double("subsample") ?? p.subsample
            p.colsample = double("colsample") ?? p.colsample
            p.bins = int("bins") ?? p.bins
            p.earlyStopping = int("early_stopping")
            p.seed = seed() ?? p.seed
            p.loss = value("objective").flatMap(RegressionLoss.init(rawValue:))
            return gradientBoosting(p, threads: threads)
        case LinearSVC.algorithm:
            var p = LinearSVCParameters()
            p.C = double("C") ?? p.C
            p.maxIterations = int("max_iter") ?? p.maxIterations
            p.tolerance = double("tol") ?? p.tolerance
            p.seed = seed() ?? p.seed
            return linearSVC(p)
        case LogisticRegression.algorithm:
            var p = LogisticRegressionParameters()
            p.C = double("C") ?? p.C
            p.maxIterations = int("max_iter") ?? p.maxIterations
            p.tolerance = double("tol") ?? p.tolerance
            return logisticRegression(p)
        case RidgeRegression.algorithm:
            var p = RidgeParameters()
            p.alpha = double("alpha") ?? p.alpha
            return ridge(p)
        default:
            return nil
        }
    }
}
