/// The target of a model, fitted on the training rows: the class labels of a classification
/// target, or a numeric regression target (no classes).
///
/// Classes are sorted so the encoding never depends on row order: numerically for a numeric target
/// (labels are the values' display text, `"0"`, `"1"`), by string order for a text target.
public struct TargetEncoding: Sendable, Equatable {
    public let column: String
    public let classes: [String]
    /// `true` when the target was numeric in training; labels then match by numeric value, so a
    /// later frame may hold `1`, `1.0` or `"1"` for the class `"1"`.
    public let isNumeric: Bool
    public let task: LearningTask

    /// Class values of a numeric target, parallel to `classes`.
    private var classValues: [Double] { classes.map { Double($0) ?? .nan } }

    public init(column: String, classes: [String], isNumeric: Bool) {
        self.column = column
        self.classes = classes
        self.isNumeric = isNumeric
        task = .classification
    }

    /// A regression target: numbers, no classes.
    public init(regressionColumn column: String) {
        self.column = column
        classes = []
        isNumeric = true
        task = .regression
    }

    /// Fits the target `target` of `frame` on `rows`. `task` nil guesses it (`LearningTask.guess`:
    /// regression for a numeric column with many distinct values).
    public static func fit(_ frame: DataFrame, target: String, rows: [Int], task: LearningTask? = nil) throws -> TargetEncoding {
        let col = try targetColumn(frame, target)
        try checkRows(rows, in: frame)
        guard !rows.isEmpty else { throw PreprocessError("no training rows to fit target '\(target)' on") }
        try checkNoMissing(col, rows: rows)
        if task == .regression {
            guard col.type.isNumeric else {
                throw PreprocessError("target '\(target)' holds text, so it cannot be a regression target — use task=classification or a numeric column")
            }
            try checkFinite(col, rows: rows)
            return TargetEncoding(regressionColumn: target)
        }

        let classes: [String]
        if col.type.isNumeric {
            let values = col.numericValues
            var distinct = rows.map { values[$0] }
            distinct.sort()
            var unique: [Double] = []
            for v in distinct where unique.last != v { unique.append(v) }
            if task == nil && LearningTask.guess(isNumeric: true, distinctValues: unique.count) == .regression {
                try checkFinite(col, rows: rows)
                return TargetEncoding(regressionColumn: target)
            }
            classes = unique.map { label(numeric: $0, type: col.type) }
        } else {
            var seen = [Bool](repeating: false, count: col.levels.count)
            for r in rows { seen[Int(col.codes[r])] = true }
            classes = col.levels.indices.filter { seen[$0] }.map { col.levels[$0] }.sorted()
        }
        if classes.count < 2 {
            throw PreprocessError("target '\(target)' has only one class ('\(classes.first ?? "")') — a classifier needs at least two")
        }
        if classes.count > 50 && classes.count * 2 > rows.count {
            throw PreprocessError("target '\(target)' has \(classes.count) distinct values in \(rows.count) rows — it looks continuous or like an ID; choose a target with a few classes, or `preprocess task=regression` for a numeric one")
        }
        return TargetEncoding(column: target, classes: classes, isNumeric: col.type.isNumeric)
    }

    /// The numeric target at each of `rows` (a regression target; text that reads as a number is
    /// taken as that number). A missing or non-numeric value is an error naming it.
    public func values(_ frame: DataFrame, rows: [Int]) throws -> [Double] {
        let col = try Self.targetColumn(frame, column)
        try Self.checkRows(rows, in: frame)
        try Self.checkNoMissing(col, rows: rows)
        if col.type.isNumeric {
            let values = col.numericValues
            return rows.map { values[$0] }
        }
        return try rows.map { r in
            guard let v = NumberText.parse(col.string(r)!) else {
                throw PreprocessError("target '\(column)' has the value '\(col.string(r)!)' at data row \(r + 1), which is not a number — a regression target must be numeric")
            }
            return v
        }
    }

    /// What the model learns from at `rows`: class indices, or numbers for a regression target.
    public func trainingTarget(_ frame: DataFrame, rows: [Int]) throws -> TrainingTarget {
        task == .regression ? .values(try values(frame, rows: rows)) : .classes(try encode(frame, rows: rows))
    }

