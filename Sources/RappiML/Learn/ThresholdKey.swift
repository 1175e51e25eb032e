/// Order-preserving `UInt64` codes of Doubles: for a row value `x` and a split threshold `t`,
/// `x > t` exactly when `row(x) > threshold(t)`, NaN and signed zeros included (NaN is never
/// greater, -0 equals +0), so the integer walk takes the very branches of the Double walk.
enum ThresholdKey {
    @inline(__always)
    static func row(_ x: Double) -> UInt64 {
        x.isNaN ? 0 : ordered(x)   // 0 is below every non-NaN code: NaN goes left, as `x > t` is false
    }

    static func threshold(_ t: Double) -> UInt64 {
        t.isNaN ? .max : ordered(t)   // nothing is greater: every row goes left
    }

    /// Sign bit flipped for positives, all bits flipped for negatives: unsigned order is then
    /// numeric order (non-NaN values). Branch-free, as rows are coded by the hundred thousand.
    @inline(__always)
    private static func ordered(_ v: Double) -> UInt64 {
        let bits = (v + 0).bitPattern   // -0 + 0 is +0; every other value is unchanged
        let flip = UInt64(bitPattern: Int64(bitPattern: bits) >> 63) | (1 << 63)
        return bits ^ flip
    }
}
