/// One node of a fitted tree, in the form prediction walks: internal nodes send a row with
/// `x[feature] > threshold` to `next + 1`, the others (and NaN) to `next`; a leaf points to itself
/// with an infinite threshold, so a walk can take a fixed number of steps without branching.
struct TreeNode: Sendable, Equatable {
    var threshold: Double
    var feature: Int32
    var next: Int32
}

/// A fitted CART classification tree: nodes in depth-first order (children always after their
/// parent, siblings adjacent) and a class distribution (fractions) for each leaf, stored by node
/// (`classCount` values per node, zero for internal nodes) so that a walk ends with one lookup.
struct DecisionTree: Sendable, Equatable {
    var nodes: [TreeNode]
    /// `classCount` values per node; non-zero only for leaves.
    var values: [Float]
    let classCount: Int
    /// Largest number of steps from the root to a leaf.
    var depth: Int

    @inline(__always) func isLeaf(_ i: Int) -> Bool { Int(nodes[i].next) == i }
    var leafCount: Int { (0..<nodes.count).reduce(0) { $0 + (isLeaf($1) ? 1 : 0) } }

    /// From the builder's form: leaves have `feature == -1` and `next` = index of their values in
    /// `leafValues` (`classCount` values each).
    init(rawNodes: [TreeNode], leafValues: [Float], classCount k: Int) {
        var nodes = rawNodes
        var values = [Float](repeating: 0, count: rawNodes.count * k)
        var depthOf = [Int](repeating: 0, count: rawNodes.count)
        var depth = 0
        for i in 0..<rawNodes.count {
            let node = rawNodes[i]
            if node.feature < 0 {
                let from = Int(node.next) * k
                for c in 0..<k { values[i * k + c] = leafValues[from + c] }
                nodes[i] = TreeNode(threshold: .infinity, feature: 0, next: Int32(i))
                depth = Swift.max(depth, depthOf[i])
            } else {
                depthOf[Int(node.next)] = depthOf[i] + 1
                depthOf[Int(node.next) + 1] = depthOf[i] + 1
            }
        }
        self.nodes = nodes
        self.values = values
        self.classCount = k
        self.depth = depth
    }

    /// Index of the leaf node reached by the row starting at `x`.
    @inline(__always)
    func leaf(_ x: UnsafePointer<Double>) -> Int {
        var i = 0
        while true {
            let node = nodes[i]
            let next = Int(node.next) + (x[Int(node.feature)] > node.threshold ? 1 : 0)
            if next == i { return i }
            i = next
        }
    }

    // MARK: encoding

    /// Node features for every node (-1 for a leaf); thresholds and child indices for internal
    /// nodes only; leaf distributions as Float, leaves in node order.
    func encode(into writer: inout BinaryWriter) {
        writer.write(nodes.count)
        var features = [Int32](), children = [Int32](), thresholds = [Double](), leafValues = [Float]()
        features.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() {
            if isLeaf(i) {
                features.append(-1)
                leafValues.append(contentsOf: values[(i * classCount)..<((i + 1) * classCount)])
            } else {
                features.append(node.feature)
                children.append(node.next)
                thresholds.append(node.threshold)
            }
        }
        writer.write(features)
        writer.write(children)
        writer.write(thresholds)
        writer.write(leafValues)
    }

    init(from reader: inout BinaryReader, featureCount: Int, classCount: Int) throws {
        func damaged(_ what: String) -> BinaryReader.Failure {
            BinaryReader.Failure(message: "model file is damaged (random forest tree: \(what))")
        }
        let count = try reader.readInt()
        let features = try reader.readInt32s()
        let children = try reader.readInt32s()
        let thresholds = try reader.readDoubles()
        let leafValues = try reader.readFloats()
        guard count >= 1, features.count == count, children.count == thresholds.count else { throw damaged("node counts") }
        let internalNodes = children.count
        let leaves = count - internalNodes
        guard leaves >= 1, leafValues.count == leaves * classCount else { throw damaged("leaf counts") }
        var nodes = [TreeNode]()
        nodes.reserveCapacity(count)
        var c = 0, l = 0
        // Every node but the root is the child of exactly one node: a tree, every node reachable
        // (the walk's memory layout relies on it; a damaged file found by fuzzing had two parents
        // sharing children).
        var hasParent = [Bool](repeating: false, count: count)
        for (i, f) in features.enumerated() {
            if f >= 0 {
                guard Int(f) < featureCount, c < internalNodes else { throw damaged("feature index") }
                let child = Int(children[c])
                // Children come after their parent and are adjacent: no cycles, no out-of-range reads.
                guard child > i, child + 1 < count, !hasParent[child], !hasParent[child + 1] else { throw damaged("child index") }
                hasParent[child] = true
                hasParent[child + 1] = true
                nodes.append(TreeNode(threshold: thresholds[c], feature: f, next: Int32(child)))
                c += 1
            } else {
                guard f == -1, l < leaves else { throw damaged("leaf index") }
                nodes.append(TreeNode(threshold: 0, feature: -1, next: Int32(l)))
                l += 1
            }
        }
        guard c == internalNodes, l == leaves, !hasParent[0], hasParent.dropFirst().allSatisfy({ $0 }) else { throw damaged("node layout") }
        self.init(rawNodes: nodes, leafValues: leafValues, classCount: classCount)
    }
}

