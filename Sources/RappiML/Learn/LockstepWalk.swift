/// Batch prediction kernel: rows in groups of `TreeWalk.lanes`, each group walked down a tree in
/// lockstep.
///
/// Eight independent walks overlap their load latencies, and since leaves point to themselves a
/// lane that has arrived simply stays put: no lane needs a branch of its own. Eight lanes are what
/// fit in x86-64's registers next to the three base pointers (sixteen spill and are no faster).
/// Results are added tree after tree for each row, exactly as a row-by-row walk would add them.
enum LockstepWalk {
    /// One tree, as the kernel reads it (see `TreeWalk`).
    struct Tree {
        let keys: UnsafePointer<UInt64>
        /// `TreeWalk.Link`s read as one 8-byte word (feature low, next high): one load per step.
        let words: UnsafePointer<UInt64>
        let values: UnsafePointer<Float>
        let depth: Int
    }

    /// Writes the keys of `rows` (row-major Doubles, `columns` per row) to `keys` in groups of
    /// `lanes` rows, feature-major inside a group (`[group][feature][lane]`); lanes past the last
    /// row are filled with 0 and never read back.
    ///
    /// With `mirrorMissingHigh` every feature is written twice (`2 × columns` keys per row, pass
    /// that width as `columns` to `accumulate`): features `0..<columns` as usual, where a missing
    /// value is below every threshold and goes left, then `columns..<2·columns` where it is above
    /// every threshold and goes right — so a boosted tree's split on feature `columns + f` sends
    /// missing values right, the way it learned.
    static func fillRowKeys(_ keys: UnsafeMutablePointer<UInt64>, x: UnsafePointer<Double>, columns d: Int,
                            rows: Range<Int>, mirrorMissingHigh: Bool = false) {
        let lanes = TreeWalk.lanes
        let width = mirrorMissingHigh ? 2 * d : d
        let groups = (rows.count + lanes - 1) / lanes
        for g in 0..<groups {
            let block = keys + g * width * lanes
            for lane in 0..<lanes {
                let r = rows.lowerBound + g * lanes + lane
                if r < rows.upperBound {
                    let row = x + r * d
                    for f in 0..<d { block[f * lanes + lane] = ThresholdKey.row(row[f]) }
                    if mirrorMissingHigh {
                        for f in 0..<d { block[(d + f) * lanes + lane] = row[f].isNaN ? .max : ThresholdKey.row(row[f]) }
                    }
                } else {
                    for f in 0..<width { block[f * lanes + lane] = 0 }
                }
            }
        }
    }

    /// Adds `tree`'s leaf distributions to `out` (`classCount` Doubles per row, first row of the
    /// block first) for the `rows` rows whose keys `fillRowKeys` wrote to `rowKeys`.
    static func accumulate(_ tree: Tree, classCount k: Int, rowKeys: UnsafePointer<UInt64>, columns d: Int,
                           rows: Int, out: UnsafeMutablePointer<Double>) {
        // Two classes get their own copy, with constant offsets for the leaf values and sums.
        if k == 2 {
            accumulate(tree, k: 2, rowKeys: rowKeys, columns: d, rows: rows, out: out)
        } else {
            accumulate(tree, k: k, rowKeys: rowKeys, columns: d, rows: rows, out: out)
        }
    }

    @inline(__always)
    private static func accumulate(_ tree: Tree, k: Int, rowKeys: UnsafePointer<UInt64>, columns d: Int,
                                   rows: Int, out: UnsafeMutablePointer<Double>) {
        let lanes = TreeWalk.lanes
        let fullGroups = rows / lanes
        // A check costs about an eighth of a round of steps, a round past the last leaf a whole
        // one: the first groups check after every round and learn the fewest rounds a group
        // needs; later groups skip the checks before that. (Only the time depends on it: a lane
        // at a leaf stays there.)
        let learningGroups = 32
        var checkFrom = 1, fewestRounds = Int.max
        for g in 0..<fullGroups {
            let rounds = walkGroup(tree, rowKeys: rowKeys + g &* (d &* lanes), checkFrom: checkFrom, classCount: k,
                                   out: out + g &* (lanes &* k))
            if g < learningGroups {
                fewestRounds = Swift.min(fewestRounds, rounds)
                if g == learningGroups - 1 { checkFrom = fewestRounds }
            }
        }
        // The last, partial group: one row at a time (a lone row is the common case when serving).
        let xg = rowKeys + fullGroups * d * lanes
        for lane in 0..<(rows - fullGroups * lanes) {
            var i = 0
            while true {
                let w = tree.words[i]
                let next = Int(w >> 32) &+ (tree.keys[i] < xg[Int(UInt32(truncatingIfNeeded: w)) &+ lane] ? 1 : 0)
                if next == i { break }
                i = next
            }
            add(tree.values + i * k, to: out + (fullGroups * lanes + lane) * k, classCount: k)
        }
    }

