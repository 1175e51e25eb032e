/// One boosted tree as it is grown, in bin terms: an internal node sends a row left when its
/// bin code on `feature` is at most `bin` (a missing value: when `missingLeft`).
struct BinnedTree: Sendable {
    struct Node: Sendable {
        var feature = -1
        var bin = 0
        var missingLeft = true
        /// Children (-1 for a leaf).
        var left = -1
        var right = -1
        /// The leaf's value (already shrunk by the learning rate, rounded to Float as stored).
        var value: Float = 0
        /// Loss reduction of the split (0 for a leaf), for gain importance.
        var gain = 0.0
        var isLeaf: Bool { left < 0 }
    }

    var nodes: [Node]

    /// The leaf a row reaches, from its bin codes (column-major, `rows` per feature).
    @inline(__always)
    func leafValue(row: Int, codes: UnsafePointer<UInt8>, rows: Int, missingCodes: UnsafePointer<Int>) -> Float {
        var i = 0
        while !nodes[i].isLeaf {
            let node = nodes[i]
            let code = Int(codes[node.feature * rows + row])
            let left = code == missingCodes[node.feature] ? node.missingLeft : code <= node.bin
            i = left ? node.left : node.right
        }
        return nodes[i].value
    }
}

/// Grows the trees of a gradient-boosting fit: histogram-based and leaf-wise (best-first) like
/// LightGBM. At every step the leaf whose best split reduces the loss most is split, until
/// `leaves` leaves exist or no split helps.
///
/// - The rows of each open leaf are a contiguous range of `index`, partitioned stably in place
///   when the leaf is split, so every sum below adds the same rows in the same order whatever
///   the number of threads: the trees are bit-identical across thread counts.
/// - Only the smaller child's histogram is built from its rows; the larger one's is the parent's
///   minus it (the sibling-subtraction trick), so a row is binned about log2(leaves)/2 times per tree.
/// - Histograms are built row by row, each thread taking a group of features (threads never share
///   a sum), each bin holding the sums of gradients, hessians and rows.
final class BoostedTreeGrower {
    struct Parameters {
        var leaves: Int
        var maxDepth: Int
        var minLeaf: Int
        var l2: Double
        var learningRate: Double
        /// Smallest hessian sum of a leaf (LightGBM's `min_sum_hessian_in_leaf`).
        var minHessian = 1e-3
    }

    let rows: Int
    let features: Int
    let codes: UnsafePointer<UInt8>
    let binCounts: [Int]
    /// The code of a missing value per feature (`binCounts[f]`), or -1 when it has none.
    let missingCodes: [Int]
    /// First histogram bin of each feature, and the total.
    let offsets: [Int]
    let totalBins: Int
    let parameters: Parameters
    let threads: Int

    /// Rows of the open leaves, each leaf a contiguous range.
    private let index: UnsafeMutablePointer<Int32>
    private let scratch: UnsafeMutablePointer<Int32>
    /// The bin codes again, row-major (`rowCodes[row · features + f]`), for building histograms.
    private let rowCodes: UnsafeMutablePointer<UInt8>
    /// One histogram per open leaf: `totalBins × 3` Doubles (gradient, hessian, rows).
    private let pool: UnsafeMutablePointer<Double>
    private let poolSlots: Int

    init(bins: FeatureBins, codes: UnsafePointer<UInt8>, parameters: Parameters, maxRows: Int, threads: Int) {
        rows = bins.rows
        features = bins.features
        self.codes = codes
        binCounts = bins.binCounts
        missingCodes = (0..<bins.features).map { bins.hasMissing[$0] ? bins.binCounts[$0] : -1 }
        var offsets = [Int]()
        var total = 0
        for f in 0..<bins.features {
            offsets.append(total)
            total += bins.binCounts[f] + (bins.hasMissing[f] ? 1 : 0)
        }
        self.offsets = offsets
        totalBins = Swift.max(total, 1)
        self.parameters = parameters
        self.threads = threads
        index = .allocate(capacity: Swift.max(rows, 1))
        scratch = .allocate(capacity: Swift.max(rows, 1))
        rowCodes = .allocate(capacity: Swift.max(rows * bins.features, 1))
        for f in 0..<bins.features {
            let column = codes + f * rows
            for r in 0..<rows { rowCodes[r * bins.features + f] = column[r] }
        }
        // A leaf needs at least minLeaf rows, so there are never more open leaves than this.
        poolSlots = Swift.max(1, Swift.min(parameters.leaves, maxRows / Swift.max(parameters.minLeaf, 1)))
        pool = .allocate(capacity: poolSlots * totalBins * 3)
    }

    deinit {
        index.deallocate()
        scratch.deallocate()
        rowCodes.deallocate()
        pool.deallocate()
    }

    private struct Split {
        var feature = -1
        var bin = 0
        var missingLeft = true
        var gain = 0.0
        var leftG = 0.0, leftH = 0.0, leftCount = 0
    }

