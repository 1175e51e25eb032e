/// Correctly rounded decimal → `Double` conversion working on raw bytes.
///
/// Grammar: `[+-]? digits? ('.' digits?)? ([eE] [+-]? digits)?` with at least one mantissa digit.
/// `nan`, `inf`, hex floats and digit separators are not numbers (they make a column text).
///
/// Fast path (Clinger): when the decimal significand fits in 2^53 and the power of ten is at most
/// 10^22, `Double(significand) * or / 10^k` is a single correctly rounded IEEE operation on exact
/// operands, hence the correctly rounded result. Anything else (more than 2^53 in the
/// significand, e.g. 17-digit round-trip output, or a large exponent) falls back to Swift's
/// `Double(String)`, so results always equal `Double(String)`.
enum FloatParser {
    struct Scan {
        /// Parsed value (sign applied); meaningless when `kind == 0`.
        var value: Double
        /// First byte not consumed.
        var stop: UnsafePointer<UInt8>
        /// 0 = not a number (or nothing consumed), 1 = integer syntax, 2 = real syntax.
        var kind: UInt8
    }

    /// Exact powers of ten 1e0 ... 1e22, allocated once and never freed.
    nonisolated(unsafe) static let pow10: UnsafePointer<Double> = {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 23)
        var v = 1.0
        for i in 0...22 { p[i] = v; v *= 10 }
        return UnsafePointer(p)
    }()

    /// Scans the longest number prefix of `[start, end)`.
    @inline(__always)
    static func scan(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                     pow10: UnsafePointer<Double>) -> Scan {
        var p = start
        var neg = false
        if p < end {
            let c = p.pointee
            if c == 45 { neg = true; p += 1 } else if c == 43 { p += 1 }
        }
        var mant: UInt64 = 0
        var nd = 0
        var exp10 = 0
        var truncated = false
        var sawDigit = false
        var kind: UInt8 = 1
        while p < end {
            let d = p.pointee &- 48
            if d > 9 { break }
            sawDigit = true
            if nd < 19 {
                mant = mant &* 10 &+ UInt64(d)
                if mant != 0 { nd += 1 }
            } else {
                exp10 += 1
                if d != 0 { truncated = true }
            }
            p += 1
        }
        if p < end && p.pointee == 46 {
            kind = 2
            p += 1
            while p < end {
                let d = p.pointee &- 48
                if d > 9 { break }
                sawDigit = true
                if nd < 19 {
                    mant = mant &* 10 &+ UInt64(d)
                    if mant != 0 { nd += 1 }
                    exp10 -= 1
                } else if d != 0 {
                    truncated = true
                }
                p += 1
            }
        }
        if !sawDigit { return Scan(value: 0, stop: p, kind: 0) }
        if p < end && (p.pointee | 0x20) == 101 {
            var q = p + 1
            var eneg = false
            if q < end && (q.pointee == 45 || q.pointee == 43) { eneg = q.pointee == 45; q += 1 }
            var e = 0
            var sawE = false
            while q < end {
                let d = q.pointee &- 48
                if d > 9 { break }
                sawE = true
                if e < 1_000_000 { e = e &* 10 &+ Int(d) }
                q += 1
            }
            if !sawE { return Scan(value: 0, stop: q, kind: 0) }
            kind = 2
            exp10 += eneg ? -e : e
            p = q
        }
        var value: Double
        if mant == 0 {
            value = 0
        } else if !truncated && mant <= (1 << 53) && exp10 >= -22 && exp10 <= 22 {
            value = Double(mant)
            if exp10 < 0 { value /= pow10[-exp10] } else { value *= pow10[exp10] }
        } else {
            return Scan(value: slow(start, p), stop: p, kind: kind)
        }
        return Scan(value: neg ? -value : value, stop: p, kind: kind)
    }

    /// Parses a whole byte string; `nil` unless it is entirely a number per the grammar above.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let end = base + bytes.count
        let s = scan(base, end, pow10: pow10)
        return s.kind != 0 && s.stop == end ? s.value : nil
    }

    /// Parses a whole string (test helper); `nil` unless it is entirely a number.
    static func parse(_ string: String) -> Double? {
        var s = string
        return s.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    // MARK: - Slow path

    /// Falls back to Swift's own correctly rounded, locale-independent parser.
    @inline(never)
    static func slow(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double {
        let s = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        return Double(s) ?? .nan
    }
}
