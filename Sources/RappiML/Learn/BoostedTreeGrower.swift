import CCPUHints

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
/// - Histograms are built row by row over a row-major copy of the codes, each bin holding the
///   sums of gradients, hessians and rows. Large leaves are cut into row blocks (see `blockRows`),
///   small ones into groups of features, one per thread.
final class BoostedTreeGrower {
    struct Parameters {
        var leaves: Int
        var maxDepth: Int
        var minLeaf: Int
        var l2: Double
        var learningRate: Double
        /// Smallest hessian sum of a leaf (LightGBM's `min_sum_hessian_in_leaf`).
        var minHessian = 1e-3
        /// Every row's hessian is 1 (squared and absolute error): histograms then take a bin's
        /// hessian sum from its row count — the same number, one add fewer per row and feature.
        var unitHessian = false
    }

    /// A histogram over at least twice this many rows is built in blocks of about this many rows
    /// (at most `maxBlocks`), each block into a histogram of its own, then added up in block order.
    /// The blocks depend only on the row count, so the sums — and the trees — do not depend on the
    /// number of threads. Why blocks of rows rather than groups of features: in a leaf below the
    /// root a row's codes and gradients are each a cache miss, and a block is read by one thread
    /// only, where groups of features have every thread fetch every row.
    static let blockRows = 16_384
    static let maxBlocks = 8
    /// How many rows ahead the row loops prefetch a row's codes and gradients. Below the root a
    /// leaf's rows are scattered, each row a cache miss the loop would otherwise wait for.
    static let prefetchAhead = 16

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
    /// The fit's threads, kept between the many short parallel loops of every tree.
    let team: WorkerTeam
    var threads: Int { team.size }

    /// Rows of the open leaves, each leaf a contiguous range.
    private let index: UnsafeMutablePointer<Int32>
    private let scratch: UnsafeMutablePointer<Int32>
    /// The bin codes again, row-major (`rowCodes[row · features + f]`), for building histograms.
    private let rowCodes: UnsafeMutablePointer<UInt8>
    /// One histogram per open leaf: `totalBins × 3` Doubles (gradient, hessian, rows).
    private let pool: UnsafeMutablePointer<Double>
    private let poolSlots: Int
    /// The histograms of row blocks 1, 2, … while a histogram is built in blocks (block 0 is
    /// built in place).
    private let blockPool: UnsafeMutablePointer<Double>
    /// The allowed features of the tree being grown (see `Layout`).
    private let layout: Layout
    /// Per code, whether the split being applied sends it left (1) or right (0).
    private let goesLeft: UnsafeMutablePointer<Int>

    /// Where the allowed features of the current tree are, as raw pointers so the hot loops read
    /// no class property and no array: feature `j` of the tree is column `columns[j]` of a row of
    /// codes, its bins start at Double `starts[j]` of a histogram and it has `widths[j]` bins
    /// (the missing-value bin included).
    private struct Layout {
        let columns: UnsafeMutablePointer<Int>
        let starts: UnsafeMutablePointer<Int>
        let widths: UnsafeMutablePointer<Int>
        var count = 0
    }

    init(bins: FeatureBins, codes: UnsafePointer<UInt8>, parameters: Parameters, maxRows: Int, team: WorkerTeam) {
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
        self.team = team
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
        blockPool = .allocate(capacity: Swift.max(1, Self.blocks(maxRows) - 1) * totalBins * 3)
        let width = Swift.max(bins.features, 1)
        layout = Layout(columns: .allocate(capacity: width), starts: .allocate(capacity: width), widths: .allocate(capacity: width))
        goesLeft = .allocate(capacity: FeatureBins.maxBins)
    }

    deinit {
        index.deallocate()
        scratch.deallocate()
        rowCodes.deallocate()
        pool.deallocate()
        blockPool.deallocate()
        layout.columns.deallocate()
        layout.starts.deallocate()
        layout.widths.deallocate()
        goesLeft.deallocate()
    }

