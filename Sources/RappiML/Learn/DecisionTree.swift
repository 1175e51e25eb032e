/// One node of a fitted tree. Internal: `feature >= 0`, rows with `x[feature] <= threshold` go to
/// node `next`, the others to `next + 1`. Leaf: `feature == -1`, `next` is the leaf's index into
/// the tree's leaf distributions.
struct TreeNode: Sendable, Equatable {
    var threshold: Double
    var feature: Int32
    var next: Int32
}

/// A fitted CART classification tree: nodes in depth-first order (children always after their
/// parent, siblings adjacent) and one class distribution (fractions) per leaf.
struct DecisionTree: Sendable, Equatable {
    var nodes: [TreeNode]
    /// `classCount` values per leaf.
    var leafValues: [Float]

    var leafCount: Int { nodes.count - internalCount }
    var internalCount: Int { nodes.reduce(0) { $0 + ($1.feature >= 0 ? 1 : 0) } }

    /// Index of the leaf reached by the row starting at `x`.
    @inline(__always)
    static func leaf(_ nodes: UnsafePointer<TreeNode>, _ x: UnsafePointer<Double>) -> Int {
        var i = 0
        while true {
            let node = nodes[i]
            if node.feature < 0 { return Int(node.next) }
            i = Int(node.next) + (x[Int(node.feature)] <= node.threshold ? 0 : 1)
        }
    }

    // MARK: encoding

    /// Node features for every node; thresholds and child indices for internal nodes only; leaf
    /// distributions as Float. Leaves are numbered in node order, so their indices are implied.
    func encode(into writer: inout BinaryWriter) {
        writer.write(nodes.count)
        var features = [Int32](), children = [Int32](), thresholds = [Double]()
        features.reserveCapacity(nodes.count)
        for node in nodes {
            features.append(node.feature)
            if node.feature >= 0 { children.append(node.next); thresholds.append(node.threshold) }
        }
        writer.write(features)
        writer.write(children)
        writer.write(thresholds)
        writer.write(leafValues)
    }

    init(nodes: [TreeNode], leafValues: [Float]) {
        self.nodes = nodes
        self.leafValues = leafValues
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
        for (i, f) in features.enumerated() {
            if f >= 0 {
                guard Int(f) < featureCount, c < internalNodes else { throw damaged("feature index") }
                let child = Int(children[c])
                // Children come after their parent and are adjacent: no cycles, no out-of-range reads.
                guard child > i, child + 1 < count else { throw damaged("child index") }
                nodes.append(TreeNode(threshold: thresholds[c], feature: f, next: Int32(child)))
                c += 1
            } else {
                guard f == -1, l < leaves else { throw damaged("leaf index") }
                nodes.append(TreeNode(threshold: 0, feature: -1, next: Int32(l)))
                l += 1
            }
        }
        guard c == internalNodes, l == leaves else { throw damaged("node layout") }
        self.nodes = nodes
        self.leafValues = leafValues
    }
}

/// Read-only inputs shared by all tree builders of one forest.
struct TreeBuildInput: @unchecked Sendable {
    let rows: Int
    let features: Int
    let classCount: Int
    let codes: UnsafePointer<UInt8>
    let binCounts: UnsafePointer<Int>
    let labels: UnsafePointer<Int32>
    let bins: FeatureBins
    let maxFeatures: Int
    let maxDepth: Int
    let minSamplesLeaf: Int
    let bootstrap: Bool
}

