/// Brings the input columns of a frame into the types a fitted preprocessor expects: the one
/// coercion step every prediction path goes through (a CSV file, JSON records built by
/// `RecordFrame`, an HTTP request, evaluation and cross-validation), so a record gets the same
/// answer however it arrives.
enum InputCoercion {
    /// A frame holding exactly `inputs` (in that order) for `rows` of `frame` (all rows when nil).
    ///
    /// - An absent input is all missing: missing values are imputed the way preprocessing
    ///   learned it from the training rows, never an error.
    /// - A numeric input that arrived as text is parsed (`NumberText.parse`); a value that is not a
    ///   number is an error naming the column, the row and the value.
    /// - A text input that arrived as numbers uses their canonical text (`NumberText.display`:
    ///   `7` and `7.0` are both "7"), as JSON numbers do in `RecordFrame`.
    /// - Extra columns are ignored.
    static func select(_ frame: DataFrame, inputs: [InputColumn], rows: [Int]?) throws -> DataFrame {
        if let rows { try TargetEncoding.checkRows(rows, in: frame) }
        let count = rows?.count ?? frame.rowCount

        var columns: [Column] = []
        for input in inputs {
            guard let source = frame.column(named: input.name) else {
                if input.type.isNumeric {
                    columns.append(Column(name: input.name, type: input.type, values: [Double](repeating: .nan, count: count)))
                } else {
                    columns.append(Column(name: input.name, codes: [Int32](repeating: -1, count: count), levels: []))
                }
                continue
            }
            let picked = rows.map { subset(source, rows: $0) } ?? source
            columns.append(try coerce(picked, to: input, rowNumbers: rows))
        }
        return DataFrame(columns: columns)
    }

    /// The given rows of `column`, in order.
    static func subset(_ column: Column, rows: [Int]) -> Column {
        if column.type == .text {
            let codes = column.codes
            return Column(name: column.name, codes: rows.map { codes[$0] }, levels: column.levels)
        }
        let values = column.numericValues
        return Column(name: column.name, type: column.type, values: rows.map { values[$0] })
    }

    /// The given rows of every column of `frame`.
    static func subset(_ frame: DataFrame, rows: [Int]) -> DataFrame {
        DataFrame(columns: frame.columns.map { subset($0, rows: rows) })
    }

    /// `rowNumbers` maps a row of `column` back to the caller's row index, for messages.
    private static func coerce(_ column: Column, to input: InputColumn, rowNumbers: [Int]?) throws -> Column {
        if input.type.isNumeric {
            guard column.type == .text else { return column }
            let parsed = column.levels.map { NumberText.parse($0) }
            var values = [Double]()
            values.reserveCapacity(column.count)
            for (i, c) in column.codes.enumerated() {
                if c < 0 { values.append(.nan); continue }
                guard let v = parsed[Int(c)] else {
                    let row = rowNumbers?[i] ?? i
                    throw PreprocessError("column '\(input.name)' must hold numbers (\(input.type.rawValue)), but row \(row) has '\(column.levels[Int(c)])' — fix or remove that value")
                }
                values.append(v)
            }
            return Column(name: column.name, type: input.type, values: values)
        }
        guard column.type != .text else { return column }
        // Numbers for a text input: each distinct value's canonical text, so 7 and 7.0 are one category.
        var levelOf: [Double: Int32] = [:]
        var levels: [String] = []
        let codes = column.numericValues.map { v -> Int32 in
            if v.isNaN { return -1 }
            if let c = levelOf[v] { return c }
            let c = Int32(levels.count)
            levelOf[v] = c
            levels.append(NumberText.display(v))
            return c
        }
        return Column(name: column.name, codes: codes, levels: levels)
    }
}
