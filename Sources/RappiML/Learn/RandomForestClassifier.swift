/// A random forest of CART trees (Gini), as scikit-learn's `RandomForestClassifier`: each tree is
/// grown on a bootstrap sample, considering `maxFeatures` random features at each split, and the
/// probabilities are the mean of the trees' leaf class distributions. With `classCount` 1 it is a
/// regression forest (`fitRegression`): squared-error splits, leaves hold means.
///
/// Splits are found on histograms of features binned once (`FeatureBins`: exact values when a
/// feature has at most 256 of them, quantile bins otherwise); thresholds are raw values, so the
/// model predicts on raw feature values. Tree `i` is seeded with `SplitMix64.derive(seed, i)` and
/// trees are stored in tree order: the model (and its bytes) does not depend on `threads`.
public struct RandomForestClassifier: Classifier {
    public static let algorithm = "rf"

    public let classCount: Int
    public let featureCount: Int
    public let parameters: RandomForestParameters
    /// Mean decrease in impurity per feature, normalised to sum 1 (as scikit-learn).
    public var featureImportances: [Double]
    let trees: [DecisionTree]
    /// The trees in the form batch prediction walks (built from `trees`; nil in the unlikely case
    /// a tree or the feature count overflows its 32-bit fields, then the trees are walked).
    let walks: [TreeWalk]?

    public var treeCount: Int { trees.count }
    public var featureWeights: [Double] { featureImportances }

    /// Total number of nodes over all trees.
    public var nodeCount: Int { trees.reduce(0) { $0 + $1.nodes.count } }

    init(classCount: Int, featureCount: Int, parameters: RandomForestParameters,
         featureImportances: [Double], trees: [DecisionTree]) {
        self.classCount = classCount
        self.featureCount = featureCount
        self.parameters = parameters
        self.featureImportances = featureImportances
        self.trees = trees
        self.walks = Self.walks(trees, featureCount: featureCount)
    }

    static func walks(_ trees: [DecisionTree], featureCount: Int) -> [TreeWalk]? {
        guard trees.allSatisfy({ TreeWalk.fits(featureCount: featureCount, nodeCount: $0.nodes.count) }) else { return nil }
        return trees.map(TreeWalk.init)
    }

