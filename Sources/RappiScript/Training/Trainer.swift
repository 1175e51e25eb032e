import Foundation
import RappiML
import RappiWorkspace

/// Turns the session's dataset, split and preprocessing choice into a trained model.
/// When no `split` or `preprocess` was given, it applies the defaults and says so.
struct Trainer {
    let context: CommandContext
    var session: Session { context.session }

    /// The dataset, split and plan to train with, plus notes on any defaults applied. The plan's
    /// task is resolved (guessed from the target over all rows when not chosen, and said so).
    func setup(for command: String) throws -> (LoadedDataset, SplitPlan, PreprocessPlan, [String]) {
        let dataset = try context.currentDataset(for: command)
        var notes: [String] = []
        var plan: PreprocessPlan
        if let chosen = session.preprocessing {
            plan = chosen
        } else {
            plan = PreprocessPlan(recipe: Self.defaultRecipe(for: dataset.frame), target: try Self.defaultTarget(dataset))
            notes.append("preprocess recipe=\(plan.recipe.rawValue) target=\(plan.target) (default for this data)")
        }
        if plan.task == nil {
            let (task, note) = try Self.guessTask(dataset, target: plan.target)
            plan.task = task
            // `preprocess` already said which task it is; say it here when nobody has.
            if task == .regression && session.preprocessing == nil { notes.append(note) }
        }
        let split: SplitPlan
        if let chosen = session.split, chosen.datasetHash == dataset.version.contentHash {
            split = chosen
        } else {
            // A regression target has no classes to keep in balance.
            let stratify = plan.task == .regression ? nil : plan.target
            split = try Self.makeSplit(dataset, testFraction: 0.2, seed: session.seed, stratify: stratify)
            session.split = split
            notes.append("split test=0.2 seed=\(session.seed) \(stratify.map { "stratify=\($0)" } ?? "not stratified") (default): \(split.train.count) train / \(split.test.count) test rows")
        }
        return (dataset, split, plan, notes)
    }

    /// The task the target of `dataset` suggests, over all its rows, and a line saying why.
    static func guessTask(_ dataset: LoadedDataset, target: String) throws -> (LearningTask, String) {
        let rows = Array(0..<dataset.frame.rowCount)
        let task = try TargetEncoding.fit(dataset.frame, target: target, rows: rows).task
        switch task {
        case .regression:
            let distinct = Set(dataset.frame.column(named: target)?.numericValues ?? []).count
            return (task, "task=regression: target \(target) is numeric with \(distinct) distinct values (more than \(LearningTask.regressionDistinctValues); `preprocess task=classification` overrides)")
        case .classification:
            return (task, "task=classification: target \(target) has a few distinct values (`preprocess task=regression` overrides for a numeric one)")
        }
    }

    func train(_ choice: EstimatorChoice, progress: ProgressReporter?) throws -> CurrentModel {
        let (dataset, split, plan, _) = try setup(for: "train")
        let model = try fit(choice, frame: dataset.frame, rows: split.train, plan: plan, progress: progress,
                            lineage: lineage(dataset.version, split, plan))
        return CurrentModel(model: model, choice: choice, dataset: dataset.version, split: split, evaluation: nil, registered: nil)
    }

    /// Fits target encoding, preprocessing and estimator on `rows` only.
    func fit(_ choice: EstimatorChoice, frame: DataFrame, rows: [Int], plan: PreprocessPlan,
             progress: ProgressReporter?, lineage: [(name: String, value: String)]) throws -> TrainedModel {
        let target = try TargetEncoding.fit(frame, target: plan.target, rows: rows, task: plan.task)
        try Self.checkTask(choice, target)
        let trainingTarget = try target.trainingTarget(frame, rows: rows)
        let preprocessor = try Preprocessor.fit(frame, rows: rows, target: plan.target, recipe: plan.recipe,
                                                standardize: choice.standardize)
        let features = try preprocessor.transform(frame, rows: rows)
        let estimator = try choice.fit(features, trainingTarget, progress)
        return TrainedModel(algorithm: choice.algorithm, parameters: choice.parameters, target: target,
                            preprocessor: preprocessor, estimator: estimator, metrics: [], lineage: lineage)
    }