/// Grows one CART tree (Gini, best split over `maxFeatures` randomly drawn features per node, as
/// scikit-learn's BestSplitter) on the binned data. Returns the tree and its unnormalised
/// impurity decreases per feature (weighted by in-bag sample weight).
func buildTree(_ input: TreeBuildInput, seed: UInt64) -> (tree: DecisionTree, importances: [Double]) {
    var rng = SplitMix64(seed: seed)
    let n = input.rows, d = input.features, k = input.classCount
    let msl = input.minSamplesLeaf
    let needUnique = msl > 1

    // Bootstrap: n draws with replacement, kept as integer weights of the distinct drawn rows.
    let weightOfRow = UnsafeMutablePointer<Int32>.allocate(capacity: n)
    defer { weightOfRow.deallocate() }
    if input.bootstrap {
        weightOfRow.initialize(repeating: 0, count: n)
        for _ in 0..<n { weightOfRow[rng.nextInt(below: n)] += 1 }
    } else {
        weightOfRow.initialize(repeating: 1, count: n)
    }
    var m = 0
    for r in 0..<n where weightOfRow[r] > 0 { m += 1 }

    // Per-position arrays, permuted together by the partitions.
    let idx = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    let cls = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    let wt = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    let tIdx = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    let tCls = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    let tWt = UnsafeMutablePointer<Int32>.allocate(capacity: m)
    defer { for p in [idx, cls, wt, tIdx, tCls, tWt] { p.deallocate() } }
    do {
        var p = 0
        for r in 0..<n where weightOfRow[r] > 0 {
            idx[p] = Int32(r); cls[p] = input.labels[r]; wt[p] = weightOfRow[r]; p += 1
        }
    }

    let maxBins = FeatureBins.maxBins
    let hist = UnsafeMutablePointer<Int>.allocate(capacity: maxBins * k)
    hist.initialize(repeating: 0, count: maxBins * k)
    let uniq = UnsafeMutablePointer<Int>.allocate(capacity: maxBins)
    uniq.initialize(repeating: 0, count: maxBins)
    defer { hist.deallocate(); uniq.deallocate() }
    var totals = [Int](repeating: 0, count: k)
    var left = [Int](repeating: 0, count: k)
    var bestLeft = [Int](repeating: 0, count: k)

    var featureOrder = (0..<d).map { Int32($0) }
    var importances = [Double](repeating: 0, count: d)
    var nodes: [TreeNode] = [TreeNode(threshold: 0, feature: -1, next: 0)]
    var leafValues: [Float] = []
    let codes = input.codes

    struct Pending { var node: Int; var start: Int; var end: Int; var depth: Int }
    var stack: [Pending] = [Pending(node: 0, start: 0, end: m, depth: 0)]

    @inline(__always) func gini(_ counts: [Int], _ total: Int) -> Double {
        guard total > 0 else { return 0 }
        var s = 0.0
        let w = Double(total)
        for c in counts { let p = Double(c) / w; s += p * p }
        return 1 - s
    }

    while let job = stack.popLast() {
        let s = job.start, e = job.end
        let count = e - s
        // Class totals of the node.
        for c in 0..<k { totals[c] = 0 }
        var total = 0
        for p in s..<e { totals[Int(cls[p])] += Int(wt[p]) }
        for c in 0..<k { total += totals[c] }
        var nonEmptyClasses = 0
        for c in 0..<k where totals[c] > 0 { nonEmptyClasses += 1 }

        var isLeaf = count < 2 || count < 2 * msl || job.depth >= input.maxDepth || nonEmptyClasses <= 1

        var bestFeature = -1, bestBin = -1, bestNext = -1
        var bestProxy = -Double.infinity
        if !isLeaf {
            // Draw features without replacement until maxFeatures non-constant ones were seen.
            var drawn = 0, visited = 0
            while drawn < d && visited < input.maxFeatures {
                let j = drawn + rng.nextInt(below: d - drawn)
                featureOrder.swapAt(drawn, j)
                let f = Int(featureOrder[drawn])
                drawn += 1
                let col = codes + f * n
                var lo = maxBins, hi = -1
                if k == 2 {
                    for p in s..<e {
                        let b = Int(col[Int(idx[p])])
                        hist[2 &* b &+ Int(cls[p])] &+= Int(wt[p])
                        lo = Swift.min(lo, b); hi = Swift.max(hi, b)
                    }
                } else {
                    for p in s..<e {
                        let b = Int(col[Int(idx[p])])
                        hist[k &* b &+ Int(cls[p])] &+= Int(wt[p])
                        lo = Swift.min(lo, b); hi = Swift.max(hi, b)
                    }
                }
                if needUnique { for p in s..<e { uniq[Int(col[Int(idx[p])])] += 1 } }
                if lo == hi {
                    for c in 0..<k { hist[lo * k + c] = 0 }
                    uniq[lo] = 0
                    continue   // constant in this node: does not count towards maxFeatures
                }
                visited += 1
                var prev = -1
                var leftUnique = 0, leftTotal = 0
                if k == 2 {
                    var l0 = 0, l1 = 0
                    let t0 = totals[0], t1 = totals[1]
                    for b in lo...hi {
                        let h0 = hist[2 * b], h1 = hist[2 * b + 1]
                        if h0 + h1 == 0 { continue }
                        hist[2 * b] = 0; hist[2 * b + 1] = 0
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
                    for c in 0..<k { left[c] = 0 }
                    for b in lo...hi {
                        var binTotal = 0
                        for c in 0..<k { binTotal += hist[k * b + c] }
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
                        for c in 0..<k { left[c] += hist[k * b + c]; hist[k * b + c] = 0 }
                        leftTotal += binTotal
                        if needUnique { leftUnique += uniq[b]; uniq[b] = 0 }
                        prev = b
                    }
                }
                // Bins of lo...hi that were skipped as empty are already zero.
            }
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
            if col[Int(idx[p])] <= limit {
                idx[i] = idx[p]; cls[i] = cls[p]; wt[i] = wt[p]; i += 1
            } else {
                tIdx[t] = idx[p]; tCls[t] = cls[p]; tWt[t] = wt[p]; t += 1
            }
        }
        (idx + i).update(from: tIdx, count: t)
        (cls + i).update(from: tCls, count: t)
        (wt + i).update(from: tWt, count: t)

        // Impurity decrease (weighted by node weight), for the importances.
        var leftTotal = 0
        var rightCounts = [Int](repeating: 0, count: k)
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
        stack.append(Pending(node: child + 1, start: i, end: e, depth: job.depth + 1))
        stack.append(Pending(node: child, start: s, end: i, depth: job.depth + 1))
    }
    return (DecisionTree(nodes: nodes, leafValues: leafValues), importances)
}
