/// Numeric features, row-major, ready for an estimator. Preprocessing produces it from a frame.
public struct FeatureMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows × columns` values, row by row. Never NaN once preprocessed.
    public var values: [Double]
    public let names: [String]

    public init(rows: Int, columns: Int, values: [Double], names: [String]) {
        precondition(values.count == rows * columns && names.count == columns)
        self.rows = rows; self.columns = columns; self.values = values; self.names = names
    }

    public subscript(row: Int, column: Int) -> Double { values[row * columns + column] }

    /// The given rows, in the given order.
    public func selecting(rows selection: [Int]) -> FeatureMatrix {
        var out = [Double]()
        out.reserveCapacity(selection.count * columns)
        for r in selection { out.append(contentsOf: values[(r * columns)..<((r + 1) * columns)]) }
        return FeatureMatrix(rows: selection.count, columns: columns, values: out, names: names)
    }
}

/// Class labels as indices into `classes` (sorted, so the encoding does not depend on row order).
public struct EncodedLabels: Sendable, Equatable {
    public let classes: [String]
    public let indices: [Int]

    public init(classes: [String], indices: [Int]) { self.classes = classes; self.indices = indices }

    public func selecting(_ rows: [Int]) -> EncodedLabels {
        EncodedLabels(classes: classes, indices: rows.map { indices[$0] })
    }
}