    /// Fits a forest. `threads` ≤ 0 means all cores. `progress` is called (from worker threads)
    /// with the number of finished trees; `isCancelled` is polled between trees.
    public static func fit(_ x: FeatureMatrix, _ y: EncodedLabels, parameters: RandomForestParameters, threads: Int,
                           progress: (@Sendable (_ treesDone: Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws -> RandomForestClassifier {
        try parameters.validate()
        try validateTrainingData(x, y)
        let k = y.classes.count
        let labels = y.indices.map { Int32($0) }
        return try labels.withUnsafeBufferPointer { labelBuf in
            try grow(x, classCount: k, parameters: parameters, threads: threads, progress: progress, isCancelled: isCancelled) { input, seed in
                buildTree(input, labels: labelBuf.baseAddress!, seed: seed)
            }
        }
    }

    /// Fits a regression forest (`classCount` 1): CART trees that split by the largest reduction
    /// of squared error, each leaf holding the mean target of its rows; the prediction is the
    /// mean over trees (scikit-learn's `RandomForestRegressor`).
    public static func fitRegression(_ x: FeatureMatrix, targets: [Double], parameters: RandomForestParameters, threads: Int,
                                     progress: (@Sendable (_ treesDone: Int) -> Void)? = nil,
                                     isCancelled: (@Sendable () -> Bool)? = nil) throws -> RandomForestClassifier {
        try parameters.validate()
        try validateRegressionData(x, targets)
        return try targets.withUnsafeBufferPointer { t in
            try grow(x, classCount: 1, parameters: parameters, threads: threads, progress: progress, isCancelled: isCancelled) { input, seed in
                buildRegressionTree(input, targets: t.baseAddress!, seed: seed)
            }
        }
    }

    /// Builds the trees in parallel (tree `t` seeded with `derive(seed, t)`, stored in tree order)
    /// and averages their importances.
    private static func grow(_ x: FeatureMatrix, classCount k: Int, parameters: RandomForestParameters, threads: Int,
                             progress: (@Sendable (Int) -> Void)?, isCancelled: (@Sendable () -> Bool)?,
                             build: (TreeBuildInput, UInt64) -> (tree: DecisionTree, importances: [Double])) throws -> RandomForestClassifier {
        let n = x.rows, d = x.columns
        let workers = threads <= 0 ? ParallelFor.coreCount : threads

        let bins = FeatureBins(x, threads: workers)
        let treeCount = parameters.trees
        let results = SlotBuffer<(tree: DecisionTree, importances: [Double])>(count: treeCount)
        let done = WorkCounter()
        let cancelled = WorkCounter()   // > 0 once cancellation was seen

        bins.codes.withUnsafeBufferPointer { codes in
            bins.binCounts.withUnsafeBufferPointer { binCounts in
                let input = TreeBuildInput(
                    rows: n, features: d, classCount: k,
                    codes: codes.baseAddress!, binCounts: binCounts.baseAddress!,
                    bins: bins, maxFeatures: parameters.maxFeatures.resolve(featureCount: d),
                    maxDepth: parameters.maxDepth ?? Int.max, minSamplesLeaf: parameters.minSamplesLeaf,
                    bootstrap: parameters.bootstrap)
                ParallelFor.run(count: treeCount, threads: workers) { t in
                    if let isCancelled, isCancelled() { _ = cancelled.increment(); return }
                    results.set(t, build(input, SplitMix64.derive(parameters.seed, UInt64(t))))
                    let finished = done.increment()
                    progress?(finished)
                }
            }
        }
        if cancelled.take() > 0 { throw TrainingError("training was cancelled") }

        var trees: [DecisionTree] = []
        trees.reserveCapacity(treeCount)
        // scikit-learn: each tree's importances normalised to sum 1 (trees that are a single leaf
        // are left out), averaged, normalised again.
        var importanceSum = [Double](repeating: 0, count: d)
        var contributing = 0
        for t in 0..<treeCount {
            guard let r = results.get(t) else { throw TrainingError("training was cancelled") }
            trees.append(r.tree)
            guard r.tree.nodes.count > 1 else { continue }
            contributing += 1
            let s = r.importances.reduce(0, +)
            if s > 0 { for f in 0..<d { importanceSum[f] += r.importances[f] / s } }
        }
        var importances = [Double](repeating: 0, count: d)
        if contributing > 0 {
            for f in 0..<d { importances[f] = importanceSum[f] / Double(contributing) }
            let s = importances.reduce(0, +)
            if s > 0 { for f in 0..<d { importances[f] /= s } }
        }
        return RandomForestClassifier(classCount: k, featureCount: d, parameters: parameters,
                                      featureImportances: importances, trees: trees)
    }

    // MARK: prediction

    /// Mean of the trees' leaf distributions, `rows × classCount`. Rows are split across cores.
    /// Nil for a regression forest (its `decisionScores` are the predictions).
    public func predictProbabilities(_ x: FeatureMatrix) -> [Double]? {
        isRegressor ? nil : predictProbabilities(x, threads: 0)
    }

    public func predictProbabilities(_ x: FeatureMatrix, threads: Int) -> [Double] {
        precondition(x.columns == featureCount, "the model expects \(featureCount) features, got \(x.columns)")
        let rows = x.rows, k = classCount, d = featureCount
        var out = [Double](repeating: 0, count: rows * k)
        guard rows > 0, !trees.isEmpty else { return out }
        let workers = threads <= 0 ? ParallelFor.coreCount : threads
        let scale = 1 / Double(trees.count)
        guard let walks else {
            // Only for forests too large for the walk's 32-bit fields: one row at a time.
            x.values.withUnsafeBufferPointer { xBuf in
                for r in 0..<rows {
                    for tree in trees {
                        let leaf = tree.leaf(xBuf.baseAddress! + r * d)
                        for c in 0..<k { out[r * k + c] += Double(tree.values[leaf * k + c]) }
                    }
                    for c in 0..<k { out[r * k + c] *= scale }
                }
            }
            return out
        }
        out.withUnsafeMutableBufferPointer { outBuf in
            x.values.withUnsafeBufferPointer { xBuf in
                let o = outBuf.baseAddress!, xv = xBuf.baseAddress!
                // One contiguous range per thread, tree by tree over large blocks of rows: a tree is
                // read from memory once per block and its nodes are reused by every row of it.
                ParallelFor.chunks(count: rows, threads: workers, minimumChunk: 512, piecesPerWorker: 1) { range in
                    let block = 32_768, lanes = TreeWalk.lanes
                    let rowKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: (Swift.min(block, range.count) + lanes) * d)
                    defer { rowKeys.deallocate() }
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = Swift.min(start + block, range.upperBound)
                        LockstepWalk.fillRowKeys(rowKeys, x: xv, columns: d, rows: start..<end)
                        for walk in walks {
                            // Only worth it when the rows will visit much of the tree.
                            if (end - start) * 8 >= walk.keys.count { walk.warmCache() }
                            LockstepWalk.accumulate(walk.kernelTree, classCount: k, rowKeys: rowKeys, columns: d,
                                                    rows: end - start, out: o + start * k)
                        }
                        for i in (start * k)..<(end * k) { o[i] *= scale }
                        start = end
                    }
                }
            }
        }
        return out
    }

    public func decisionScores(_ x: FeatureMatrix) -> [Double] {
        predictProbabilities(x, threads: 0)
    }

    // MARK: model file

    static let formatVersion = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.writeSectionHeader(Self.algorithm, version: Self.formatVersion)
        writer.write(classCount)
        writer.write(featureCount)
        writer.write(parameters.trees)
        writer.write(parameters.maxDepth ?? -1)
        writer.write(parameters.minSamplesLeaf)
        writer.write(parameters.maxFeatures.text)
        writer.write(parameters.bootstrap)
        writer.write(parameters.seed)
        writer.write(featureImportances)
        writer.write(trees.count)
        for tree in trees { tree.encode(into: &writer) }
    }