    /// Row blocks of a histogram over `count` rows.
    private static func blocks(_ count: Int) -> Int {
        Swift.max(1, Swift.min(maxBlocks, count / blockRows))
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

    /// Grows one tree on `bag` (row numbers, in increasing order) with per-row gradients and
    /// hessians `gh` (interleaved: `gh[2r]`, `gh[2r + 1]`, so a row's pair is one memory access),
    /// splitting only on `allowed` features (increasing). `visit` is called for every leaf with
    /// the bag rows that reached it, so the caller can update their scores; it returns the value
    /// the leaf keeps (its Newton value, or one the objective refits).
    func grow(bag: [Int32], gh: UnsafePointer<Double>, allowed: [Int],
              visit: (_ node: BinnedTree.Node, _ rows: UnsafeBufferPointer<Int32>) -> Float) -> BinnedTree {
        let m = bag.count
        bag.withUnsafeBufferPointer { index.update(from: $0.baseAddress!, count: m) }
        var layout = self.layout
        layout.count = allowed.count
        for (j, f) in allowed.enumerated() {
            layout.columns[j] = f
            layout.starts[j] = offsets[f] * 3
            layout.widths[j] = binCounts[f] + (missingCodes[f] >= 0 ? 1 : 0)
        }
        var nodes = [BinnedTree.Node()]
        buildHistogram(slot: 0, start: 0, count: m, gh: gh, layout: layout)
        let (rootG, rootH) = sums(slot: 0, start: 0, count: m, gh: gh, layout: layout)
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
                buildHistogram(slot: small.slot, start: small.start, count: small.count, gh: gh, layout: layout)
                subtract(from: large.slot, small.slot, layout: layout)
                (left.split, right.split) = bestSplits(left, right, allowed: allowed)
            }
            open[chosen] = left
            open.append(right)
        }

