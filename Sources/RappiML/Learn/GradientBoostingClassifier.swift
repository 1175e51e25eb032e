/// Gradient-boosted decision trees, like LightGBM: histogram-based trees grown leaf-wise
/// (`BoostedTreeGrower`), binary log loss for two classes and softmax (one tree per class and
/// round) for more — and, as a regressor (`fitRegression`, `classCount` 1), squared or absolute
/// error with the raw score as the prediction.
///
/// - Features are binned once (`FeatureBins`, at most `bins` quantile bins); missing values (NaN)
///   have a bin of their own and each split learns which side they go (a feature without missing
///   training values sends them left, with the smaller values).
/// - Round `r` draws its rows (`subsample`) and features (`colsample`) from
///   `SplitMix64(derive(seed, r))`; with `earlyStopping` a stratified tenth of the training rows
///   (drawn from `derive(seed, validationStream)`) is held back and the model keeps the trees up
///   to the round with the lowest validation loss.
/// - Every sum runs over rows in an order fixed by the data, so the model (and its bytes) does
///   not depend on the number of threads.
/// - Thresholds are raw values, so prediction walks the trees with `LockstepWalk` like the forest.
public struct GradientBoostingClassifier: Classifier {
    public static let algorithm = "gbm"

    public let classCount: Int
    public let featureCount: Int
    public let parameters: GradientBoostingParameters
    /// Starting raw score of each output (one for two classes, one per class otherwise).
    let baseScores: [Double]
    /// `rounds × outputs` trees, round by round; tree `r·outputs + c` adds to output `c`.
    let trees: [DecisionTree]
    /// Rounds kept in the model (the best one when early stopping ended the fit).
    public let bestRound: Int
    /// Mean training loss after 0, 1, … rounds (every round trained, also those after `bestRound`).
    public let trainLoss: [Double]
    /// Mean validation loss by round (same indexing), empty without early stopping.
    public let validationLoss: [Double]
    /// Total loss reduction of each feature's splits, and how many splits use it (kept trees only).
    public let gainImportance: [Double]
    public let splitCounts: [Int]

    let objective: any BoostingObjective
    /// Whether some split sends missing values right (then rows are keyed twice, see `LockstepWalk`).
    let mirrorsMissing: Bool
    let walks: [TreeWalk]?

    var outputs: Int { objective.outputs }
    public var roundCount: Int { trees.count / Swift.max(outputs, 1) }
    public var treeCount: Int { trees.count }

    /// Gain importance normalised to sum 1.
    public var featureWeights: [Double] {
        let total = gainImportance.reduce(0, +)
        return total > 0 ? gainImportance.map { $0 / total } : gainImportance
    }

    init(classCount: Int, featureCount: Int, parameters: GradientBoostingParameters, objective: any BoostingObjective,
         baseScores: [Double], trees: [DecisionTree], bestRound: Int, trainLoss: [Double], validationLoss: [Double],
         gainImportance: [Double], splitCounts: [Int]) {
        self.classCount = classCount
        self.featureCount = featureCount
        self.parameters = parameters
        self.objective = objective
        self.baseScores = baseScores
        self.trees = trees
        self.bestRound = bestRound
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.gainImportance = gainImportance
        self.splitCounts = splitCounts
        mirrorsMissing = trees.contains { tree in
            tree.nodes.indices.contains { !tree.isLeaf($0) && Int(tree.nodes[$0].feature) >= featureCount }
        }
        walks = RandomForestClassifier.walks(trees, featureCount: 2 * featureCount)
    }

    /// Seed stream of the early-stopping validation rows (rounds use streams 0, 1, 2, …).
    static let validationStream: UInt64 = 0xFFFF_FFFF_0000_0001

    // MARK: fit

