import RappiML

/// `preprocess [recipe=titanic|auto] [target=COLUMN] [task=classification|regression]` — how features are made. The fit itself
/// happens at `train`, on the training rows only; this shows what the recipe makes of them.
public enum PreprocessCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let recipe = CommandOption<Recipe?>("recipe", help: "titanic (engineered Titanic features) or auto (any tabular data); default: titanic for Titanic-shaped data, else auto")
    static let target = CommandOption<String?>("target", kind: .name, help: "the column to predict (default: the dataset's target)")
    static let task = CommandOption<LearningTask?>("task", help: "classification or regression; default: regression for a numeric target with more than \(LearningTask.regressionDistinctValues) distinct values, else classification")
    public static let signature = CommandSignature(
        "preprocess", area: "training",
        summary: "Choose the feature recipe and target; shows the features it makes from the training rows.",
        options: [recipe.spec, target.spec, task.spec],
        publishes: ["features", "task"],
        examples: ["preprocess recipe=titanic", "preprocess recipe=auto target=Survived", "preprocess target=progression task=regression"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let dataset = try context.currentDataset(for: "preprocess")
        let recipe = try call.value(recipe) ?? Trainer.defaultRecipe(for: dataset.frame)
        let target = try call.value(target) ?? Trainer.defaultTarget(dataset)
        guard dataset.frame.column(named: target) != nil else {
            let hint = NameSuggestion.closest(to: target, in: dataset.frame.columnNames).map { " — did you mean '\($0)'?" }
                ?? " — columns are: \(dataset.frame.columnNames.joined(separator: ", "))"
            throw call.error("target column '\(target)' is not in \(dataset.version.name) v\(dataset.version.version)\(hint)", at: "target")
        }
        let chosenTask = try call.value(task)
        context.session.preprocessing = PreprocessPlan(recipe: recipe, target: target, task: chosenTask)
        let (_, split, plan, notes) = try Trainer(context: context).setup(for: "preprocess")
        let encoding: TargetEncoding
        do {
            encoding = try TargetEncoding.fit(dataset.frame, target: plan.target, rows: split.train, task: plan.task)
        } catch let error as PreprocessError where chosenTask != nil {
            throw call.error(error.message, at: "task")
        }
        let preview = try Preprocessor.fit(dataset.frame, rows: split.train, target: plan.target, recipe: plan.recipe, standardize: false)
        var lines = notes.filter { !$0.hasPrefix("task=") }
        let what = encoding.task == .regression ? "a number to predict" : "\(encoding.classes.count) classes"
        let how = chosenTask != nil ? "as chosen"
            : encoding.task == .regression ? "numeric with more than \(LearningTask.regressionDistinctValues) distinct values; task=classification overrides"
            : "task=regression overrides for a numeric quantity"
        lines.append("task \(encoding.task.rawValue) (\(what); \(how))")
        lines.append("recipe \(recipe.rawValue), target \(target): \(preview.featureNames.count) features from \(preview.inputs.count) input columns")
        lines.append("features: " + preview.featureNames.joined(separator: ", "))
        lines += preview.notes.map { "note: " + $0 }
        return CommandResult(lines.joined(separator: "\n"), values: [("features", .int(preview.featureNames.count)),
                                                                     ("task", .string(encoding.task.rawValue))])
    }
}

import RappiWorkspace

extension Recipe: ChoiceOptionText {}
extension LearningTask: ChoiceOptionText {}