    /// The class index of the target at each of `rows`. A value not seen in training, or a missing
    /// value, is an error naming it.
    public func encode(_ frame: DataFrame, rows: [Int]) throws -> EncodedLabels {
        let col = try Self.targetColumn(frame, column)
        try Self.checkRows(rows, in: frame)
        try Self.checkNoMissing(col, rows: rows)
        var indices = [Int]()
        indices.reserveCapacity(rows.count)
        if isNumeric {
            let values = classValues
            for r in rows {
                let v: Double?
                if col.type.isNumeric { v = col.numericValues[r] } else { v = NumberText.parse(col.string(r)!) }
                guard let v, let k = values.firstIndex(of: v) else { throw unseen(col.string(r)!, row: r) }
                indices.append(k)
            }
        } else {
            // Map each level once.
            var levelIndex: [Int] = []
            if col.type == .text {
                levelIndex = col.levels.map { classes.firstIndex(of: $0) ?? -1 }
            }
            for r in rows {
                let k: Int
                if col.type == .text { k = levelIndex[Int(col.codes[r])] } else { k = classes.firstIndex(of: col.string(r)!) ?? -1 }
                guard k >= 0 else { throw unseen(col.string(r)!, row: r) }
                indices.append(k)
            }
        }
        return EncodedLabels(classes: classes, indices: indices)
    }

    private func unseen(_ value: String, row: Int) -> PreprocessError {
        let known = classes.map { "'\($0)'" }.joined(separator: ", ")
        return PreprocessError("target '\(column)' has the value '\(value)' at data row \(row + 1), which was not seen in training (classes: \(known)) — drop those rows or retrain with them")
    }

    // MARK: - Checks shared with Preprocessor

    static func targetColumn(_ frame: DataFrame, _ target: String) throws -> Column {
        if let c = frame.column(named: target) { return c }
        let hint = NameSuggestion.hint(for: target, in: frame.columnNames)
        if !hint.isEmpty { throw PreprocessError("target column '\(target)' is not in the data\(hint)") }
        throw PreprocessError("target column '\(target)' is not in the data (columns: \(frame.columnNames.joined(separator: ", ")))")
    }

    static func checkRows(_ rows: [Int], in frame: DataFrame) throws {
        let n = frame.rowCount
        if let bad = rows.first(where: { $0 < 0 || $0 >= n }) {
            throw PreprocessError("row \(bad) is out of range: the data has \(n) rows")
        }
    }

    /// Refuses missing targets among `rows`. The message counts and numbers them in the whole data
    /// (1-based data rows, as in the file), not in the split being fitted, so a person can find them.
    private static func checkNoMissing(_ col: Column, rows: [Int]) throws {
        guard rows.contains(where: { col.isMissing($0) }) else { return }
        var count = 0, first = -1
        for r in 0..<col.count where col.isMissing(r) {
            if count == 0 { first = r }
            count += 1
        }
        let noun = count == 1 ? "row" : "rows"
        throw PreprocessError("target '\(col.name)' is missing in \(count) \(noun) of the data (first at data row \(first + 1)) — fill or drop them")
    }

    private static func checkFinite(_ col: Column, rows: [Int]) throws {
        let values = col.numericValues
        if let bad = rows.first(where: { !values[$0].isFinite }) {
            throw PreprocessError("target '\(col.name)' is \(values[bad]) at data row \(bad + 1) — a regression target must be a finite number; fix or drop that row")
        }
    }

    private static func label(numeric v: Double, type: ColumnType) -> String {
        if type == .integer || (v == v.rounded() && v.magnitude < 9.0e15) { return Column.integerText(v) }
        return "\(v)"
    }

    // MARK: - Serialization

    // A classification target keeps the v1 bytes (so existing model files and hashes are unchanged);
    // a regression target has its own section.
    private static let magic = "rappi.target.v1"
    private static let regressionMagic = "rappi.target.regression.v1"

    public func encode(to writer: inout BinaryWriter) {
        if task == .regression {
            writer.write(Self.regressionMagic)
            writer.write(column)
            return
        }
        writer.write(Self.magic)
        writer.write(column)
        writer.write(isNumeric)
        writer.write(classes)
    }

    public init(from reader: inout BinaryReader) throws {
        let magic = try reader.readString()
        if magic == Self.regressionMagic {
            self.init(regressionColumn: try reader.readString())
            return
        }
        guard magic == Self.magic else {
            throw BinaryReader.Failure(message: "model file is damaged: expected a target encoding, found '\(magic.prefix(40))'")
        }
        let column = try reader.readString()
        let isNumeric = try reader.readBool()
        self.init(column: column, classes: try reader.readStrings(), isNumeric: isNumeric)
    }
}
