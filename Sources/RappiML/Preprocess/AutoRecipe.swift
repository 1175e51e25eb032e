/// The `auto` recipe: decides, from the training rows, which columns become which features.
///
/// - The target is excluded.
/// - ID-like columns are dropped: an integer or text column with a distinct value in every training
///   row (and no missing value). To avoid dropping real measurements in small tables, this needs at
///   least 10 rows unless the name says ID (`id`, `…Id`, `…_id`, `index`); an integer column must
///   also be dense (its range at most twice the row count), as row numbers are.
/// - High-cardinality text (more than 50 categories, more than half of its values distinct) is dropped.
/// - A column with no value in the training rows is dropped.
/// - Numeric columns: median imputation. Text columns: most-frequent imputation, one-hot encoding.
enum AutoRecipe {
    struct Plan {
        var inputs: [InputColumn] = []
        var steps: [FeatureStep] = []
        var notes: [String] = []
    }

    static let maxCategories = 50

    /// `frame` holds the training rows only.
    static func plan(_ frame: DataFrame, target: String) -> Plan {
        var plan = Plan()
        var dropped: [String] = []
        var imputed: [String] = []
        var oneHotColumns = 0, oneHotFeatures = 0
        let n = frame.rowCount

        for col in frame.columns where col.name != target {
            let present = col.nonMissingCount
            let missing = n - present
            if present == 0 {
                dropped.append("dropped column \(col.name) (no values in the training rows)")
                continue
            }
            if isIDLike(col, rows: n) {
                dropped.append("dropped ID-like column \(col.name) (unique per row)")
                continue
            }
            if col.type.isNumeric {
                let step = NumericImputer.fit(column: col.name, values: col.numericValues)!
                plan.steps.append(.numeric(step))
                if missing > 0 {
                    imputed.append("filled \(missing) missing \(col.name) with the training median \(format(step.fill))")
                }
            } else {
                let distinct = distinctCount(col)
                if distinct > maxCategories && distinct * 2 > present {
                    dropped.append("dropped high-cardinality text column \(col.name) (\(distinct) distinct values in \(present) rows)")
                    continue
                }
                let step = OneHotEncoder.fit(col)!
                plan.steps.append(.oneHot(step))
                oneHotColumns += 1
                oneHotFeatures += step.categories.count
                if missing > 0 {
                    imputed.append("filled \(missing) missing \(col.name) with the most frequent value '\(step.fill)'")
                }
            }
            plan.inputs.append(InputColumn(name: col.name, type: col.type, completeInTraining: missing == 0))
        }
        plan.notes = dropped + imputed
        if oneHotColumns > 0 {
            plan.notes.append("one-hot encoded \(oneHotColumns) text column\(oneHotColumns == 1 ? "" : "s") into \(oneHotFeatures) features")
        }
        return plan
    }

    static func isIDLike(_ col: Column, rows n: Int) -> Bool {
        guard col.type != .real, n >= 2, col.nonMissingCount == n else { return false }
        let named = nameLooksLikeID(col.name)
        guard named || n >= 10 else { return false }
        if col.type == .text { return distinctCount(col) == n }
        var values = col.numericValues
        values.sort()
        for i in 1..<n where values[i] == values[i - 1] { return false }
        return named || values[n - 1] - values[0] + 1 <= Double(2 * n)
    }

    static func nameLooksLikeID(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["id", "index", "idx", "unnamed: 0", "rowid", "row_id"].contains(lower) { return true }
        if lower.hasSuffix("_id") || lower.hasSuffix("-id") || lower.hasSuffix(" id") { return true }
        return name.hasSuffix("Id") || name.hasSuffix("ID")
    }

    static func distinctCount(_ col: Column) -> Int {
        var seen = [Bool](repeating: false, count: col.levels.count)
        var k = 0
        for c in col.codes where c >= 0 && !seen[Int(c)] {
            seen[Int(c)] = true
            k += 1
        }
        return k
    }

    /// Short display of a fitted number: integers without a fraction.
    static func format(_ v: Double) -> String {
        v == v.rounded() && v.magnitude < 1e15 ? Column.integerText(v) : "\(v)"
    }
}
