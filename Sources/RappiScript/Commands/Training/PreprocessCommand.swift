import RappiML

/// `preprocess [recipe=titanic|auto] [target=COLUMN]` — how features are made. The fit itself
/// happens at `train`, on the training rows only; this shows what the recipe makes of them.
public enum PreprocessCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let recipe = CommandOption<Recipe?>("recipe", help: "titanic (engineered Titanic features) or auto (any tabular data); default: titanic for Titanic-shaped data, else auto")
    static let target = CommandOption<String?>("target", kind: .name, help: "the column to predict (default: the dataset's target)")
    public static let signature = CommandSignature(
        "preprocess", area: "training",
        summary: "Choose the feature recipe and target; shows the features it makes from the training rows.",
        options: [recipe.spec, target.spec],
        publishes: ["features"],
        examples: ["preprocess recipe=titanic", "preprocess recipe=auto target=Survived"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let dataset = try context.currentDataset(for: "preprocess")
        let recipe = try call.value(recipe) ?? Trainer.defaultRecipe(for: dataset.frame)
        let target = try call.value(target) ?? Trainer.defaultTarget(dataset)
        guard dataset.frame.column(named: target) != nil else {
            let hint = NameSuggestion.closest(to: target, in: dataset.frame.columnNames).map { " — did you mean '\($0)'?" }
                ?? " — columns are: \(dataset.frame.columnNames.joined(separator: ", "))"
            throw call.error("target column '\(target)' is not in \(dataset.version.name) v\(dataset.version.version)\(hint)", at: "target")
        }
        context.session.preprocessing = PreprocessPlan(recipe: recipe, target: target)
        let (_, split, plan, notes) = try Trainer(context: context).setup(for: "preprocess")
        _ = try TargetEncoding.fit(dataset.frame, target: plan.target, rows: split.train)
        let preview = try Preprocessor.fit(dataset.frame, rows: split.train, target: plan.target, recipe: plan.recipe, standardize: false)
        var lines = notes
        lines.append("recipe \(recipe.rawValue), target \(target): \(preview.featureNames.count) features from \(preview.inputs.count) input columns")
        lines.append("features: " + preview.featureNames.joined(separator: ", "))
        lines += preview.notes.map { "note: " + $0 }
        return CommandResult(lines.joined(separator: "\n"), values: [("features", .int(preview.featureNames.count))])
    }
}

import RappiWorkspace

extension Recipe: ChoiceOptionText {}