    /// Refuses an algorithm that does not handle the target's task, naming the ones that do.
    static func checkTask(_ choice: EstimatorChoice, _ target: TargetEncoding) throws {
        guard !choice.tasks.contains(target.task) else { return }
        switch target.task {
        case .regression:
            throw CommandFailure("train \(choice.algorithm) is a classifier, but target '\(target.column)' is a regression task (a number to predict) — use train ridge, train rf or train gbm; or `preprocess task=classification` if its values are classes")
        case .classification:
            throw CommandFailure("train \(choice.algorithm) predicts numbers, but target '\(target.column)' is a classification task (\(target.classes.count) classes) — use train logreg, train linsvc, train rf or train gbm; or `preprocess task=regression` if it is a numeric quantity")
        }
    }

    func lineage(_ version: DatasetVersion, _ split: SplitPlan, _ plan: PreprocessPlan) -> [(name: String, value: String)] {
        [
            ("dataset", version.name), ("dataset_version", String(version.version)), ("dataset_hash", version.contentHash),
            ("target", plan.target), ("recipe", plan.recipe.rawValue),
            ("split_test", Value.format(split.testFraction)), ("split_seed", String(split.seed)),
            ("split_stratify", split.stratify ?? ""), ("train_rows", String(split.train.count)),
            ("test_rows", String(split.test.count)), ("rappi_version", Workspace.rappiVersion),
        ]
    }

    /// Titanic-shaped data gets the titanic recipe; anything else `auto`.
    static func defaultRecipe(for frame: DataFrame) -> Recipe {
        let titanic = ["Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]
        return titanic.allSatisfy { frame.column(named: $0) != nil } ? .titanic : .auto
    }

    static func defaultTarget(_ dataset: LoadedDataset) throws -> String {
        guard let target = dataset.version.target else {
            throw CommandFailure("""
                \(dataset.version.name) v\(dataset.version.version) has no target column — say which column to predict \
                with `preprocess target=COLUMN` (or upload with target=COLUMN)
                """)
        }
        return target
    }

    static func makeSplit(_ dataset: LoadedDataset, testFraction: Double, seed: UInt64, stratify: String?) throws -> SplitPlan {
        let rows = dataset.frame.rowCount
        guard rows >= 2 else { throw CommandFailure("\(dataset.version.name) has \(rows) row(s) — a split needs at least 2") }
        let (train, test): ([Int], [Int])
        if let stratify {
            guard let column = dataset.frame.column(named: stratify) else {
                let hint = NameSuggestion.closest(to: stratify, in: dataset.frame.columnNames).map { " — did you mean '\($0)'?" } ?? ""
                throw CommandFailure("cannot stratify by '\(stratify)': no such column\(hint)")
            }
            let (labels, classCount) = Self.groups(of: column)
            (train, test) = Splits.stratifiedTrainTest(labels, classCount: classCount, testFraction: testFraction, seed: seed)
        } else {
            var order = Array(0..<rows)
            var generator = SplitMix64(seed: seed)
            generator.shuffle(&order)
            let testCount = max(1, min(rows - 1, Int((Double(rows) * testFraction).rounded())))
            test = order.prefix(testCount).sorted()
            train = order.dropFirst(testCount).sorted()
        }
        return SplitPlan(datasetHash: dataset.version.contentHash, train: train, test: test,
                         testFraction: testFraction, seed: seed, stratify: stratify)
    }

    /// Group index per row for stratification (missing values form their own group), in a
    /// deterministic order (sorted display values).
    static func groups(of column: Column) -> ([Int], Int) {
        let keys = (0..<column.count).map { column.string($0) ?? "\u{0}missing" }
        let distinct = Array(Set(keys)).sorted()
        var index: [String: Int] = [:]
        for (i, key) in distinct.enumerated() { index[key] = i }
        return (keys.map { index[$0]! }, distinct.count)
    }
}
