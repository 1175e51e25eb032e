import RappiML

/// `split test=0.2 seed=42 [stratify=COLUMN]` — which rows train and which are held out.
public enum SplitCommand: RappiCommand {
    public static let reusableInPipelines = true
    public static let signature = CommandSignature(
        "split", area: "training",
        summary: "Hold out a fraction of the current dataset for evaluation (stratified by the target by default).",
        options: [
            OptionSpec("test", .number, default: "0.2", help: "fraction of rows held out, between 0 and 1"),
            OptionSpec("seed", .integer, help: "seed for the shuffle (default: the session seed)"),
            OptionSpec("stratify", .name, help: "column whose class balance both sides keep (default: the target; 'none' to turn off)"),
        ],
        publishes: ["train_rows", "test_rows"],
        examples: ["split test=0.25 seed=7", "split stratify=Pclass"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let fraction = try call.double("test")!
        guard fraction > 0, fraction < 1 else {
            throw call.error("option 'test' must be between 0 and 1 (exclusive), got \(Value.format(fraction))", at: "test")
        }
        let seed = try call.int("seed").map(UInt64.init) ?? context.session.seed
        let dataset = try context.currentDataset(for: "split")
        var stratify = try call.string("stratify")
        if stratify == nil { stratify = context.session.preprocessing?.target ?? dataset.version.target }
        if stratify?.lowercased() == "none" { stratify = nil }
        let plan = try Trainer.makeSplit(dataset, testFraction: fraction, seed: seed, stratify: stratify)
        context.session.split = plan
        let how = stratify.map { "stratified by \($0)" } ?? "not stratified"
        return CommandResult("split \(dataset.version.name) v\(dataset.version.version): \(plan.train.count) train / \(plan.test.count) test rows (\(how), seed \(seed))",
                             values: [("train_rows", .int(plan.train.count)), ("test_rows", .int(plan.test.count))])
    }
}
