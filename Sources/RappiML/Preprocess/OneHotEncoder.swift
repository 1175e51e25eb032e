/// One text column as one 0/1 feature per category seen in training (`Embarked=S`).
///
/// Categories are sorted, so features do not depend on row order. A missing value takes the most
/// frequent training category (ties: the first seen); a category never seen in training gives all
/// zeros for this column (handled, not an error).
struct OneHotEncoder: Sendable, Equatable {
    let column: String
    let categories: [String]
    let fill: String

    var featureNames: [String] { categories.map { "\(column)=\($0)" } }

    /// Fits on every row of `values` (a text column holding the training rows only); nil when all are missing.
    static func fit(_ values: Column) -> OneHotEncoder? {
        let levels = values.levels
        var counts = [Int](repeating: 0, count: levels.count)
        var order: [Int] = []                       // level indices in first-seen order
        for c in values.codes where c >= 0 {
            if counts[Int(c)] == 0 { order.append(Int(c)) }
            counts[Int(c)] += 1
        }
        guard var best = order.first else { return nil }
        for i in order where counts[i] > counts[best] { best = i }
        return OneHotEncoder(column: values.name, categories: order.map { levels[$0] }.sorted(), fill: levels[best])
    }

    /// For each row of the text column `values`, the index of its category (`-1` when unseen).
    func categoryIndices(_ values: Column) -> [Int] {
        let fillIndex = categories.firstIndex(of: fill) ?? -1
        var byLevel: [String: Int] = [:]
        for (i, c) in categories.enumerated() { byLevel[c] = i }
        let map = values.levels.map { byLevel[$0] ?? -1 }
        return values.codes.map { $0 < 0 ? fillIndex : map[Int($0)] }
    }

    /// Feature columns (one per category), each with one value per row of `values`.
    func apply(_ values: Column) -> [[Double]] {
        let idx = categoryIndices(values)
        var out = [[Double]](repeating: [Double](repeating: 0, count: idx.count), count: categories.count)
        for (row, k) in idx.enumerated() where k >= 0 { out[k][row] = 1 }
        return out
    }

    init(column: String, categories: [String], fill: String) {
        self.column = column
        self.categories = categories
        self.fill = fill
    }

    func encode(to writer: inout BinaryWriter) {
        writer.write(column)
        writer.write(categories)
        writer.write(fill)
    }

    init(from reader: inout BinaryReader) throws {
        column = try reader.readString()
        categories = try reader.readStrings()
        fill = try reader.readString()
    }
}
