import RappiML

/// The three algorithms as `EstimatorChoice`s, built from a command's options.
enum EstimatorChoices {
    static func randomForest(_ p: RandomForestParameters, threads: Int, maxFeaturesText: String) -> EstimatorChoice {
        var parameters: [(name: String, value: String)] = [
            ("trees", String(p.trees)), ("min_leaf", String(p.minSamplesLeaf)), ("max_features", maxFeaturesText),
            ("bootstrap", p.bootstrap ? "true" : "false"), ("seed", String(p.seed)),
        ]
        if let depth = p.maxDepth { parameters.append(("depth", String(depth))) }
        return EstimatorChoice(algorithm: RandomForestClassifier.algorithm, parameters: parameters, standardize: false) { x, y, progress in
            try RandomForestClassifier.fit(x, y, parameters: p, threads: threads,
                                           progress: progress.map { reporter in { reporter.update($0) } },
                                           isCancelled: Interrupt.poll)
        }
    }

    static func linearSVC(_ p: LinearSVCParameters) -> EstimatorChoice {
        EstimatorChoice(algorithm: LinearSVC.algorithm, parameters: [
            ("C", Value.format(p.C)), ("max_iter", String(p.maxIterations)), ("tol", Value.format(p.tolerance)), ("seed", String(p.seed)),
        ], standardize: true) { x, y, _ in
            try LinearSVC.fit(x, y, parameters: p, isCancelled: Interrupt.poll)
        }
    }

    static func logisticRegression(_ p: LogisticRegressionParameters) -> EstimatorChoice {
        EstimatorChoice(algorithm: LogisticRegression.algorithm, parameters: [
            ("C", Value.format(p.C)), ("max_iter", String(p.maxIterations)), ("tol", Value.format(p.tolerance)),
        ], standardize: true) { x, y, _ in
            try LogisticRegression.fit(x, y, parameters: p, isCancelled: Interrupt.poll)
        }
    }
}