/// Read-only inputs shared by all tree builders of one forest.
struct TreeBuildInput: @unchecked Sendable {
    let rows: Int
    let features: Int
    let classCount: Int
    let codes: UnsafePointer<UInt8>
    let binCounts: UnsafePointer<Int>
    let bins: FeatureBins
    let maxFeatures: Int
    let maxDepth: Int
    let minSamplesLeaf: Int
    let bootstrap: Bool
}

/// Grows one CART tree (Gini, best split over `maxFeatures` randomly drawn features per node, as
/// scikit-learn's BestSplitter, including its bookkeeping of features known to be constant in a
/// node) on the binned data. Returns the tree and its unnormalised impurity decreases per feature
/// (weighted by in-bag sample weight).
func buildTree(_ input: TreeBuildInput, labels: UnsafePointer<Int32>, seed: UInt64) -> (tree: DecisionTree, importances: [Double]) {
    var rng = SplitMix64(seed: seed)
    let n = input.rows, d = input.features, k = input.classCount
    let msl = input.minSamplesLeaf
    let needUnique = msl > 1
    let mtry = input.maxFeatures

    let weightOfRow = bootstrapWeights(rows: n, bootstrap: input.bootstrap, rng: &rng)
    defer { weightOfRow.deallocate() }
    var m = 0
    for r in 0..<n where weightOfRow[r] > 0 { m += 1 }

    // Per-position arrays, permuted together by the partitions: the row, and its weight and class
    // packed as `weight << 32 | class`.
    let idx = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    let wc = UnsafeMutablePointer<Int>.allocate(capacity: m)
    let tIdx = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    let tWc = UnsafeMutablePointer<Int>.allocate(capacity: m)
    defer { idx.deallocate(); wc.deallocate(); tIdx.deallocate(); tWc.deallocate() }
    do {
        var p = 0
        for r in 0..<n where weightOfRow[r] > 0 {
            idx[p] = Int32(r); wc[p] = Int(weightOfRow[r]) << 32 | Int(labels[r]); p += 1
        }
    }

    let maxBins = FeatureBins.maxBins
    // Two histograms, for even and odd positions: consecutive rows in the same bin then do not
    // wait on each other's increments.
    let hist0 = UnsafeMutablePointer<Int>.allocate(capacity: 2 * maxBins * k)
    hist0.initialize(repeating: 0, count: 2 * maxBins * k)
    let hist1 = hist0 + maxBins * k
    let uniq = UnsafeMutablePointer<Int>.allocate(capacity: maxBins)
    uniq.initialize(repeating: 0, count: maxBins)
    let scratch = UnsafeMutablePointer<Int>.allocate(capacity: 4 * k)
    scratch.initialize(repeating: 0, count: 4 * k)
    let totals = scratch, left = scratch + k, bestLeft = scratch + 2 * k, rightCounts = scratch + 3 * k
    // scikit-learn's feature bookkeeping: `features[0..<nKnownConstants]` are the features known
    // to be constant in the current node; `constantFeatures` keeps them for siblings and children.
    let features = UnsafeMutablePointer<Int>.allocate(capacity: d)
    let constantFeatures = UnsafeMutablePointer<Int>.allocate(capacity: d)
    for f in 0..<d { features[f] = f; constantFeatures[f] = f }
    defer { hist0.deallocate(); uniq.deallocate(); scratch.deallocate(); features.deallocate(); constantFeatures.deallocate() }

    var importances = [Double](repeating: 0, count: d)
    var nodes: [TreeNode] = [TreeNode(threshold: 0, feature: -1, next: 0)]
    var leafValues: [Float] = []
    let codes = input.codes

    struct Pending { var node: Int; var start: Int; var end: Int; var depth: Int; var constants: Int }
    var stack: [Pending] = [Pending(node: 0, start: 0, end: m, depth: 0, constants: 0)]

    @inline(__always) func gini(_ counts: UnsafeMutablePointer<Int>, _ total: Int) -> Double {
        guard total > 0 else { return 0 }
        var s = 0.0
        let w = Double(total)
        for c in 0..<k { let p = Double(counts[c]) / w; s += p * p }
        return 1 - s
    }

    while let job = stack.popLast() {
        let s = job.start, e = job.end
        let count = e - s
        for c in 0..<k { totals[c] = 0 }
        for p in s..<e { totals[wc[p] & 0xFFFF_FFFF] &+= wc[p] >> 32 }
        var total = 0, nonEmptyClasses = 0
        for c in 0..<k { total += totals[c]; if totals[c] > 0 { nonEmptyClasses += 1 } }

        var isLeaf = count < 2 || count < 2 * msl || job.depth >= input.maxDepth || nonEmptyClasses <= 1

        var bestFeature = -1, bestBin = -1, bestNext = -1
        var bestProxy = -Double.infinity
        var childConstants = job.constants
        if !isLeaf {
            let nKnown = job.constants
            var fi = d
            var nTotalConstants = nKnown, nDrawnConstants = 0, nFoundConstants = 0, nVisited = 0
            while fi > nTotalConstants && (nVisited < mtry || nVisited <= nFoundConstants + nDrawnConstants) {
                nVisited += 1
                var fj = nDrawnConstants + rng.nextInt(below: fi - nFoundConstants - nDrawnConstants)
                if fj < nKnown {
                    swap(&features[nDrawnConstants], &features[fj])
                    nDrawnConstants += 1
                    continue
                }
                fj += nFoundConstants
                let f = features[fj]
                let col = codes + f * n
                var lo = maxBins, hi = -1
                if k == 2 {
                    var p = s
                    while p + 1 < e {
                        let b0 = Int(col[Int(idx[p])]), b1 = Int(col[Int(idx[p + 1])])
                        let w0 = wc[p], w1 = wc[p + 1]
                        hist0[2 &* b0 &+ (w0 & 1)] &+= w0 >> 32
                        hist1[2 &* b1 &+ (w1 & 1)] &+= w1 >> 32
                        lo = Swift.min(lo, Swift.min(b0, b1)); hi = Swift.max(hi, Swift.max(b0, b1))
                        p += 2
                    }
                    if p < e {
                        let b0 = Int(col[Int(idx[p])]), w0 = wc[p]
                        hist0[2 &* b0 &+ (w0 & 1)] &+= w0 >> 32
                        lo = Swift.min(lo, b0); hi = Swift.max(hi, b0)
                    }
                } else {
                    for p in s..<e {
                        let b = Int(col[Int(idx[p])]), w = wc[p]
                        hist0[k &* b &+ (w & 0xFFFF_FFFF)] &+= w >> 32
                        lo = Swift.min(lo, b); hi = Swift.max(hi, b)
                    }
                }
                if needUnique { for p in s..<e { uniq[Int(col[Int(idx[p])])] += 1 } }
                if lo == hi {
                    for c in 0..<k { hist0[lo * k + c] = 0; hist1[lo * k + c] = 0 }
                    uniq[lo] = 0
                    swap(&features[fj], &features[nTotalConstants])
                    nFoundConstants += 1
                    nTotalConstants += 1
                    continue   // constant in this node: does not count towards maxFeatures
                }
                fi -= 1
                swap(&features[fi], &features[fj])

                var prev = -1
                var leftUnique = 0
                if k == 2 {
                    var l0 = 0, l1 = 0
                    let t0 = totals[0], t1 = totals[1]
                    for b in lo...hi {
                        let h0 = hist0[2 * b] + hist1[2 * b], h1 = hist0[2 * b + 1] + hist1[2 * b + 1]
                        if h0 + h1 == 0 { continue }
                        hist0[2 * b] = 0; hist0[2 * b + 1] = 0; hist1[2 * b] = 0; hist1[2 * b + 1] = 0
                        if prev >= 0 && (!needUnique || (leftUnique >= msl && count - leftUnique >= msl)) {
                            let wl = l0 + l1, wr = total - wl
                            let r0 = t0 - l0, r1 = t1 - l1
                            let proxy = Double(l0 * l0 + l1 * l1) / Double(wl) + Double(r0 * r0 + r1 * r1) / Double(wr)
                            if proxy > bestProxy {
                                bestProxy = proxy; bestFeature = f; bestBin = prev; bestNext = b
                                bestLeft[0] = l0; bestLeft[1] = l1
                            }
                        }
                        l0 += h0; l1 += h1
                        if needUnique { leftUnique += uniq[b]; uniq[b] = 0 }
                        prev = b
                    }
                } else {
                    var leftTotal = 0
                    for c in 0..<k { left[c] = 0 }
                    for b in lo...hi {
                        var binTotal = 0
                        for c in 0..<k { binTotal += hist0[k * b + c] }
                        if binTotal == 0 { continue }
                        if prev >= 0 && (!needUnique || (leftUnique >= msl && count - leftUnique >= msl)) {
                            let wl = leftTotal, wr = total - wl
                            var sl = 0, sr = 0
                            for c in 0..<k { let l = left[c], r = totals[c] - l; sl += l * l; sr += r * r }
                            let proxy = Double(sl) / Double(wl) + Double(sr) / Double(wr)
                            if proxy > bestProxy {
                                bestProxy = proxy; bestFeature = f; bestBin = prev; bestNext = b
                                for c in 0..<k { bestLeft[c] = left[c] }
                            }
                        }
                        for c in 0..<k { left[c] += hist0[k * b + c]; hist0[k * b + c] = 0 }
                        leftTotal += binTotal
                        if needUnique { leftUnique += uniq[b]; uniq[b] = 0 }
                        prev = b
                    }
                }
                // Bins of lo...hi that were skipped as empty are already zero.
            }
            // Keep the known constants in their original order for siblings and children, and
            // record the ones found here.
            for i in 0..<nKnown { features[i] = constantFeatures[i] }
            for i in nKnown..<(nKnown + nFoundConstants) { constantFeatures[i] = features[i] }
            childConstants = nTotalConstants
            if bestFeature < 0 { isLeaf = true }
        }

        if isLeaf {
            nodes[job.node] = TreeNode(threshold: 0, feature: -1, next: Int32(leafValues.count / k))
            let w = Float(total)
            for c in 0..<k { leafValues.append(Float(totals[c]) / w) }
            continue
        }

        // Stable partition of the node's positions by the chosen bin.
        let col = codes + bestFeature * n
        let limit = UInt8(bestBin)
        var i = s, t = 0
        for p in s..<e {
            // Branch-free: write to both sides, advance the one the row belongs to (i <= p, so
            // the in-place write never overtakes the read).
            let row = idx[p], w = wc[p]
            let goesLeft = col[Int(row)] <= limit ? 1 : 0
            idx[i] = row; wc[i] = w
            tIdx[t] = row; tWc[t] = w
            i &+= goesLeft; t &+= 1 &- goesLeft
        }
        (idx + i).update(from: tIdx, count: t)
        (wc + i).update(from: tWc, count: t)

        // Impurity decrease (weighted by node weight), for the importances.
        var leftTotal = 0
        for c in 0..<k { leftTotal += bestLeft[c]; rightCounts[c] = totals[c] - bestLeft[c] }
        let decrease = Double(total) * gini(totals, total)
            - Double(leftTotal) * gini(bestLeft, leftTotal)
            - Double(total - leftTotal) * gini(rightCounts, total - leftTotal)
        importances[bestFeature] += decrease

        let child = nodes.count
        nodes[job.node] = TreeNode(threshold: input.bins.threshold(feature: bestFeature, lastLeft: bestBin, firstRight: bestNext),
                                   feature: Int32(bestFeature), next: Int32(child))
        nodes.append(TreeNode(threshold: 0, feature: -1, next: 0))
        nodes.append(TreeNode(threshold: 0, feature: -1, next: 0))
        stack.append(Pending(node: child + 1, start: i, end: e, depth: job.depth + 1, constants: childConstants))
        stack.append(Pending(node: child, start: s, end: i, depth: job.depth + 1, constants: childConstants))
    }
    return (DecisionTree(rawNodes: nodes, leafValues: leafValues, classCount: k), importances)
}

/// Bootstrap: n draws with replacement, kept as integer weights of the distinct drawn rows (all 1
/// without bootstrap). The caller deallocates.
func bootstrapWeights(rows n: Int, bootstrap: Bool, rng: inout SplitMix64) -> UnsafeMutablePointer<Int32> {
    let weightOfRow = UnsafeMutablePointer<Int32>.allocate(capacity: n)
    if bootstrap {
        weightOfRow.initialize(repeating: 0, count: n)
        for _ in 0..<n { weightOfRow[rng.nextInt(below: n)] += 1 }
    } else {
        weightOfRow.initialize(repeating: 1, count: n)
    }
    return weightOfRow
}
