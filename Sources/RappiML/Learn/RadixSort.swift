/// Sorting a column of doubles for binning (`FeatureBins`): an LSD radix sort on bit patterns
/// that order like the values, several times faster than the standard library's comparison sort
/// on 100,000 values (it was about a tenth of a boosting fit).
enum RadixSort {
    /// Sorts `values` (no NaN) ascending. -0.0 comes before 0.0, which compare equal anyway.
    static func sort(_ values: inout [Double]) {
        let n = values.count
        guard n > 1 else { return }
        // Passes of 11 bits (the last one 9): 6 passes, 2048 counters each.
        let digitBits = 11, passes = 6, radix = 1 << digitBits
        var keys = [UInt64](repeating: 0, count: n), other = keys
        var counts = [Int](repeating: 0, count: passes * radix)
        values.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let key = orderedKey(v[i])
                        k[i] = key
                        for p in 0..<passes { c[p * radix + Int((key >> UInt64(p * digitBits)) & UInt64(radix - 1))] += 1 }
                    }
                }
            }
        }
        for p in 0..<passes {
            let shift = UInt64(p * digitBits)
            // A digit every key shares moves nothing (the high bits of a column often do).
            var shared = false
            for b in 0..<radix where counts[p * radix + b] == n { shared = true }
            if shared { continue }
            keys.withUnsafeBufferPointer { from in
                other.withUnsafeMutableBufferPointer { to in
                    counts.withUnsafeMutableBufferPointer { c in
                        var start = 0
                        for b in 0..<radix {
                            let count = c[p * radix + b]
                            c[p * radix + b] = start
                            start += count
                        }
                        for i in 0..<n {
                            let key = from[i]
                            let slot = p * radix + Int((key >> shift) & UInt64(radix - 1))
                            to[c[slot]] = key
                            c[slot] += 1
                        }
                    }
                }
            }
            swap(&keys, &other)
        }
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeMutableBufferPointer { v in
                for i in 0..<n { v[i] = value(ofKey: k[i]) }
            }
        }
    }

    /// The bits of `v`, flipped so that unsigned order is numeric order: negative values all
    /// flipped, positive ones with the sign bit set.
    @inline(__always)
    static func orderedKey(_ v: Double) -> UInt64 {
        let bits = v.bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    @inline(__always)
    static func value(ofKey key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }
}
