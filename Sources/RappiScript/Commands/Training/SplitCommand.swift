import RappiML

/// `split test=0.2 seed=42 [stratify=COLUMN]` — which rows train and which are held out.
public enum SplitCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let test = CommandOption("test", default: 0.2, .fraction, help: "fraction of rows held out, between 0 and 1")
    static let seed = CommandOption<Int?>("seed", .atLeast(0), help: "seed for the shuffle (default: the session seed)")
    static let stratify = CommandOption<String?>("stratify", kind: .name, help: "column whose class balance both sides keep (default: the target of a classification task; 'none' to turn off)")
    public static let signature = CommandSignature(
        "split", area: "training",
        summary: "Hold out a fraction of the current dataset for evaluation (stratified by the target by default).",
        options: [test.spec, seed.spec, stratify.spec],
        publishes: ["train_rows", "test_rows"],
        examples: ["split test=0.25 seed=7", "split stratify=Pclass"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let fraction = try call.value(test)
        let seed = try TrainCommandSupport.seed(call, context, option: seed)
        let dataset = try context.currentDataset(for: "split")
        var stratify = try call.value(stratify)
        if stratify == nil, let target = context.session.preprocessing?.target ?? dataset.version.target {
            // A regression target has no classes to keep in balance.
            let task = try context.session.preprocessing?.task ?? Trainer.guessTask(dataset, target: target).0
            stratify = task == .regression ? nil : target
        }
        if stratify?.lowercased() == "none" { stratify = nil }
        let plan = try Trainer.makeSplit(dataset, testFraction: fraction, seed: seed, stratify: stratify)
        context.session.split = plan
        let how = stratify.map { "stratified by \($0)" } ?? "not stratified"
        return CommandResult("split \(dataset.version.name) v\(dataset.version.version): \(plan.train.count) train / \(plan.test.count) test rows (\(how), seed \(seed))",
                             values: [("train_rows", .int(plan.train.count)), ("test_rows", .int(plan.test.count))])
    }
}
