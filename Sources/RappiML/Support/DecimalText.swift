/// A number rounded to a few decimals, written the one way every output uses it: the model
/// server's JSON answers and the CSV files `predict … into` writes, so a probability reads the
/// same wherever it comes from (`0.826667`, `1`, `0`, `0.000001` — never an exponent below 9e15).
public enum DecimalText {
    public static let probabilityDecimals = 6

    /// Appends `v` rounded to `decimals` (0–9) decimals, shortest form; non-finite becomes `null`.
    public static func append(_ v: Double, decimals: Int, to out: inout [UInt8]) {
        guard v.isFinite else { out.append(contentsOf: "null".utf8); return }
        let d = Swift.min(Swift.max(decimals, 0), scales.count - 1)
        let scaled = (v.magnitude * scales[d]).rounded()
        guard scaled < 9.0e15 else {
            // Too large for the integer path: the rounded value's own shortest text.
            var r = (v * scales[d]).rounded() / scales[d]
            if r == 0 { r = 0 }
            out.append(contentsOf: (r == r.rounded() && r.magnitude < 9.0e18 ? String(Int64(r)) : "\(r)").utf8)
            return
        }
        var n = UInt64(scaled)
        if n != 0 && v < 0 { out.append(UInt8(ascii: "-")) }
        let unit = powers[d]
        appendDigits(n / unit, to: &out)
        n %= unit
        guard n != 0 else { return }
        out.append(UInt8(ascii: "."))
        var width = d
        while n % 10 == 0 { n /= 10; width -= 1 }
        // Leading zeros of the fraction, then its digits.
        var digits = 1, m = n
        while m >= 10 { m /= 10; digits += 1 }
        for _ in 0..<(width - digits) { out.append(UInt8(ascii: "0")) }
        appendDigits(n, to: &out)
    }

    /// `v` as `append` writes it.
    public static func string(_ v: Double, decimals: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(v, decimals: decimals, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decimal digits of `n`.
    public static func appendDigits(_ n: UInt64, to out: inout [UInt8]) {
        if n < 10 { out.append(UInt8(ascii: "0") + UInt8(n)); return }
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &buffer) { b in
            var m = n
            while m > 0 {
                count += 1
                b[24 - count] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            }
            out.append(contentsOf: b[(24 - count)...])
        }
    }

    private static let scales: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]
    private static let powers: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
}
