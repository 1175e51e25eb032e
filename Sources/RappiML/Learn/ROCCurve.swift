/// The points of a ROC curve: one per distinct score threshold, from (0, 0) to (1, 1), as
/// scikit-learn's `roc_curve(drop_intermediate=False)` gives them.
public enum ROCCurve {
    public static func points(positive: [Bool], scores: [Double]) -> [(falsePositiveRate: Double, truePositiveRate: Double)] {
        let positives = Double(positive.filter { $0 }.count)
        let negatives = Double(positive.count) - positives
        guard positives > 0, negatives > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var points: [(falsePositiveRate: Double, truePositiveRate: Double)] = [(0, 0)]
        var truePositives = 0.0, falsePositives = 0.0
        for (rank, index) in order.enumerated() {
            if positive[index] { truePositives += 1 } else { falsePositives += 1 }
            // Tied scores are one threshold: emit a point only after the last of them.
            if rank + 1 == order.count || scores[order[rank + 1]] != scores[index] {
                points.append((falsePositives / negatives, truePositives / positives))
            }
        }
        return points
    }
}
