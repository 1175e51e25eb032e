/// Seeded, stratified train/test splits and k-fold cross-validation folds. Deterministic: the same
/// labels, counts and seed always give the same row indices.
public enum Splits {
    /// Rows of each class, in row order.
    private static func rowsByClass(_ labels: [Int], classCount: Int) -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: Swift.max(classCount, labels.max().map { $0 + 1 } ?? 0))
        for (row, c) in labels.enumerated() { byClass[c].append(row) }
        return byClass
    }

    /// A stratified split: within each class (in class order) the rows are shuffled with one
    /// `SplitMix64(seed)` stream and `round(count × testFraction)` of them go to the test side,
    /// clamped so that a class with at least 2 rows appears on both sides (a class with a single
    /// row stays in train). Returns sorted row indices.
    public static func stratifiedTrainTest(_ labels: [Int], classCount: Int, testFraction: Double,
                                           seed: UInt64) -> (train: [Int], test: [Int]) {
        var rng = SplitMix64(seed: seed)
        let fraction = Swift.min(Swift.max(testFraction.isFinite ? testFraction : 0, 0), 1)
        var train: [Int] = [], test: [Int] = []
        for var rows in rowsByClass(labels, classCount: classCount) where !rows.isEmpty {
            rng.shuffle(&rows)
            var t = Int((Double(rows.count) * fraction).rounded())
            if rows.count >= 2 { t = Swift.min(Swift.max(t, 1), rows.count - 1) } else { t = 0 }
            test.append(contentsOf: rows[0..<t])
            train.append(contentsOf: rows[t...])
        }
        return (train.sorted(), test.sorted())
    }

    /// Stratified k-fold: within each class the rows are shuffled (one `SplitMix64(seed)` stream)
    /// and dealt to the folds in turn, continuing where the previous class stopped, so folds differ
    /// in size by at most one row overall and per class. Every row is in exactly one test fold.
    /// `folds` is clamped to 2…rows. Returns sorted row indices per fold.
    public static func stratifiedKFold(_ labels: [Int], classCount: Int, folds: Int,
                                       seed: UInt64) -> [(train: [Int], test: [Int])] {
        let k = Swift.max(2, Swift.min(folds, labels.count))
        var rng = SplitMix64(seed: seed)
        var foldOf = [Int](repeating: 0, count: labels.count)
        var next = 0
        for var rows in rowsByClass(labels, classCount: classCount) where !rows.isEmpty {
            rng.shuffle(&rows)
            for row in rows { foldOf[row] = next; next = (next + 1) % k }
        }
        return (0..<k).map { f in
            var train: [Int] = [], test: [Int] = []
            for (row, g) in foldOf.enumerated() { if g == f { test.append(row) } else { train.append(row) } }
            return (train, test)
        }
    }
}