        let rate = parameters.learningRate, l2 = parameters.l2
        for leaf in open { nodes[leaf.node].value = Float(-leaf.g / (leaf.h + l2) * rate) }
        // Each leaf's rows are its own, so the leaves are visited in parallel: a visit writes only
        // its rows' scores and its own node.
        nodes.withUnsafeMutableBufferPointer { nodes in
            Self.visitLeaves(open, nodes: nodes.baseAddress!, index: index, team: team, visit)
        }
        return BinnedTree(nodes: nodes)
    }

    /// Calls `visit` for every leaf, in parallel (see `grow`), and keeps the value it returns.
    private static func visitLeaves(_ leaves: [OpenLeaf], nodes: UnsafeMutablePointer<BinnedTree.Node>,
                                    index: UnsafeMutablePointer<Int32>, team: WorkerTeam,
                                    _ visit: (_ node: BinnedTree.Node, _ rows: UnsafeBufferPointer<Int32>) -> Float) {
        team.run(count: leaves.count) { i in
            let leaf = leaves[i]
            nodes[leaf.node].value = visit(nodes[leaf.node], UnsafeBufferPointer(start: index + leaf.start, count: leaf.count))
        }
    }

    // MARK: histograms

    /// Fills `slot`'s histogram for the tree's features from the rows `start..<start+count` of
    /// `index`: in row blocks (`blockRows`) when there are many rows, else each thread takes a
    /// contiguous group of features. Either way a bin's sum adds its rows in index order within
    /// a block, and the blocks in block order.
    private func buildHistogram(slot: Int, start: Int, count: Int, gh: UnsafePointer<Double>, layout: Layout) {
        let hist = pool + slot * totalBins * 3
        let rowsOfLeaf = index + start
        let rowCodes = self.rowCodes, d = features, unitHessian = parameters.unitHessian
        let blocks = Self.blocks(count)
        if blocks == 1 {
            // Below about a thousand rows (of 20 features) a second thread costs more than it saves.
            let groups = count * layout.count >= 32_768 ? Swift.min(threads, layout.count) : 1
            team.run(count: groups) { group in
                Self.accumulate(into: hist, rows: rowsOfLeaf, count: count, gh: gh, rowCodes: rowCodes, rowWidth: d,
                                layout: layout, features: layout.count * group / groups..<layout.count * (group + 1) / groups,
                                unitHessian: unitHessian)
            }
            return
        }
        let stride = totalBins * 3, blockPool = self.blockPool
        team.run(count: blocks) { b in
            let from = count * b / blocks, to = count * (b + 1) / blocks
            Self.accumulate(into: b == 0 ? hist : blockPool + (b - 1) * stride, rows: rowsOfLeaf + from, count: to - from,
                            gh: gh, rowCodes: rowCodes, rowWidth: d, layout: layout, features: 0..<layout.count,
                            unitHessian: unitHessian)
        }
        // Block 0 += block 1, += block 2, …: a fixed order whatever thread built which block.
        let groups = Swift.min(threads, layout.count)
        team.run(count: groups) { group in
            for j in layout.count * group / groups..<layout.count * (group + 1) / groups {
                let out = hist + layout.starts[j], width = layout.widths[j] * 3
                for b in 1..<blocks {
                    let part = blockPool + (b - 1) * stride + layout.starts[j]
                    for i in 0..<width { out[i] += part[i] }
                }
            }
        }
    }

    /// Zeroes the bins of `features` (of `layout`) in `hist` and adds `count` rows into them.
    @inline(__always)
    private static func accumulate(into hist: UnsafeMutablePointer<Double>, rows: UnsafePointer<Int32>, count: Int,
                                   gh: UnsafePointer<Double>, rowCodes: UnsafePointer<UInt8>, rowWidth d: Int,
                                   layout: Layout, features: Range<Int>, unitHessian: Bool) {
        let columns = layout.columns, starts = layout.starts
        for j in features { (hist + starts[j]).update(repeating: 0, count: layout.widths[j] * 3) }
        let ahead = Self.prefetchAhead
        if unitHessian {
            for i in 0..<count {
                if i &+ ahead < count {
                    let next = Int(rows[i &+ ahead])
                    rappi_prefetch(rowCodes + next &* d)
                    rappi_prefetch(gh + 2 &* next)
                }
                let r = Int(rows[i])
                let gi = gh[2 &* r]
                let row = rowCodes + r &* d
                // Gradient and row count side by side: one vector add (the hessian slot holds the
                // count for now), where three sums would be two — the loop is bound by its stores.
                for j in features {
                    let out = hist + starts[j] + Int(row[columns[j]]) &* 3
                    out[0] += gi
                    out[1] += 1
                }
            }
            // Row counts = hessian sums (exactly: sums of ones).
            for j in features {
                let out = hist + starts[j]
                for b in 0..<layout.widths[j] { out[3 &* b + 2] = out[3 &* b + 1] }
            }
            return
        }
        for i in 0..<count {
            if i &+ ahead < count {
                let next = Int(rows[i &+ ahead])
                rappi_prefetch(rowCodes + next &* d)
                rappi_prefetch(gh + 2 &* next)
            }
            let r = Int(rows[i])
            let gi = gh[2 &* r], hi = gh[2 &* r + 1]
            let row = rowCodes + r &* d
            for j in features {
                let out = hist + starts[j] + Int(row[columns[j]]) &* 3
                out[0] += gi
                out[1] += hi
                out[2] += 1
            }
        }
    }

    /// The gradient and hessian sums of a leaf whose histogram is in `slot`: the bins of its first
    /// feature added up (cheaper than its rows, and as fixed in order).
    private func sums(slot: Int, start: Int, count: Int, gh: UnsafePointer<Double>, layout: Layout) -> (Double, Double) {
        var g = 0.0, h = 0.0
        guard layout.count > 0 else {
            for i in 0..<count {
                let r = Int(index[start + i])
                g += gh[2 * r]; h += gh[2 * r + 1]
            }
            return (g, h)
        }
        let bins = pool + slot * totalBins * 3 + layout.starts[0]
        for b in 0..<layout.widths[0] { g += bins[3 * b]; h += bins[3 * b + 1] }
        return (g, h)
    }

    private func subtract(from large: Int, _ small: Int, layout: Layout) {
        let a = pool + large * totalBins * 3, b = pool + small * totalBins * 3
        for j in 0..<layout.count {
            let from = layout.starts[j]
            for i in from..<from + layout.widths[j] * 3 { a[i] -= b[i] }
        }
    }

    // MARK: splits

    /// The best splits of two sibling leaves, one thread each when there are two: the scan of
    /// every bin of every feature costs about as much as binning a small leaf.
    private func bestSplits(_ a: OpenLeaf, _ b: OpenLeaf, allowed: [Int]) -> (Split?, Split?) {
        guard threads > 1 else { return (bestSplit(a, allowed: allowed), bestSplit(b, allowed: allowed)) }
        var found: [Split?] = [nil, nil]
        found.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            team.run(count: 2) { i in out[i] = bestSplit(i == 0 ? a : b, allowed: allowed) }
        }
        return (found[0], found[1])
    }

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
    ///
    /// A large leaf is cut into chunks, one per thread: each chunk partitions its own rows, then
    /// the chunks' left rows and right rows are gathered in chunk order. A stable partition has
    /// one result, so this is the same order as a single pass.
    private func partition(start: Int, count: Int, split: Split) -> Int {
        let column = codes + split.feature * rows
        // Which way each code goes, looked up and added rather than branched on: a branch on the
        // data mispredicts about every other row.
        let missing = missingCodes[split.feature]
        for code in 0..<FeatureBins.maxBins {
            goesLeft[code] = (code == missing ? split.missingLeft : code <= split.bin) ? 1 : 0
        }
        let rowsOfLeaf = index + start, goesLeft = self.goesLeft, scratch = self.scratch
        let chunks = Swift.min(threads, count / 8192)
        if chunks <= 1 {
            return Self.partitionRun(rowsOfLeaf, count: count, column: column, goesLeft: goesLeft, scratch: scratch)
        }
        var lefts = [Int](repeating: 0, count: chunks)
        lefts.withUnsafeMutableBufferPointer { lefts in
            let lefts = lefts.baseAddress!
            team.run(count: chunks) { k in
                let from = count * k / chunks, to = count * (k + 1) / chunks
                lefts[k] = Self.partitionRun(rowsOfLeaf + from, count: to - from, column: column, goesLeft: goesLeft,
                                             scratch: scratch + from)
            }
        }
        let totalLeft = lefts.reduce(0, +)
        var leftAt = 0, rightAt = totalLeft
        var moves: [(from: Int, left: Int, right: Int, leftAt: Int, rightAt: Int)] = []
        for k in 0..<chunks {
            let from = count * k / chunks, to = count * (k + 1) / chunks
            moves.append((from, lefts[k], to - from - lefts[k], leftAt, rightAt))
            leftAt += lefts[k]
            rightAt += to - from - lefts[k]
        }
        team.run(count: chunks) { k in
            let m = moves[k]
            (scratch + m.leftAt).update(from: rowsOfLeaf + m.from, count: m.left)
            (scratch + m.rightAt).update(from: rowsOfLeaf + m.from + m.left, count: m.right)
        }
        rowsOfLeaf.update(from: scratch, count: count)
        return totalLeft
    }

    /// The single-pass stable partition of `count` rows at `rows` (lefts first); `scratch` holds
    /// the right rows meanwhile.
    @inline(__always)
    private static func partitionRun(_ rowsOfLeaf: UnsafeMutablePointer<Int32>, count: Int, column: UnsafePointer<UInt8>,
                                     goesLeft: UnsafePointer<Int>, scratch: UnsafeMutablePointer<Int32>) -> Int {
        var left = 0, right = 0
        let ahead = prefetchAhead
        for i in 0..<count {
            if i &+ ahead < count { rappi_prefetch(column + Int(rowsOfLeaf[i &+ ahead])) }
            let r = rowsOfLeaf[i]
            let toLeft = goesLeft[Int(column[Int(r)])]
            // Both writes always; only one of the two positions advances (left ≤ i, so the
            // in-place write never overtakes the read).
            rowsOfLeaf[left] = r
            scratch[right] = r
            left &+= toLeft
            right &+= 1 &- toLeft
        }
        (rowsOfLeaf + left).update(from: scratch, count: right)
        return left
    }
}