    private struct OpenLeaf {
        var node: Int
        var start: Int
        var count: Int
        var g: Double
        var h: Double
        var slot: Int
        var depth: Int
        var split: Split?
    }

    /// Grows one tree on `bag` (row numbers, in increasing order) with per-row gradients `g` and
    /// hessians `h`, splitting only on `allowed` features (increasing). `visit` is called for
    /// every leaf with the bag rows that reached it, so the caller can update their scores; it
    /// returns the value the leaf keeps (its Newton value, or one the objective refits).
    func grow(bag: [Int32], g: UnsafePointer<Double>, h: UnsafePointer<Double>, allowed: [Int],
              visit: (_ node: BinnedTree.Node, _ rows: UnsafeBufferPointer<Int32>) -> Float) -> BinnedTree {
        let m = bag.count
        bag.withUnsafeBufferPointer { index.update(from: $0.baseAddress!, count: m) }
        var nodes = [BinnedTree.Node()]
        let (rootG, rootH) = buildHistogram(slot: 0, start: 0, count: m, g: g, h: h, allowed: allowed)
        var open = [OpenLeaf(node: 0, start: 0, count: m, g: rootG, h: rootH, slot: 0, depth: 0, split: nil)]
        open[0].split = bestSplit(open[0], allowed: allowed)

        while open.count < parameters.leaves {
            // The open leaf with the largest gain; ties go to the earliest.
            var chosen = -1, bestGain = 0.0
            for (i, leaf) in open.enumerated() {
                if let s = leaf.split, s.gain > bestGain { bestGain = s.gain; chosen = i }
            }
            guard chosen >= 0 else { break }
            let parent = open[chosen]
            let split = parent.split!
            let leftCount = partition(start: parent.start, count: parent.count, split: split)
            let rightCount = parent.count - leftCount
            let leftNode = nodes.count, rightNode = nodes.count + 1
            nodes[parent.node].feature = split.feature
            nodes[parent.node].bin = split.bin
            nodes[parent.node].missingLeft = split.missingLeft
            nodes[parent.node].left = leftNode
            nodes[parent.node].right = rightNode
            nodes[parent.node].gain = split.gain
            nodes.append(BinnedTree.Node())
            nodes.append(BinnedTree.Node())
            var left = OpenLeaf(node: leftNode, start: parent.start, count: leftCount, g: split.leftG, h: split.leftH,
                                slot: parent.slot, depth: parent.depth + 1, split: nil)
            var right = OpenLeaf(node: rightNode, start: parent.start + leftCount, count: rightCount,
                                 g: parent.g - split.leftG, h: parent.h - split.leftH,
                                 slot: open.count, depth: parent.depth + 1, split: nil)
            let childrenSplittable = parent.depth + 1 < parameters.maxDepth && open.count + 1 < parameters.leaves
            if childrenSplittable && Swift.max(leftCount, rightCount) >= 2 * parameters.minLeaf {
                // The smaller child is binned from its rows into a fresh slot, the larger one
                // keeps the parent's slot and becomes parent − smaller.
                if leftCount < rightCount { swap(&left.slot, &right.slot) }
                let small = leftCount < rightCount ? left : right
                let large = leftCount < rightCount ? right : left
                _ = buildHistogram(slot: small.slot, start: small.start, count: small.count, g: g, h: h, allowed: allowed)
                subtract(from: large.slot, small.slot, allowed: allowed)
                left.split = bestSplit(left, allowed: allowed)
                right.split = bestSplit(right, allowed: allowed)
            }
            open[chosen] = left
            open.append(right)
        }

        let rate = parameters.learningRate, l2 = parameters.l2
        for leaf in open {
            nodes[leaf.node].value = Float(-leaf.g / (leaf.h + l2) * rate)
            nodes[leaf.node].value = visit(nodes[leaf.node], UnsafeBufferPointer(start: index + leaf.start, count: leaf.count))
        }
        return BinnedTree(nodes: nodes)
    }

    // MARK: histograms

