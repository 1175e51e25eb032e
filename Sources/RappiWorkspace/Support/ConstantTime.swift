/// Secret comparison whose time depends only on the lengths, never on where two values first
/// differ: every API key, token and token hash rappi checks goes through here.
public enum ConstantTime {
    @inlinable
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | (a.count == b.count ? 0 : 1)
        var x = a.makeIterator(), y = b.makeIterator()
        for _ in 0..<Swift.max(a.count, b.count) {
            difference |= (x.next() ?? 0) ^ (y.next() ?? 0)
        }
        return difference == 0
    }

    @inlinable
    public static func equal(_ a: String, _ b: String) -> Bool { equal(a.utf8, b.utf8) }
}
