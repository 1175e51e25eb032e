/// Grows one regression tree of a forest (CART, squared error, as scikit-learn's
/// `DecisionTreeRegressor` inside `RandomForestRegressor`) on the binned data: at each node up to
/// `maxFeatures` randomly drawn features are tried (features constant in the node do not count),
/// the split maximising the reduction of the weighted sum of squared errors wins, and a leaf holds
/// the weighted mean target of its rows. Returns the tree and its squared-error reductions per
/// feature, for the importances.
///
/// Depth-first with the rows of a node a contiguous, stably partitioned range, and every sum in
/// row order, so the tree depends only on the data and `seed`.
func buildRegressionTree(_ input: TreeBuildInput, targets: UnsafePointer<Double>, seed: UInt64)
    -> (tree: DecisionTree, importances: [Double]) {
    var rng = SplitMix64(seed: seed)
    let n = input.rows, d = input.features, msl = input.minSamplesLeaf
    let weightOfRow = bootstrapWeights(rows: n, bootstrap: input.bootstrap, rng: &rng)
    defer { weightOfRow.deallocate() }
    var m = 0
    for r in 0..<n where weightOfRow[r] > 0 { m += 1 }

    // Per position, permuted together by the partitions: the row and its bootstrap weight.
    let idx = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(m, 1))
    let tIdx = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(m, 1))
    defer { idx.deallocate(); tIdx.deallocate() }
    do {
        var p = 0
        for r in 0..<n where weightOfRow[r] > 0 { idx[p] = Int32(r); p += 1 }
    }

    // Per bin: weight, weighted target sum, and positions (for min_leaf, which counts rows).
    let maxBins = FeatureBins.maxBins
    let binWeight = UnsafeMutablePointer<Double>.allocate(capacity: maxBins)
    let binSum = UnsafeMutablePointer<Double>.allocate(capacity: maxBins)
    let binRows = UnsafeMutablePointer<Int>.allocate(capacity: maxBins)
    binWeight.initialize(repeating: 0, count: maxBins)
    binSum.initialize(repeating: 0, count: maxBins)
    binRows.initialize(repeating: 0, count: maxBins)
    var order = Array(0..<d)
    defer { binWeight.deallocate(); binSum.deallocate(); binRows.deallocate() }

    var importances = [Double](repeating: 0, count: d)
    var nodes: [TreeNode] = [TreeNode(threshold: 0, feature: -1, next: 0)]
    var leafValues: [Float] = []
    let codes = input.codes

    struct Pending { var node: Int; var start: Int; var end: Int; var depth: Int }
    var stack: [Pending] = [Pending(node: 0, start: 0, end: m, depth: 0)]

    while let job = stack.popLast() {
        let s = job.start, e = job.end, count = e - s
        var total = 0.0, sum = 0.0, squares = 0.0
        for p in s..<e {
            let r = Int(idx[p]), w = Double(weightOfRow[r]), y = targets[r]
            total += w; sum += w * y; squares += w * y * y
        }
        let parentScore = total > 0 ? sum * sum / total : 0
        // Squared error of the node; (nearly) zero means a constant target, nothing to split.
        let impurity = squares - parentScore
        var isLeaf = count < 2 || count < 2 * msl || job.depth >= input.maxDepth || impurity <= 1e-12 * Swift.max(squares, 1)

        var bestFeature = -1, bestBin = -1, bestNext = -1
        var bestScore = -Double.infinity
        if !isLeaf {
            // Features in a random order; try until maxFeatures non-constant ones were evaluated.
            var tried = 0, drawn = 0
            while drawn < d && tried < input.maxFeatures {
                let j = drawn + rng.nextInt(below: d - drawn)
                order.swapAt(drawn, j)
                let f = order[drawn]
                drawn += 1
                let col = codes + f * n
                var lo = maxBins, hi = -1
                for p in s..<e {
                    let r = Int(idx[p]), b = Int(col[r]), w = Double(weightOfRow[r])
                    binWeight[b] += w; binSum[b] += w * targets[r]; binRows[b] += 1
                    lo = Swift.min(lo, b); hi = Swift.max(hi, b)
                }
                if lo == hi {
                    binWeight[lo] = 0; binSum[lo] = 0; binRows[lo] = 0
                    continue   // constant in this node: does not count towards maxFeatures
                }
                tried += 1
                var leftWeight = 0.0, leftSum = 0.0, leftRows = 0, prev = -1
                for b in lo...hi {
                    let bw = binWeight[b]
                    if binRows[b] == 0 { continue }
                    if prev >= 0 && leftRows >= msl && count - leftRows >= msl {
                        let rightWeight = total - leftWeight, rightSum = sum - leftSum
                        let score = leftSum * leftSum / leftWeight + rightSum * rightSum / rightWeight
                        if score > bestScore { bestScore = score; bestFeature = f; bestBin = prev; bestNext = b }
                    }
                    leftWeight += bw; leftSum += binSum[b]; leftRows += binRows[b]
                    binWeight[b] = 0; binSum[b] = 0; binRows[b] = 0
                    prev = b
                }
            }
            if bestFeature < 0 || bestScore <= parentScore { isLeaf = true }
        }

        if isLeaf {
            nodes[job.node] = TreeNode(threshold: 0, feature: -1, next: Int32(leafValues.count))
            leafValues.append(Float(total > 0 ? sum / total : 0))
            continue
        }

        // Stable partition of the node's positions by the chosen bin.
        let col = codes + bestFeature * n
        let limit = UInt8(bestBin)
        var i = s, t = 0
        for p in s..<e {
            let row = idx[p]
            if col[Int(row)] <= limit { idx[i] = row; i += 1 } else { tIdx[t] = row; t += 1 }
        }
        (idx + i).update(from: tIdx, count: t)
        importances[bestFeature] += bestScore - parentScore

        let child = nodes.count
        nodes[job.node] = TreeNode(threshold: input.bins.threshold(feature: bestFeature, lastLeft: bestBin, firstRight: bestNext),
                                   feature: Int32(bestFeature), next: Int32(child))
        nodes.append(TreeNode(threshold: 0, feature: -1, next: 0))
        nodes.append(TreeNode(threshold: 0, feature: -1, next: 0))
        stack.append(Pending(node: child + 1, start: i, end: e, depth: job.depth + 1))
        stack.append(Pending(node: child, start: s, end: i, depth: job.depth + 1))
    }
    return (DecisionTree(rawNodes: nodes, leafValues: leafValues, classCount: 1), importances)
}