    /// Fills `slot`'s histogram for the allowed features from the rows `start..<start+count` of
    /// `index`; returns their gradient and hessian sums.
    ///
    /// Row by row over the row-major codes (a row's gradient pair is read once for all its
    /// features); with several threads each takes a contiguous group of features, so a bin's sum
    /// still adds its rows in index order.
    private func buildHistogram(slot: Int, start: Int, count: Int, g: UnsafePointer<Double>, h: UnsafePointer<Double>,
                                allowed: [Int]) -> (Double, Double) {
        let rowsOfLeaf = index + start
        var sumG = 0.0, sumH = 0.0
        for i in 0..<count {
            let r = Int(rowsOfLeaf[i])
            sumG += g[r]; sumH += h[r]
        }
        let hist = pool + slot * totalBins * 3
        let rowCodes = self.rowCodes, d = features
        // Below a few thousand rows a second thread costs more than it saves (it rereads every row).
        let groups = count * allowed.count >= 65_536 ? Swift.min(threads, allowed.count) : 1
        allowed.withUnsafeBufferPointer { allowedFeatures in
            let offsets = self.offsets, binCounts = self.binCounts, missingCodes = self.missingCodes
            ParallelFor.run(count: groups, threads: groups) { group in
                let from = allowedFeatures.count * group / groups, to = allowedFeatures.count * (group + 1) / groups
                let width = to - from
                // Per feature of the group: its column in a row, and where its bins start.
                let columns = UnsafeMutablePointer<Int>.allocate(capacity: width)
                let bases = UnsafeMutablePointer<UnsafeMutablePointer<Double>>.allocate(capacity: width)
                defer { columns.deallocate(); bases.deallocate() }
                for j in 0..<width {
                    let f = allowedFeatures[from + j]
                    columns[j] = f
                    bases[j] = hist + offsets[f] * 3
                    bases[j].update(repeating: 0, count: (binCounts[f] + (missingCodes[f] >= 0 ? 1 : 0)) * 3)
                }
                for i in 0..<count {
                    let r = Int(rowsOfLeaf[i])
                    let gi = g[r], hi = h[r]
                    let row = rowCodes + r &* d
                    for j in 0..<width {
                        let out = bases[j] + Int(row[columns[j]]) &* 3
                        out[0] += gi
                        out[1] += hi
                        out[2] += 1
                    }
                }
            }
        }
        return (sumG, sumH)
    }

    private func subtract(from large: Int, _ small: Int, allowed: [Int]) {
        let a = pool + large * totalBins * 3, b = pool + small * totalBins * 3
        for f in allowed {
            let from = offsets[f] * 3
            let to = from + (binCounts[f] + (missingCodes[f] >= 0 ? 1 : 0)) * 3
            for i in from..<to { a[i] -= b[i] }
        }
    }

    // MARK: splits

    /// The split of `leaf` that reduces the loss most, if any keeps `minLeaf` rows on both sides.
    private func bestSplit(_ leaf: OpenLeaf, allowed: [Int]) -> Split? {
        let p = parameters
        guard leaf.depth < p.maxDepth, leaf.count >= 2 * p.minLeaf else { return nil }
        let hist = pool + leaf.slot * totalBins * 3
        let l2 = p.l2, total = Double(leaf.count)
        let parentScore = leaf.g * leaf.g / (leaf.h + l2)
        var best = Split()
        for f in allowed {
            let bins = binCounts[f]
            guard bins >= 1 else { continue }
            let base = hist + offsets[f] * 3
            let missing = missingCodes[f]
            let mg = missing >= 0 ? base[missing * 3] : 0
            let mh = missing >= 0 ? base[missing * 3 + 1] : 0
            let mc = missing >= 0 ? base[missing * 3 + 2] : 0
            // Missing rows right (value bins ≤ t left), then missing rows left.
            for missingLeft in missing >= 0 && mc > 0 ? [false, true] : [true] {
                var lg = missingLeft && missing >= 0 ? mg : 0
                var lh = missingLeft && missing >= 0 ? mh : 0
                var lc = missingLeft && missing >= 0 ? mc : 0
                // With missing rows right, "all values left" is a split too.
                let lastBin = missingLeft ? bins - 2 : bins - 1
                guard lastBin >= 0 else { continue }
                for t in 0...lastBin {
                    lg += base[t * 3]; lh += base[t * 3 + 1]; lc += base[t * 3 + 2]
                    let rc = total - lc
                    if lc < Double(p.minLeaf) || lh < p.minHessian { continue }
                    if rc < Double(p.minLeaf) { break }
                    let rg = leaf.g - lg, rh = leaf.h - lh
                    if rh < p.minHessian { continue }
                    let gain = lg * lg / (lh + l2) + rg * rg / (rh + l2) - parentScore
                    if gain > best.gain {
                        best = Split(feature: f, bin: t, missingLeft: missingLeft, gain: gain,
                                     leftG: lg, leftH: lh, leftCount: Int(lc))
                    }
                }
            }
        }
        return best.feature >= 0 ? best : nil
    }

    /// Stable in-place partition of a leaf's rows; returns how many went left.
    private func partition(start: Int, count: Int, split: Split) -> Int {
        let column = codes + split.feature * rows
        let missing = missingCodes[split.feature], bin = split.bin, missingLeft = split.missingLeft
        let rowsOfLeaf = index + start
        var left = 0, right = 0
        for i in 0..<count {
            let r = rowsOfLeaf[i]
            let code = Int(column[Int(r)])
            let goesLeft = code == missing ? missingLeft : code <= bin
            if goesLeft { rowsOfLeaf[left] = r; left += 1 } else { scratch[right] = r; right += 1 }
        }
        (rowsOfLeaf + left).update(from: scratch, count: right)
        return left
    }
}
