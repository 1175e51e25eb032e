/// Each feature of a training matrix binned once into at most 256 bins (or `binLimit`), for
/// histogram-based split finding (the random forest and the gradient-boosted trees).
///
/// - A feature with at most 256 distinct values gets one bin per value, so its splits are exactly
///   the ones an exact CART (scikit-learn) would consider.
/// - Otherwise the bin upper edges are the values at ranks `i·n/256` (i = 1…255) of the sorted
///   column, de-duplicated: bin b holds values in (edge[b-1], edge[b]], the last bin everything above.
///
/// Per bin the smallest and largest training value are kept, so a split between bin b and the next
/// non-empty bin b' of a node gets the threshold `(max[b] + min[b']) / 2` — the midpoint between
/// adjacent training values, like scikit-learn — and comparing raw values against it sends every
/// training row the same way as its bin code does.
///
/// Missing values (NaN; only the boosted trees accept them) get a code of their own, one past the
/// feature's value bins (`binCounts[f]`), and take no part in choosing the edges; a feature with
/// missing values then has at most 255 value bins so that code still fits a byte.
struct FeatureBins: Sendable {
    static let maxBins = 256

    let rows: Int
    let features: Int
    /// Column-major codes: `codes[feature * rows + row]`.
    let codes: [UInt8]
    /// Number of value bins used by each feature (not counting the missing-value code).
    let binCounts: [Int]
    /// Whether the feature has missing values; their code is `binCounts[f]`.
    let hasMissing: [Bool]
    /// `low[feature * 256 + bin]`, `high[...]`: smallest and largest training value in the bin.
    let low: [Double]
    let high: [Double]

    init(_ x: FeatureMatrix, threads: Int, binLimit: Int = maxBins) {
        precondition(binLimit >= 2 && binLimit <= Self.maxBins)
        let n = x.rows, d = x.columns
        rows = n
        features = d
        var codes = [UInt8](repeating: 0, count: n * d)
        var low = [Double](repeating: 0, count: d * Self.maxBins)
        var high = [Double](repeating: 0, count: d * Self.maxBins)
        var binCounts = [Int](repeating: 0, count: d)
        var hasMissing = [Bool](repeating: false, count: d)
        codes.withUnsafeMutableBufferPointer { codesBuf in
            low.withUnsafeMutableBufferPointer { lowBuf in
                high.withUnsafeMutableBufferPointer { highBuf in
                    binCounts.withUnsafeMutableBufferPointer { countBuf in
                        hasMissing.withUnsafeMutableBufferPointer { missingBuf in
                            x.values.withUnsafeBufferPointer { xv in
                                let codesBase = codesBuf.baseAddress!, lowBase = lowBuf.baseAddress!
                                let highBase = highBuf.baseAddress!, countBase = countBuf.baseAddress!
                                let xBase = xv.baseAddress, missingBase = missingBuf.baseAddress!
                                ParallelFor.run(count: d, threads: threads) { f in
                                    Self.binFeature(f, rows: n, columns: d, x: xBase, limit: binLimit,
                                                    codes: codesBase + f * n,
                                                    low: lowBase + f * Self.maxBins,
                                                    high: highBase + f * Self.maxBins,
                                                    binCount: countBase + f, hasMissing: missingBase + f)
                                }
                            }
                        }
                    }
                }
            }
        }
        self.codes = codes
        self.low = low
        self.high = high
        self.binCounts = binCounts
        self.hasMissing = hasMissing
    }

    private static func binFeature(_ f: Int, rows: Int, columns d: Int, x: UnsafePointer<Double>?, limit: Int,
                                   codes: UnsafeMutablePointer<UInt8>,
                                   low: UnsafeMutablePointer<Double>, high: UnsafeMutablePointer<Double>,
                                   binCount: UnsafeMutablePointer<Int>, hasMissing: UnsafeMutablePointer<Bool>) {
        guard rows > 0, let x else { binCount.pointee = 0; return }
        var column = [Double](repeating: 0, count: rows)
        var missing = 0
        for r in 0..<rows {
            column[r] = x[r * d + f]
            if column[r].isNaN { missing += 1 }
        }
        hasMissing.pointee = missing > 0
        var sorted = missing > 0 ? column.filter { !$0.isNaN } : column
        RadixSort.sort(&sorted)
        let n = sorted.count
        // Room for the missing code in a byte.
        let maxBins = missing > 0 ? Swift.min(limit, Self.maxBins - 1) : limit
        guard n > 0 else {
            binCount.pointee = 0
            for r in 0..<rows { codes[r] = 0 }
            return
        }
        // Distinct values, stopping once there are too many.
        var distinct: [Double] = []
        distinct.reserveCapacity(maxBins)
        var exact = true
        for v in sorted where distinct.last != v {
            if distinct.count == maxBins { exact = false; break }
            distinct.append(v)
        }
        var edges: [Double]
        if exact {
            edges = distinct
        } else {
            edges = []
            edges.reserveCapacity(maxBins)
            for i in 1..<maxBins {
                let v = sorted[i * n / maxBins]
                if edges.last != v { edges.append(v) }
            }
            // Everything above the last edge goes to one more bin.
            if edges.last! < sorted[n - 1] { edges.append(sorted[n - 1]) }
        }
        let count = edges.count
        binCount.pointee = count
        for b in 0..<count { low[b] = .infinity; high[b] = -.infinity }
        edges.withUnsafeBufferPointer { e in
            for r in 0..<rows {
                let v = column[r]
                if v.isNaN { codes[r] = UInt8(truncatingIfNeeded: count); continue }
                // First edge >= v (the last bin takes anything larger; cannot happen for training data).
                var lo = 0, hi = count - 1
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if e[mid] < v { lo = mid + 1 } else { hi = mid }
                }
                codes[r] = UInt8(truncatingIfNeeded: lo)
                if v < low[lo] { low[lo] = v }
                if v > high[lo] { high[lo] = v }
            }
        }
    }

    /// The raw threshold for a split that sends bins `...lastLeft` left and `firstRight...` right.
    func threshold(feature f: Int, lastLeft: Int, firstRight: Int) -> Double {
        let a = high[f * Self.maxBins + lastLeft]
        let b = low[f * Self.maxBins + firstRight]
        var mid = (a + b) / 2
        if !mid.isFinite { mid = a / 2 + b / 2 }
        // As scikit-learn: if rounding lands on the upper value, use the lower one.
        if mid >= b || mid < a { return a }
        return mid
    }
}
