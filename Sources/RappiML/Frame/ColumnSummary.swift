/// Per-column statistics, as produced by `DataFrame.describe()`.
public struct ColumnSummary: Sendable {
    public let name: String
    public let type: ColumnType
    /// Number of non-missing values.
    public let count: Int
    /// Number of missing values.
    public let missing: Int
    /// Number of distinct non-missing values.
    public let unique: Int
    /// Numeric columns only (`nil` for text, or when there are no values).
    /// `std` is the sample standard deviation (n − 1), like pandas; `nil` when fewer than 2 values.
    public let mean, std, min, max: Double?
    /// Text columns only: up to 3 most frequent values, ties broken by first appearance.
    public let top: [(value: String, count: Int)]

    public init(name: String, type: ColumnType, count: Int, missing: Int, unique: Int,
                mean: Double?, std: Double?, min: Double?, max: Double?,
                top: [(value: String, count: Int)]) {
        self.name = name
        self.type = type
        self.count = count
        self.missing = missing
        self.unique = unique
        self.mean = mean
        self.std = std
        self.min = min
        self.max = max
        self.top = top
    }

    /// Computes the summary of one column.
    public init(of column: Column) {
        let n = column.count
        if column.type == .text {
            let levels = column.levels
            var counts = [Int](repeating: 0, count: levels.count)
            var firstRow = [Int](repeating: Int.max, count: levels.count)
            var present = 0
            for (row, c) in column.codes.enumerated() where c >= 0 {
                let i = Int(c)
                if counts[i] == 0 { firstRow[i] = row }
                counts[i] += 1
                present += 1
            }
            var used = [Int]()
            for i in 0..<levels.count where counts[i] > 0 { used.append(i) }
            used.sort { a, b in counts[a] != counts[b] ? counts[a] > counts[b] : firstRow[a] < firstRow[b] }
            let top = used.prefix(3).map { (value: levels[$0], count: counts[$0]) }
            self.init(name: column.name, type: .text, count: present, missing: n - present, unique: used.count,
                      mean: nil, std: nil, min: nil, max: nil, top: top)
            return
        }
        var present = column.numericValues.filter { !$0.isNaN }
        let k = present.count
        var mean: Double?, std: Double?, lo: Double?, hi: Double?
        var unique = 0
        if k > 0 {
            var sum = 0.0
            for v in present { sum += v }
            let m = sum / Double(k)
            mean = m
            if k > 1 {
                var ss = 0.0
                for v in present { let d = v - m; ss += d * d }
                std = (ss / Double(k - 1)).squareRoot()
            }
            present.sort()
            lo = present[0]
            hi = present[k - 1]
            unique = 1
            for i in 1..<k where present[i] != present[i - 1] { unique += 1 }
        }
        self.init(name: column.name, type: column.type, count: k, missing: n - k, unique: unique,
                  mean: mean, std: std, min: lo, max: hi, top: [])
    }
}
