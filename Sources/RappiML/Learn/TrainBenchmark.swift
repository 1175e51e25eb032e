#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The training benchmark behind the hidden `rappi bench-train` command: fits an estimator on a
/// numeric CSV (every column but `target` is a feature), times fit and batch prediction, and
/// optionally runs stratified k-fold cross-validation. Linear models see features standardised
/// with the training (fold) mean and standard deviation, like a scikit-learn `StandardScaler`
/// pipeline.
public enum TrainBenchmark {
    /// Returns a human-readable report whose last line is machine readable:
    /// `fit_seconds=… predict_seconds=… accuracy=… cv_mean=… cv_std=…` (`nan` when not measured),
    /// or `error=…` on failure.
    public static func run(trainCSV: String, testCSV: String?, target: String, algorithm: String,
                           trees: Int, threads: Int, repeats: Int, cvFolds: Int?) -> String {
        do {
            return try runOrThrow(trainCSV: trainCSV, testCSV: testCSV, target: target, algorithm: algorithm,
                                  trees: trees, threads: threads, repeats: repeats, cvFolds: cvFolds)
        } catch {
            let message = "\(error)"
            return "error: \(message)\nerror=\(message.replacingSpaces())"
        }
    }

    static func runOrThrow(trainCSV: String, testCSV: String?, target: String, algorithm: String,
                           trees: Int, threads: Int, repeats: Int, cvFolds: Int?) throws -> String {
        if algorithm == "gbm-regression" {
            return try regression(trainCSV: trainCSV, testCSV: testCSV, target: target, rounds: trees, threads: threads,
                                  repeats: Swift.max(1, repeats))
        }
        guard ["rf", "gbm", "linsvc", "logreg"].contains(algorithm) else {
            throw TrainingError("unknown algorithm '\(algorithm)'; use rf, gbm, gbm-regression, linsvc or logreg")
        }
        let repeats = Swift.max(1, repeats)
        var lines: [String] = []

        var clock = now()
        let train = try CSVReader.read(path: trainCSV).frame
        let (x, y) = try matrix(train, target: target, classes: nil, file: trainCSV)
        lines.append("train: \(trainCSV): \(x.rows) rows × \(x.columns) features, \(y.classes.count) classes (read in \(format(now() - clock)) s)")
        var test: (FeatureMatrix, EncodedLabels)? = nil
        if let testCSV {
            clock = now()
            let frame = try CSVReader.read(path: testCSV).frame
            test = try matrix(frame, target: target, classes: y.classes, file: testCSV)
            lines.append("test: \(testCSV): \(test!.0.rows) rows (read in \(format(now() - clock)) s)")
        }
        let desc = switch algorithm {
        case "rf": "rf trees=\(trees) threads=\(threads)"
        case "gbm": "gbm rounds=\(trees) (defaults otherwise) threads=\(threads)"
        default: "\(algorithm) (standardised features)"
        }
        lines.append("algorithm: \(desc), best of \(repeats)")

        var bestFit = Double.infinity
        var model: (any Classifier)? = nil
        for _ in 0..<repeats {
            let start = now()
            let m = try fitModel(algorithm, x, y, trees: trees, threads: threads)
            bestFit = Swift.min(bestFit, now() - start)
            model = m
        }
        lines.append("fit: \(format(bestFit)) s")
        if let rf = model as? RandomForestClassifier {
            var writer = BinaryWriter()
            rf.encode(into: &writer)
            lines.append("forest: \(rf.nodeCount) nodes, model \(writer.bytes.count) bytes")
        }

        var predictSeconds = Double.nan, accuracy = Double.nan
        if let (tx, ty) = test, let model {
            var predicted: [Int] = []
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = now()
                predicted = predictLabels(model, tx, threads: threads)
                best = Swift.min(best, now() - start)
            }
            predictSeconds = best
            accuracy = Double(zip(predicted, ty.indices).filter { $0 == $1 }.count) / Double(Swift.max(1, tx.rows))
            lines.append("predict \(tx.rows) rows: \(format(best)) s, accuracy \(format(accuracy))")
        }

