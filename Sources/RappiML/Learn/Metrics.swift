#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Classification metrics as scikit-learn computes them.
public struct ClassificationMetrics: Sendable, Equatable {
    public let accuracy: Double
    /// Binary: of the positive class (index 1). Several classes: macro average over classes.
    /// A class never predicted has precision 0 (scikit-learn's `zero_division=0`).
    public let precision: Double
    public let recall: Double
    public let f1: Double
    /// Binary: from the scores of class 1. Several classes: macro one-vs-rest average over the
    /// classes present in `truth`. Nil when `truth` holds only one class.
    public let rocAUC: Double?
    /// Mean negative log-probability of the true class (probabilities clipped to
    /// [1e-15, 1 − 1e-15]); nil without probabilities.
    public let logLoss: Double?
    /// Counts `[truth][predicted]`.
    public let confusion: [[Int]]

    public init(accuracy: Double, precision: Double, recall: Double, f1: Double, rocAUC: Double?,
                logLoss: Double?, confusion: [[Int]]) {
        self.accuracy = accuracy; self.precision = precision; self.recall = recall; self.f1 = f1
        self.rocAUC = rocAUC; self.logLoss = logLoss; self.confusion = confusion
    }

    /// `probabilities` and `scores` are `rows × classCount`, row-major (as `Classifier` returns them).
    public static func compute(truth: [Int], predicted: [Int], classCount: Int, probabilities: [Double]?,
                               scores: [Double]) -> ClassificationMetrics {
        precondition(truth.count == predicted.count, "truth and predicted differ in length")
        let n = truth.count, k = Swift.max(classCount, 1)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var correct = 0
        for i in 0..<n {
            confusion[truth[i]][predicted[i]] += 1
            if truth[i] == predicted[i] { correct += 1 }
        }
        let accuracy = n > 0 ? Double(correct) / Double(n) : 0

        func prf(_ c: Int) -> (Double, Double, Double) {
            let tp = Double(confusion[c][c])
            var predictedC = 0, actualC = 0
            for j in 0..<k { predictedC += confusion[j][c]; actualC += confusion[c][j] }
            let p = predictedC > 0 ? tp / Double(predictedC) : 0
            let r = actualC > 0 ? tp / Double(actualC) : 0
            let f = p + r > 0 ? 2 * p * r / (p + r) : 0
            return (p, r, f)
        }
        var precision = 0.0, recall = 0.0, f1 = 0.0
        if k == 2 {
            (precision, recall, f1) = prf(1)
        } else {
            for c in 0..<k { let (p, r, f) = prf(c); precision += p; recall += r; f1 += f }
            precision /= Double(k); recall /= Double(k); f1 /= Double(k)
        }

        var auc: Double? = nil
        if scores.count == n * k && n > 0 {
            if k == 2 {
                auc = rocAUC(positive: truth.map { $0 == 1 }, scores: (0..<n).map { scores[$0 * 2 + 1] })
            } else {
                var sum = 0.0, used = 0
                for c in 0..<k {
                    if let a = rocAUC(positive: truth.map { $0 == c }, scores: (0..<n).map { scores[$0 * k + c] }) {
                        sum += a; used += 1
                    }
                }
                let present = Set(truth).count
                if used > 0 && present >= 2 { auc = sum / Double(used) }
            }
        }

        var logLoss: Double? = nil
        if let probabilities, probabilities.count == n * k, n > 0 {
            var s = 0.0
            for i in 0..<n {
                let p = Swift.min(Swift.max(probabilities[i * k + truth[i]], 1e-15), 1 - 1e-15)
                s -= log(p)
            }
            logLoss = s / Double(n)
        }
        return ClassificationMetrics(accuracy: accuracy, precision: precision, recall: recall, f1: f1,
                                     rocAUC: auc, logLoss: logLoss, confusion: confusion)
    }

    /// Area under the ROC curve (Mann–Whitney with mid-ranks for ties); nil unless both positives
    /// and negatives are present.
    public static func rocAUC(positive: [Bool], scores: [Double]) -> Double? {
        let n = positive.count
        let positives = positive.filter { $0 }.count
        let negatives = n - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = (0..<n).sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var rankSum = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let midRank = Double(i + j) / 2 + 1
            for t in i...j where positive[order[t]] { rankSum += midRank }
            i = j + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }
}
