/// The part of a model that turns raw records into features: fitted on the training rows only,
/// saved with the model, and applied unchanged at prediction time.
public struct Preprocessor: Sendable {
    public let recipe: Recipe
    public let target: String
    /// Whether numeric features are standardized (for linear models).
    public let standardize: Bool
    /// The raw columns a record provides, in the training data's column order, without the target
    /// and dropped columns.
    public let inputs: [InputColumn]
    public let featureNames: [String]
    /// What fitting decided, for people: dropped columns, imputed values, standardization.
    public let notes: [String]

    let steps: [FeatureStep]
    let standardizer: Standardizer

    init(recipe: Recipe, target: String, standardize: Bool, inputs: [InputColumn], featureNames: [String],
         notes: [String], steps: [FeatureStep], standardizer: Standardizer) {
        self.recipe = recipe
        self.target = target
        self.standardize = standardize
        self.inputs = inputs
        self.featureNames = featureNames
        self.notes = notes
        self.steps = steps
        self.standardizer = standardizer
    }

    /// Fits on `rows` of `frame` (the training split) only. `standardize` is true for linear models.
    public static func fit(_ frame: DataFrame, rows: [Int], target: String, recipe: Recipe,
                           standardize: Bool) throws -> Preprocessor {
        _ = try TargetEncoding.targetColumn(frame, target)
        try TargetEncoding.checkRows(rows, in: frame)
        guard !rows.isEmpty else { throw PreprocessError("no training rows to fit the preprocessing on") }

        var inputs: [InputColumn]
        var steps: [FeatureStep]
        var notes: [String]
        let working: DataFrame
        switch recipe {
        case .auto:
            let training = InputCoercion.subset(frame, rows: rows)
            let plan = AutoRecipe.plan(training, target: target)
            (inputs, steps, notes) = (plan.inputs, plan.steps, plan.notes)
            guard !steps.isEmpty else {
                throw PreprocessError("no usable feature columns besides the target '\(target)'\(notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))") — the data needs at least one more column")
            }
            working = try InputCoercion.select(training, inputs: inputs, rows: nil)
        case .titanic:
            let wanted = TitanicFeatures.columns.filter { $0.name != target }
            let absent = wanted.filter { frame.column(named: $0.name) == nil }.map { "'\($0.name)'" }
            if !absent.isEmpty {
                throw PreprocessError("the titanic recipe needs column\(absent.count == 1 ? "" : "s") \(absent.joined(separator: ", ")), which \(absent.count == 1 ? "is" : "are") not in the data — use recipe=auto for other data")
            }
            let order = frame.columnNames
            let ordered = wanted.sorted { order.firstIndex(of: $0.name)! < order.firstIndex(of: $1.name)! }
            let all = ordered.map { InputColumn(name: $0.name, type: $0.type, completeInTraining: true) }
            let raw = try InputCoercion.select(frame, inputs: all, rows: rows)
            inputs = all.map { i in InputColumn(name: i.name, type: i.type, completeInTraining: raw.column(named: i.name)!.nonMissingCount == raw.rowCount) }
            let derived = try TitanicFeatures.derive(raw)
            (steps, notes) = try TitanicFeatures.plan(derived)
            let ignored = order.filter { name in name != target && !wanted.contains { $0.name == name } }
            if !ignored.isEmpty {
                notes.insert("ignored column\(ignored.count == 1 ? "" : "s") \(ignored.joined(separator: ", ")) (not used by the titanic recipe)", at: 0)
            }
            working = derived
        }

        let featureNames = steps.flatMap(\.featureNames)
        var standardizer = Standardizer.identity
        if standardize {
            let x = try assemble(steps, working, names: featureNames)
            var numericColumns: [Int] = []
            var j = 0
            for step in steps {
                let width = step.featureNames.count
                if step.isNumeric { numericColumns.append(contentsOf: j..<(j + width)) }
                j += width
            }
            standardizer = Standardizer.fit(x, columns: numericColumns)
            if !numericColumns.isEmpty {
                notes.append("standardized \(numericColumns.count) numeric feature\(numericColumns.count == 1 ? "" : "s") (training mean and standard deviation)")
            }
        }
        return Preprocessor(recipe: recipe, target: target, standardize: standardize, inputs: inputs,
                            featureNames: featureNames, notes: notes, steps: steps, standardizer: standardizer)
    }

    /// Features for `rows` of `frame` (all rows when nil). The frame may lack the target and may
    /// have extra columns; a missing value (or an absent input column) is imputed as learned. A
    /// numeric input holding text that is not a number is an error naming the column, row and value.
    public func transform(_ frame: DataFrame, rows: [Int]? = nil) throws -> FeatureMatrix {
        try prepare(frame, rows: rows).features
    }

    /// `transform`, and for each input (in `inputs` order) how many of the rows lacked it — the
    /// values preprocessing imputed.
    public func prepare(_ frame: DataFrame, rows: [Int]? = nil) throws -> (features: FeatureMatrix, missing: [Int]) {
        let raw = try InputCoercion.select(frame, inputs: inputs, rows: rows)
        let missing = raw.columns.map { raw.rowCount - $0.nonMissingCount }
        let working = recipe == .titanic ? try TitanicFeatures.derive(raw) : raw
        var x = try Self.assemble(steps, working, names: featureNames)
        standardizer.apply(&x)
        return (x, missing)
    }

    /// Runs the steps on every row of `working` and lays their columns out row-major.
    static func assemble(_ steps: [FeatureStep], _ working: DataFrame, names: [String]) throws -> FeatureMatrix {
        var featureColumns: [[Double]] = []
        featureColumns.reserveCapacity(names.count)
        for step in steps { featureColumns.append(contentsOf: try step.apply(working)) }
        guard featureColumns.count == names.count else {
            throw PreprocessError("the preprocessor is inconsistent (\(featureColumns.count) features for \(names.count) names) — the model file may be damaged; retrain the model")
        }
        let rows = working.rowCount, width = featureColumns.count
        var values = [Double](repeating: 0, count: rows * width)
        for (j, column) in featureColumns.enumerated() {
            for (r, v) in column.enumerated() { values[r * width + j] = v }
        }
        return FeatureMatrix(rows: rows, columns: width, values: values, names: names)
    }
}