    /// Walks the eight rows of one group (keys at `xg`) down `tree`, adds their leaves'
    /// distributions to `out` (the group's first row), and returns the rounds of four steps taken.
    @inline(__always)
    private static func walkGroup(_ tree: Tree, rowKeys xg: UnsafePointer<UInt64>, checkFrom: Int, classCount k: Int,
                                  out: UnsafeMutablePointer<Double>) -> Int {
        let keys = tree.keys, words = tree.words
        // One step: the unsigned compare's carry is the "go right" bit (`cmp` + `adc`); the lane's
        // key is at a constant offset from the group's keys.
        @inline(__always) func step(_ i: inout Int, _ lane: Int) {
            let w = words[i]
            let right = keys[i] < xg[Int(UInt32(truncatingIfNeeded: w)) &+ lane]
            i = Int(w >> 32) &+ Int(unsafeBitCast(right, to: UInt8.self))
        }
        // A leaf is the slot whose `next` is itself.
        @inline(__always) func moving(_ i: Int) -> Int { Int(words[i] >> 32) ^ i }
        var i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0
        let maxRounds = (tree.depth + 3) / 4
        var rounds = 0
        while rounds < maxRounds {
            // Written out rather than looped: the loop counter would take a lane's register.
            step(&i0, 0); step(&i1, 1); step(&i2, 2); step(&i3, 3); step(&i4, 4); step(&i5, 5); step(&i6, 6); step(&i7, 7)
            step(&i0, 0); step(&i1, 1); step(&i2, 2); step(&i3, 3); step(&i4, 4); step(&i5, 5); step(&i6, 6); step(&i7, 7)
            step(&i0, 0); step(&i1, 1); step(&i2, 2); step(&i3, 3); step(&i4, 4); step(&i5, 5); step(&i6, 6); step(&i7, 7)
            step(&i0, 0); step(&i1, 1); step(&i2, 2); step(&i3, 3); step(&i4, 4); step(&i5, 5); step(&i6, 6); step(&i7, 7)
            rounds += 1
            if rounds >= checkFrom {
                let pending = moving(i0) | moving(i1) | moving(i2) | moving(i3) | moving(i4) | moving(i5) | moving(i6) | moving(i7)
                if pending == 0 { break }
            }
        }
        let v = tree.values
        add(v + i0 &* k, to: out, classCount: k); add(v + i1 &* k, to: out + k, classCount: k)
        add(v + i2 &* k, to: out + 2 &* k, classCount: k); add(v + i3 &* k, to: out + 3 &* k, classCount: k)
        add(v + i4 &* k, to: out + 4 &* k, classCount: k); add(v + i5 &* k, to: out + 5 &* k, classCount: k)
        add(v + i6 &* k, to: out + 6 &* k, classCount: k); add(v + i7 &* k, to: out + 7 &* k, classCount: k)
        return rounds
    }

    @inline(__always)
    private static func add(_ v: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Double>, classCount k: Int) {
        if k == 2 {
            // Both classes at once (`cvtps2pd`, `addpd`): the same two IEEE additions.
            let sum = UnsafeRawPointer(dst).loadUnaligned(as: SIMD2<Double>.self)
                + SIMD2<Double>(UnsafeRawPointer(v).loadUnaligned(as: SIMD2<Float>.self))
            UnsafeMutableRawPointer(dst).storeBytes(of: sum, as: SIMD2<Double>.self)
        } else {
            for c in 0..<k { dst[c] += Double(v[c]) }
        }
    }
}
