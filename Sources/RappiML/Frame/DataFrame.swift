/// A table of equally long, uniquely named columns.
public struct DataFrame: Sendable {
    public var columns: [Column]

    public init(columns: [Column]) {
        if let n = columns.first?.count {
            precondition(columns.allSatisfy { $0.count == n }, "all columns of a DataFrame must have the same length")
        }
        self.columns = columns
    }

    /// Number of rows (0 when there are no columns).
    public var rowCount: Int { columns.first?.count ?? 0 }

    public var columnNames: [String] { columns.map(\.name) }

    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }

    /// Appends the rows of `other`, which must have the same column names in the same order.
    ///
    /// Type promotion per column: integer + real → real; numeric + text → text (numbers re-encoded
    /// as their display text). A column with no values at all (zero rows or all missing) takes the
    /// other side's type, so appending an empty or all-missing piece never changes a column's type.
    public mutating func append(_ other: DataFrame) throws {
        let mine = columnNames, theirs = other.columnNames
        guard mine == theirs else {
            let detail: String
            if mine.count != theirs.count {
                detail = "this frame has \(mine.count) columns, the other has \(theirs.count)"
            } else {
                let i = mine.indices.first { mine[$0] != theirs[$0] }!
                detail = "column \(i + 1) is '\(mine[i])' here but '\(theirs[i])' in the other frame"
            }
            throw DataFrameError(problem: "cannot append: column names differ (\(detail))",
                                 hint: "appended frames need the same column names in the same order")
        }
        for i in columns.indices {
            var a = columns[i]
            var b = other.columns[i]
            let target: ColumnType
            if a.type == b.type {
                target = a.type
            } else if b.nonMissingCount == 0 {
                target = a.type
            } else if a.nonMissingCount == 0 {
                target = b.type
            } else if a.type == .text || b.type == .text {
                target = .text
            } else {
                target = .real
            }
            a = a.converted(to: target)
            b = b.converted(to: target)
            a.appendRows(of: b)
            columns[i] = a
        }
    }

    /// The first `n` rows as display strings (`nil` = missing), row-major.
    public func head(_ n: Int) -> [[String?]] {
        let k = Swift.max(0, Swift.min(n, rowCount))
        return (0..<k).map { row in columns.map { $0.string(row) } }
    }

    /// One summary per column, in column order.
    public func describe() -> [ColumnSummary] {
        columns.map { ColumnSummary(of: $0) }
    }
}