    /// Fits the booster. `threads` ≤ 0 means all cores; `progress` gets the rounds done.
    public static func fit(_ x: FeatureMatrix, _ y: EncodedLabels, parameters: GradientBoostingParameters, threads: Int,
                           progress: (@Sendable (_ roundsDone: Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws -> GradientBoostingClassifier {
        try parameters.validate()
        try validateTrainingData(x, y, allowsMissing: true)
        guard parameters.loss == nil else {
            throw TrainingError("objective=\(parameters.loss!.rawValue) is a regression loss, but the target has classes — leave objective out (the log loss of the classes is used)")
        }
        let k = y.classes.count
        let targets = y.indices.map(Double.init)
        if k == 2 {
            return try fit(x, targets: targets, strata: y.indices, classCount: k, objective: BinaryLogLoss(), parameters: parameters,
                           threads: threads, progress: progress, isCancelled: isCancelled)
        }
        return try fit(x, targets: targets, strata: y.indices, classCount: k, objective: SoftmaxLoss(classCount: k),
                       parameters: parameters, threads: threads, progress: progress, isCancelled: isCancelled)
    }

    /// Fits a boosted regressor (`classCount` 1) on numeric `targets` with `parameters.loss`
    /// (squared error when nil).
    public static func fitRegression(_ x: FeatureMatrix, targets: [Double], parameters: GradientBoostingParameters, threads: Int,
                                     progress: (@Sendable (_ roundsDone: Int) -> Void)? = nil,
                                     isCancelled: (@Sendable () -> Bool)? = nil) throws -> GradientBoostingClassifier {
        var parameters = parameters
        parameters.loss = parameters.loss ?? .l2
        try parameters.validate()
        try validateRegressionData(x, targets, allowsMissing: true)
        let strata = [Int](repeating: 0, count: targets.count)
        switch parameters.loss ?? .l2 {
        case .l2:
            return try fit(x, targets: targets, strata: strata, classCount: 1, objective: SquaredError(), parameters: parameters,
                           threads: threads, progress: progress, isCancelled: isCancelled)
        case .l1:
            return try fit(x, targets: targets, strata: strata, classCount: 1, objective: AbsoluteError(), parameters: parameters,
                           threads: threads, progress: progress, isCancelled: isCancelled)
        }
    }

    /// `strata` (with `classCount` groups; one group for regression) stratify the early-stopping rows.
    private static func fit<O: BoostingObjective>(
        _ x: FeatureMatrix, targets: [Double], strata: [Int], classCount k: Int, objective: O, parameters p: GradientBoostingParameters,
        threads: Int, progress: (@Sendable (Int) -> Void)?, isCancelled: (@Sendable () -> Bool)?
    ) throws -> GradientBoostingClassifier {
        let n = x.rows, d = x.columns, outputs = objective.outputs
        let workers = threads <= 0 ? ParallelFor.coreCount : threads

        // Rows that fit the trees, and the ones that judge early stopping.
        var fitRows = Array(0..<n), validationRows: [Int] = []
        if p.earlyStopping != nil {
            let split = Splits.stratifiedTrainTest(strata, classCount: Swift.max(k, 1), testFraction: GradientBoostingParameters.validationFraction,
                                                   seed: SplitMix64.derive(p.seed, validationStream))
            guard !split.test.isEmpty, split.train.count >= 2 else {
                throw TrainingError("early_stopping needs more training rows: a tenth of \(n) rows is too few to validate on; leave it out")
            }
            (fitRows, validationRows) = (split.train, split.test)
        }
        var isValidation = [Bool](repeating: false, count: n)
        for r in validationRows { isValidation[r] = true }

        let bins = FeatureBins(x, threads: workers, binLimit: p.bins)
        let team = WorkerTeam(threads: workers)
        let base = objective.initialScores(targets: targets, rows: fitRows)
        var scores = [Double](repeating: 0, count: n * outputs)
        for r in 0..<n { for c in 0..<outputs { scores[r * outputs + c] = base[c] } }
        // Output-major, each row's gradient and hessian side by side: output c's pairs are
        // `gh[2cn ..< 2(c+1)n]`, row r's at `2r`, `2r + 1` of them.
        var gh = [Double](repeating: 0, count: 2 * n * outputs)
        var trainLoss: [Double] = [], validationLoss: [Double] = []
        var binnedTrees: [BinnedTree] = []
        var bestRound = 0, bestLoss = Double.infinity

        let growerParameters = BoostedTreeGrower.Parameters(
            leaves: p.leaves, maxDepth: p.maxDepth ?? Int.max, minLeaf: p.minLeaf, l2: p.l2, learningRate: p.learningRate,
            unitHessian: objective.hasUnitHessian)
        try bins.codes.withUnsafeBufferPointer { codesBuf in
            let codes = codesBuf.baseAddress!
            let grower = BoostedTreeGrower(bins: bins, codes: codes, parameters: growerParameters,
                                           maxRows: fitRows.count, team: team)
            let missingCodes = grower.missingCodes
            let allFitRows = fitRows.map { Int32($0) }
            var round = 0
            while true {
                // Gradients at the current scores, and the loss they come with.
                let (trainSum, validationSum) = derivatives(objective, scores: &scores, targets: targets, gh: &gh,
                                                            isValidation: isValidation, outputs: outputs, team: team)
                trainLoss.append(trainSum / Double(fitRows.count))
                if !validationRows.isEmpty {
                    let loss = validationSum / Double(validationRows.count)
                    validationLoss.append(loss)
                    if round > 0 && loss < bestLoss { bestLoss = loss; bestRound = round }
                    if let patience = p.earlyStopping, round - Swift.max(bestRound, 1) >= patience { break }
                }
                if round == p.rounds { break }
                if let isCancelled, isCancelled() { throw TrainingError("training was cancelled") }

                var rng = SplitMix64(seed: SplitMix64.derive(p.seed, UInt64(round)))
                var bag = allFitRows, others = validationRows
                if p.subsample < 1 {
                    // Rows whose scores the tree's leaf ranges do not cover: out of the bag, or
                    // validation (in any order: each row's score is updated on its own).
                    bag.removeAll(keepingCapacity: true)
                    for r in fitRows {
                        if rng.nextDouble() < p.subsample { bag.append(Int32(r)) } else { others.append(r) }
                    }
                    if bag.isEmpty {
                        bag = [Int32(fitRows[0])]
                        others.removeAll { $0 == fitRows[0] }
                    }
                }
                var allowed = Array(0..<d)
                if p.colsample < 1 {
                    rng.shuffle(&allowed)
                    allowed = Array(allowed.prefix(Swift.max(1, Int((p.colsample * Double(d)).rounded())))).sorted()
                }

                for c in 0..<outputs {
                    let tree = gh.withUnsafeBufferPointer { ghBuf in
                        scores.withUnsafeMutableBufferPointer { s in
                            targets.withUnsafeBufferPointer { t in
                                grower.grow(bag: bag, gh: ghBuf.baseAddress! + 2 * c * n, allowed: allowed) { leaf, rows in
                                    var value = leaf.value
                                    if let refit = objective.refitLeaf(rows: rows, targets: t.baseAddress!,
                                                                       scores: s.baseAddress! + c, stride: outputs) {
                                        value = Float(refit * p.learningRate)
                                    }
                                    let v = Double(value)
                                    for r in rows { s[Int(r) * outputs + c] += v }
                                    return value
                                }
                            }
                        }
                    }
                    addLeafValues(of: tree, to: others, output: c, outputs: outputs, scores: &scores, codes: codes, rowCount: n,
                                  missingCodes: missingCodes, team: team)
                    binnedTrees.append(tree)
                }
                round += 1
                progress?(round)
            }
        }
        let roundsDone = binnedTrees.count / outputs
        if validationRows.isEmpty { bestRound = roundsDone }
        bestRound = Swift.max(bestRound, 1)
        let kept = binnedTrees.prefix(bestRound * outputs)

        var gain = [Double](repeating: 0, count: d), splits = [Int](repeating: 0, count: d)
        for tree in kept {
            for node in tree.nodes where !node.isLeaf {
                gain[node.feature] += node.gain
                splits[node.feature] += 1
            }
        }
        let trees = kept.map { decisionTree($0, bins: bins) }
        return GradientBoostingClassifier(
            classCount: k, featureCount: d, parameters: p, objective: objective, baseScores: base, trees: trees,
            bestRound: bestRound, trainLoss: trainLoss, validationLoss: validationLoss,
            gainImportance: gain, splitCounts: splits)
    }

    /// Adds `tree`'s value to the scores of `rows` (rows whose leaf the tree's growth did not
    /// visit: out of the bag, or validation), a chunk of rows per item of the team.
    private static func addLeafValues(of tree: BinnedTree, to rows: [Int], output c: Int, outputs: Int, scores: inout [Double],
                                      codes: UnsafePointer<UInt8>, rowCount n: Int, missingCodes: [Int], team: WorkerTeam) {
        let count = rows.count, chunk = 1024
        rows.withUnsafeBufferPointer { rowsBuffer in
            scores.withUnsafeMutableBufferPointer { scoresBuffer in
                missingCodes.withUnsafeBufferPointer { missingBuffer in
                    let rows = rowsBuffer.baseAddress!, scores = scoresBuffer.baseAddress!, missing = missingBuffer.baseAddress!
                    team.run(count: (count + chunk - 1) / chunk) { piece in
                        for i in piece * chunk..<Swift.min(count, (piece + 1) * chunk) {
                            let r = rows[i]
                            scores[r * outputs + c] += Double(tree.leafValue(row: r, codes: codes, rows: n, missingCodes: missing))
                        }
                    }
                }
            }
        }
    }

    /// Writes every row's gradients and hessians; returns the summed loss of the fitting rows and
    /// of the validation rows. Rows go in fixed blocks whose sums are added in block order, so
    /// the totals do not depend on the number of threads.
    private static func derivatives<O: BoostingObjective>(
        _ objective: O, scores: inout [Double], targets: [Double], gh: inout [Double],
        isValidation: [Bool], outputs: Int, team: WorkerTeam
    ) -> (Double, Double) {
        let n = targets.count, block = 8192
        let blocks = (n + block - 1) / block
        var sums = [Double](repeating: 0, count: 2 * blocks)
        scores.withUnsafeBufferPointer { s in
            gh.withUnsafeMutableBufferPointer { ghBuf in
                sums.withUnsafeMutableBufferPointer { sumBuf in
                    targets.withUnsafeBufferPointer { t in
                        isValidation.withUnsafeBufferPointer { v in
                            let sp = s.baseAddress!, ghp = ghBuf.baseAddress!
                            let out = sumBuf.baseAddress!, tp = t.baseAddress!, vp = v.baseAddress!
                            team.run(count: blocks) { b in
                                var fitSum = 0.0, validationSum = 0.0
                                var rowG = [Double](repeating: 0, count: outputs), rowH = rowG
                                rowG.withUnsafeMutableBufferPointer { rg in
                                    rowH.withUnsafeMutableBufferPointer { rh in
                                        for r in (b * block)..<Swift.min(n, (b + 1) * block) {
                                            let loss = objective.derivatives(scores: sp + r * outputs, target: tp[r],
                                                                             g: rg.baseAddress!, h: rh.baseAddress!)
                                            for c in 0..<outputs { ghp[2 * (c * n + r)] = rg[c]; ghp[2 * (c * n + r) + 1] = rh[c] }
                                            if vp[r] { validationSum += loss } else { fitSum += loss }
                                        }
                                    }
                                }
                                out[2 * b] = fitSum
                                out[2 * b + 1] = validationSum
                            }
                        }
                    }
                }
            }
        }
        var fit = 0.0, validation = 0.0
        for b in 0..<blocks { fit += sums[2 * b]; validation += sums[2 * b + 1] }
        return (fit, validation)
    }

    /// The grown tree with raw thresholds, in the forest's node form. A split that sends missing
    /// values right reads feature `featureCount + f`, whose missing key is above every threshold.
    static func decisionTree(_ tree: BinnedTree, bins: FeatureBins) -> DecisionTree {
        var raw: [TreeNode] = [TreeNode(threshold: 0, feature: -1, next: 0)]
        var leafValues: [Float] = []
        // Depth-first, children in adjacent slots after their parent.
        var stack: [(binned: Int, slot: Int)] = [(0, 0)]
        while let (b, slot) = stack.popLast() {
            let node = tree.nodes[b]
            if node.isLeaf {
                raw[slot] = TreeNode(threshold: 0, feature: -1, next: Int32(leafValues.count))
                leafValues.append(node.value)
                continue
            }
            let f = node.feature
            let threshold = node.bin == bins.binCounts[f] - 1
                ? Double.infinity   // every value left, only missing values right
                : bins.threshold(feature: f, lastLeft: node.bin, firstRight: node.bin + 1)
            let feature = node.missingLeft ? f : bins.features + f
            let left = raw.count
            raw.append(TreeNode(threshold: 0, feature: -1, next: 0))
            raw.append(TreeNode(threshold: 0, feature: -1, next: 0))
            raw[slot] = TreeNode(threshold: threshold, feature: Int32(feature), next: Int32(left))
            stack.append((node.right, left + 1))
            stack.append((node.left, left))
        }
        return DecisionTree(rawNodes: raw, leafValues: leafValues, classCount: 1)
    }

    // MARK: prediction

    public func predictProbabilities(_ x: FeatureMatrix) -> [Double]? {
        isRegressor ? nil : predictProbabilities(x, threads: 0)
    }

    /// The probabilities of a classifier; a regressor's predictions.
    public func decisionScores(_ x: FeatureMatrix) -> [Double] {
        isRegressor ? rawScores(x, threads: 0) : predictProbabilities(x, threads: 0)
    }

    /// The loss the learning curve reports ("log loss", "squared error", "absolute error").
    public var lossName: String { objective.lossName }

    public func predictProbabilities(_ x: FeatureMatrix, threads: Int) -> [Double] {
        let raw = rawScores(x, threads: threads)
        let rows = x.rows, k = classCount, outputs = self.outputs
        var out = [Double](repeating: 0, count: rows * k)
        var rowScores = [Double](repeating: 0, count: outputs)
        out.withUnsafeMutableBufferPointer { o in
            rowScores.withUnsafeMutableBufferPointer { s in
                for r in 0..<rows {
                    for c in 0..<outputs { s[c] = raw[c * rows + r] }
                    objective.probabilities(scores: s.baseAddress!, into: o.baseAddress! + r * k)
                }
            }
        }
        return out
    }

    /// Raw scores, output-major (`scores[c·rows + r]`): the base score plus every tree's leaf.
    func rawScores(_ x: FeatureMatrix, threads: Int) -> [Double] {
        precondition(x.columns == featureCount, "the model expects \(featureCount) features, got \(x.columns)")
        let rows = x.rows, d = featureCount, outputs = self.outputs
        var out = [Double](repeating: 0, count: rows * outputs)
        for c in 0..<outputs { for r in 0..<rows { out[c * rows + r] = baseScores[c] } }
        guard rows > 0 else { return out }
        let workers = threads <= 0 ? ParallelFor.coreCount : threads
        let width = mirrorsMissing ? 2 * d : d
        out.withUnsafeMutableBufferPointer { outBuf in
            x.values.withUnsafeBufferPointer { xBuf in
                let o = outBuf.baseAddress!, xv = xBuf.baseAddress!
                guard let walks else {
                    // Only for trees too large for the walk's 32-bit fields.
                    for r in 0..<rows {
                        for (t, tree) in trees.enumerated() {
                            o[(t % outputs) * rows + r] += Double(tree.values[Self.leaf(tree, xv + r * d, featureCount: d)])
                        }
                    }
                    return
                }
                ParallelFor.chunks(count: rows, threads: workers, minimumChunk: 512, piecesPerWorker: 1) { range in
                    let block = 32_768, lanes = TreeWalk.lanes
                    let rowKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: (Swift.min(block, range.count) + lanes) * width)
                    defer { rowKeys.deallocate() }
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = Swift.min(start + block, range.upperBound)
                        LockstepWalk.fillRowKeys(rowKeys, x: xv, columns: d, rows: start..<end, mirrorMissingHigh: mirrorsMissing)
                        for (t, walk) in walks.enumerated() {
                            LockstepWalk.accumulate(walk.kernelTree, classCount: 1, rowKeys: rowKeys, columns: width,
                                                    rows: end - start, out: o + (t % outputs) * rows + start)
                        }
                        start = end
                    }
                }
            }
        }
        return out
    }

    /// The leaf a row reaches, walking node by node (features past `featureCount` send missing right).
    static func leaf(_ tree: DecisionTree, _ x: UnsafePointer<Double>, featureCount d: Int) -> Int {
        var i = 0
        while !tree.isLeaf(i) {
            let node = tree.nodes[i]
            let f = Int(node.feature)
            let v = x[f % d]
            let right = v.isNaN ? f >= d : v > node.threshold
            i = Int(node.next) + (right ? 1 : 0)
        }
        return i
    }

    // MARK: model file

    static let formatVersion = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.writeSectionHeader(Self.algorithm, version: Self.formatVersion)
        writer.write(classCount)
        writer.write(featureCount)
        let p = parameters
        writer.write(p.rounds)
        writer.write(p.learningRate)
        writer.write(p.leaves)
        writer.write(p.maxDepth ?? -1)
        writer.write(p.minLeaf)
        writer.write(p.l2)
        writer.write(p.subsample)
        writer.write(p.colsample)
        writer.write(p.bins)
        writer.write(p.earlyStopping ?? -1)
        writer.write(p.seed)
        writer.write(objective.name)
        writer.write(baseScores)
        writer.write(bestRound)
        writer.write(trainLoss)
        writer.write(validationLoss)
        writer.write(gainImportance)
        writer.write(splitCounts)
        writer.write(trees.count)
        for tree in trees { tree.encode(into: &writer) }
    }