        var cvMean = Double.nan, cvStd = Double.nan
        if let folds = cvFolds {
            let splits = Splits.stratifiedKFold(y.indices, classCount: y.classes.count, folds: folds, seed: 42)
            var scores: [Double] = []
            for split in splits {
                let m = try fitModel(algorithm, x.selecting(rows: split.train), y.selecting(split.train),
                                     trees: trees, threads: threads)
                let predicted = predictLabels(m, x.selecting(rows: split.test), threads: threads)
                let truth = split.test.map { y.indices[$0] }
                scores.append(Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(Swift.max(1, truth.count)))
            }
            cvMean = scores.reduce(0, +) / Double(scores.count)
            cvStd = (scores.map { ($0 - cvMean) * ($0 - cvMean) }.reduce(0, +) / Double(scores.count)).squareRoot()
            lines.append("cv \(splits.count)-fold stratified accuracy: \(format(cvMean)) ± \(format(cvStd)) [\(scores.map { format($0) }.joined(separator: ", "))]")
        }
        lines.append("fit_seconds=\(format(bestFit)) predict_seconds=\(format(predictSeconds)) accuracy=\(format(accuracy)) cv_mean=\(format(cvMean)) cv_std=\(format(cvStd))")
        return lines.joined(separator: "\n")
    }

    /// Fits on raw features; linear models wrap a standardiser fitted on `x`. For gbm `trees` is
    /// the number of rounds.
    static func fitModel(_ algorithm: String, _ x: FeatureMatrix, _ y: EncodedLabels, trees: Int,
                         threads: Int) throws -> any Classifier {
        switch algorithm {
        case "rf":
            var p = RandomForestParameters()
            p.trees = trees
            return try RandomForestClassifier.fit(x, y, parameters: p, threads: threads)
        case "gbm":
            var p = GradientBoostingParameters()
            p.rounds = trees
            return try GradientBoostingClassifier.fit(x, y, parameters: p, threads: threads)
        case "linsvc":
            let s = Standardised.fit(x)
            return Standardised(scaler: s, inner: try LinearSVC.fit(s.apply(x), y, parameters: LinearSVCParameters()))
        default:
            let s = Standardised.fit(x)
            return Standardised(scaler: s, inner: try LogisticRegression.fit(s.apply(x), y, parameters: LogisticRegressionParameters()))
        }
    }

    static func predictLabels(_ model: any Classifier, _ x: FeatureMatrix, threads: Int) -> [Int] {
        // The tree models with the benchmark's thread count; the others as served.
        let probabilities: [Double]
        if let rf = model as? RandomForestClassifier {
            probabilities = rf.predictProbabilities(x, threads: threads)
        } else if let gbm = model as? GradientBoostingClassifier {
            probabilities = gbm.predictProbabilities(x, threads: threads)
        } else {
            return model.predict(x)
        }
        let k = model.classCount
        return (0..<x.rows).map { r in
            var best = 0
            for c in 1..<k where probabilities[r * k + c] > probabilities[r * k + best] { best = c }
            return best
        }
    }

    /// Features (all numeric columns but the target) and labels. Class names are the target's
    /// distinct values, sorted (numerically for a numeric target).
    /// gbm with squared error on a numeric target (defaults but `rounds`): fit and predict times
    /// and the test RMSE. Last line `fit_seconds=… predict_seconds=… rmse=…`.
    static func regression(trainCSV: String, testCSV: String?, target: String, rounds: Int, threads: Int,
                           repeats: Int) throws -> String {
        let (x, y) = try numericTarget(try CSVReader.read(path: trainCSV).frame, target: target, file: trainCSV)
        var lines = ["train: \(trainCSV): \(x.rows) rows × \(x.columns) features, numeric target \(target)",
                     "algorithm: gbm squared error rounds=\(rounds) (defaults otherwise) threads=\(threads), best of \(repeats)"]
        var p = GradientBoostingParameters()
        p.rounds = rounds
        var bestFit = Double.infinity
        var model: GradientBoostingClassifier?
        for _ in 0..<repeats {
            let start = now()
            model = try GradientBoostingClassifier.fitRegression(x, targets: y, parameters: p, threads: threads)
            bestFit = Swift.min(bestFit, now() - start)
        }
        lines.append("fit: \(format(bestFit)) s")
        var predictSeconds = Double.nan, rmse = Double.nan
        if let testCSV, let model {
            let (tx, ty) = try numericTarget(try CSVReader.read(path: testCSV).frame, target: target, file: testCSV)
            var predicted: [Double] = []
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = now()
                predicted = model.rawScores(tx, threads: threads)
                best = Swift.min(best, now() - start)
            }
            predictSeconds = best
            rmse = RegressionMetrics.compute(truth: ty, predicted: predicted).rmse
            lines.append("predict \(tx.rows) rows: \(format(best)) s, rmse \(format(rmse))")
        }
        lines.append("fit_seconds=\(format(bestFit)) predict_seconds=\(format(predictSeconds)) rmse=\(format(rmse))")
        return lines.joined(separator: "\n")
    }

    static func numericTarget(_ frame: DataFrame, target: String, file: String) throws -> (FeatureMatrix, [Double]) {
        let (x, column) = try features(frame, target: target, file: file)
        guard column.type != .text else { throw TrainingError("\(file): target '\(target)' is text; a regression target is numeric") }
        let values = column.numericValues
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw TrainingError("\(file): target '\(target)' is missing at row \(bad + 1)") }
        return (x, values)
    }

    /// Every column but `target` as features (numeric only), and the target column.
    static func features(_ frame: DataFrame, target: String, file: String) throws -> (FeatureMatrix, Column) {
        guard let targetColumn = frame.column(named: target) else {
            throw TrainingError("\(file) has no column '\(target)'; columns are \(frame.columnNames.joined(separator: ", "))")
        }
        let n = frame.rowCount
        var names: [String] = []
        var columns: [[Double]] = []
        for column in frame.columns where column.name != target {
            guard column.type != .text else {
                throw TrainingError("column '\(column.name)' of \(file) is text; the benchmark needs numeric features")
            }
            names.append(column.name)
            columns.append(column.numericValues)
        }
        var values = [Double](repeating: 0, count: n * names.count)
        for (j, col) in columns.enumerated() {
            for r in 0..<n { values[r * names.count + j] = col[r] }
        }
        return (FeatureMatrix(rows: n, columns: names.count, values: values, names: names), targetColumn)
    }

    static func matrix(_ frame: DataFrame, target: String, classes: [String]?, file: String) throws -> (FeatureMatrix, EncodedLabels) {
        let (x, targetColumn) = try features(frame, target: target, file: file)
        let n = frame.rowCount
        var text: [String] = []
        text.reserveCapacity(n)
        var numeric: [Double] = []
        for r in 0..<n {
            guard let s = targetColumn.string(r) else { throw TrainingError("\(file): target '\(target)' is missing at row \(r + 1)") }
            text.append(s)
            if targetColumn.type != .text { numeric.append(targetColumn.double(r)!) }
        }
        let classNames: [String]
        if let classes {
            classNames = classes
        } else if targetColumn.type != .text {
            var distinct: [Double: String] = [:]
            for (v, s) in zip(numeric, text) where distinct[v] == nil { distinct[v] = s }
            classNames = distinct.keys.sorted().map { distinct[$0]! }
        } else {
            classNames = Array(Set(text)).sorted()
        }
        var lookup: [String: Int] = [:]
        for (i, c) in classNames.enumerated() { lookup[c] = i }
        let indices = try text.enumerated().map { (r, s) -> Int in
            guard let i = lookup[s] else { throw TrainingError("\(file): class '\(s)' at row \(r + 1) was not in the training data") }
            return i
        }
        return (x, EncodedLabels(classes: classNames, indices: indices))
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "nan" }
        let scaled = (v * 1e6).rounded() / 1e6
        return "\(scaled)"
    }
}

