/// Each feature of a training matrix binned once into at most 256 bins, for histogram-based
/// split finding.
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
struct FeatureBins: Sendable {
    static let maxBins = 256

    let rows: Int
    let features: Int
    /// Column-major codes: `codes[feature * rows + row]`.
    let codes: [UInt8]
    /// Number of bins used by each feature.
    let binCounts: [Int]
    /// `low[feature * 256 + bin]`, `high[...]`: smallest and largest training value in the bin.
    let low: [Double]
    let high: [Double]

    init(_ x: FeatureMatrix, threads: Int) {
        let n = x.rows, d = x.columns
        rows = n
        features = d
        var codes = [UInt8](repeating: 0, count: n * d)
        var low = [Double](repeating: 0, count: d * Self.maxBins)
        var high = [Double](repeating: 0, count: d * Self.maxBins)
        var binCounts = [Int](repeating: 0, count: d)
        codes.withUnsafeMutableBufferPointer { codesBuf in
            low.withUnsafeMutableBufferPointer { lowBuf in
                high.withUnsafeMutableBufferPointer { highBuf in
                    binCounts.withUnsafeMutableBufferPointer { countBuf in
                        x.values.withUnsafeBufferPointer { xv in
                            let codesBase = codesBuf.baseAddress!, lowBase = lowBuf.baseAddress!
                            let highBase = highBuf.baseAddress!, countBase = countBuf.baseAddress!
                            let xBase = xv.baseAddress
                            ParallelFor.run(count: d, threads: threads) { f in
                                Self.binFeature(f, rows: n, columns: d, x: xBase,
                                                codes: codesBase + f * n,
                                                low: lowBase + f * Self.maxBins,
                                                high: highBase + f * Self.maxBins,
                                                binCount: countBase + f)
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
    }

    private static func binFeature(_ f: Int, rows n: Int, columns d: Int, x: UnsafePointer<Double>?,
                                   codes: UnsafeMutablePointer<UInt8>,
                                   low: UnsafeMutablePointer<Double>, high: UnsafeMutablePointer<Double>,
                                   binCount: UnsafeMutablePointer<Int>) {
        guard n > 0, let x else { binCount.pointee = 0; return }
        var column = [Double](repeating: 0, count: n)
        for r in 0..<n { column[r] = x[r * d + f] }
        var sorted = column
        sorted.sort()
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
            for r in 0..<n {
                let v = column[r]
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