    public init(from reader: inout BinaryReader) throws {
        func damaged(_ what: String) -> BinaryReader.Failure {
            BinaryReader.Failure(message: "model file is damaged (gradient boosting: \(what))")
        }
        try reader.expectSectionHeader(Self.algorithm, version: Self.formatVersion)
        let classCount = try reader.readInt()
        let featureCount = try reader.readInt()
        guard classCount >= 1, classCount < 1 << 20, featureCount >= 1, featureCount < 1 << 29 else { throw damaged("sizes") }
        var p = GradientBoostingParameters()
        p.rounds = try reader.readInt()
        p.learningRate = try reader.readDouble()
        p.leaves = try reader.readInt()
        let depth = try reader.readInt()
        p.maxDepth = depth < 0 ? nil : depth
        p.minLeaf = try reader.readInt()
        p.l2 = try reader.readDouble()
        p.subsample = try reader.readDouble()
        p.colsample = try reader.readDouble()
        p.bins = try reader.readInt()
        let patience = try reader.readInt()
        p.earlyStopping = patience < 0 ? nil : patience
        p.seed = try reader.readUInt64()
        guard let objective = boostingObjective(named: try reader.readString(), classCount: classCount) else {
            throw damaged("objective")
        }
        p.loss = classCount == 1 ? RegressionLoss(rawValue: objective.name) : nil
        let baseScores = try reader.readDoubles()
        let bestRound = try reader.readInt()
        let trainLoss = try reader.readDoubles()
        let validationLoss = try reader.readDoubles()
        let gain = try reader.readDoubles()
        let splits = try reader.readInts()
        guard baseScores.count == objective.outputs, gain.count == featureCount, splits.count == featureCount else {
            throw damaged("sizes of scores or importances")
        }
        // Every tree takes at least its 8-byte node count.
        let count = try reader.readCount(elementSize: 8)
        guard count >= 1, count % objective.outputs == 0 else { throw damaged("tree count") }
        var trees: [DecisionTree] = []
        trees.reserveCapacity(count)
        for _ in 0..<count {
            trees.append(try DecisionTree(from: &reader, featureCount: 2 * featureCount, classCount: 1))
        }
        self.init(classCount: classCount, featureCount: featureCount, parameters: p, objective: objective,
                  baseScores: baseScores, trees: trees, bestRound: bestRound, trainLoss: trainLoss,
                  validationLoss: validationLoss, gainImportance: gain, splitCounts: splits)
    }
}