private extension String {
    func replacingSpaces() -> String { String(map { $0 == " " || $0 == "\n" ? "_" : $0 }) }
}

/// A standardiser (training mean, population standard deviation; constant features unscaled)
/// in front of a linear classifier, for the benchmark.
struct Standardised: Classifier {
    static let algorithm = "standardised"
    let scaler: Scaler
    let inner: any Classifier

    struct Scaler: Sendable {
        let mean: [Double]
        let scale: [Double]
        func apply(_ x: FeatureMatrix) -> FeatureMatrix {
            var v = x.values
            let d = x.columns
            for r in 0..<x.rows { for j in 0..<d { v[r * d + j] = (v[r * d + j] - mean[j]) / scale[j] } }
            return FeatureMatrix(rows: x.rows, columns: d, values: v, names: x.names)
        }
    }

    static func fit(_ x: FeatureMatrix) -> Scaler {
        let n = Double(Swift.max(x.rows, 1)), d = x.columns
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for r in 0..<x.rows { for j in 0..<d { mean[j] += x[r, j] } }
        for j in 0..<d { mean[j] /= n }
        for r in 0..<x.rows { for j in 0..<d { let t = x[r, j] - mean[j]; sq[j] += t * t } }
        let scale = sq.map { s -> Double in let sd = (s / n).squareRoot(); return sd > 0 ? sd : 1 }
        return Scaler(mean: mean, scale: scale)
    }

    init(scaler: Scaler, inner: any Classifier) { self.scaler = scaler; self.inner = inner }
    var classCount: Int { inner.classCount }
    var featureCount: Int { inner.featureCount }
    var featureWeights: [Double] { inner.featureWeights }
    func predictProbabilities(_ x: FeatureMatrix) -> [Double]? { inner.predictProbabilities(scaler.apply(x)) }
    func decisionScores(_ x: FeatureMatrix) -> [Double] { inner.decisionScores(scaler.apply(x)) }
    func encode(into writer: inout BinaryWriter) { inner.encode(into: &writer) }
    init(from reader: inout BinaryReader) throws { throw BinaryReader.Failure(message: "not a model file type") }
}