    public init(from reader: inout BinaryReader) throws {
        func damaged(_ what: String) -> BinaryReader.Failure {
            BinaryReader.Failure(message: "model file is damaged (random forest: \(what))")
        }
        try reader.expectSectionHeader(Self.algorithm, version: Self.formatVersion)
        classCount = try reader.readInt()
        featureCount = try reader.readInt()
        guard classCount >= 1, classCount < 1 << 20, featureCount >= 1, featureCount < 1 << 30 else { throw damaged("sizes") }
        var p = RandomForestParameters()
        p.trees = try reader.readInt()
        let depth = try reader.readInt()
        p.maxDepth = depth < 0 ? nil : depth
        p.minSamplesLeaf = try reader.readInt()
        guard let mf = MaxFeatures(try reader.readString()) else { throw damaged("max_features") }
        p.maxFeatures = mf
        p.bootstrap = try reader.readBool()
        p.seed = try reader.readUInt64()
        parameters = p
        featureImportances = try reader.readDoubles()
        guard featureImportances.count == featureCount else { throw damaged("importances") }
        // Every tree takes at least its 8-byte node count.
        let count = try reader.readCount(elementSize: 8)
        guard count >= 1, count <= 1_000_000 else { throw damaged("tree count") }
        var trees: [DecisionTree] = []
        trees.reserveCapacity(count)
        for _ in 0..<count {
            trees.append(try DecisionTree(from: &reader, featureCount: featureCount, classCount: classCount))
        }
        self.trees = trees
        self.walks = Self.walks(trees, featureCount: featureCount)
    }
}

/// Checks shared by every classifier's `fit`. With `allowsMissing` (boosted trees) NaN features
/// are fine; infinities never are.
func validateTrainingData(_ x: FeatureMatrix, _ y: EncodedLabels, allowsMissing: Bool = false) throws {
    guard x.rows > 0 else { throw TrainingError("the training data has no rows; load or split a dataset with at least two classes first") }
    guard x.columns > 0 else { throw TrainingError("the training data has no feature columns; preprocess the dataset to get numeric features") }
    guard y.indices.count == x.rows else {
        throw TrainingError("the features have \(x.rows) rows but there are \(y.indices.count) labels; they must match row for row")
    }
    let k = y.classes.count
    var seen = [Int](repeating: 0, count: Swift.max(k, 0))
    for c in y.indices {
        guard c >= 0, c < k else { throw TrainingError("label index \(c) is outside the \(k) classes; re-encode the labels") }
        seen[c] += 1
    }
    let present = seen.filter { $0 > 0 }.count
    if present < 2 {
        let only = present == 1 ? " (only '\(y.classes[seen.firstIndex { $0 > 0 }!])')" : ""
        throw TrainingError("the training data has only one class\(only); a classifier needs at least two — check the target column or the split")
    }
    try validateFeatures(x, allowsMissing: allowsMissing)
}

/// Checks shared by every regressor's `fit`: rows, finite targets, finite features.
func validateRegressionData(_ x: FeatureMatrix, _ targets: [Double], allowsMissing: Bool = false) throws {
    guard x.rows > 0 else { throw TrainingError("the training data has no rows; load or split a dataset first") }
    guard x.columns > 0 else { throw TrainingError("the training data has no feature columns; preprocess the dataset to get numeric features") }
    guard targets.count == x.rows else {
        throw TrainingError("the features have \(x.rows) rows but there are \(targets.count) targets; they must match row for row")
    }
    if let bad = targets.firstIndex(where: { !$0.isFinite }) {
        throw TrainingError("the target is \(targets[bad]) at row \(bad); a regression target must be finite")
    }
    try validateFeatures(x, allowsMissing: allowsMissing)
}

private func validateFeatures(_ x: FeatureMatrix, allowsMissing: Bool) throws {
    for (i, v) in x.values.enumerated() where !v.isFinite && !(allowsMissing && v.isNaN) {
        let name = x.names[i % x.columns]
        throw TrainingError("feature '\(name)' has a missing or infinite value at row \(i / x.columns); impute or preprocess first")
    }
}
