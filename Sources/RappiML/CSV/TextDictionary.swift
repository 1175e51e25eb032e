/// A hash table interning byte strings to dense codes in first-seen order (for text columns).
/// Keys are copied into an arena; lookups compare bytes, never build Swift strings.
final class TextDictionary {
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCount = 0
    private var arenaCapacity: Int
    private(set) var starts: [Int] = []
    private(set) var lengths: [Int] = []
    private var hashes: [UInt64] = []
    private var slots: UnsafeMutablePointer<Int32>
    private var mask: Int

    init() {
        arenaCapacity = 4096
        arena = .allocate(capacity: arenaCapacity)
        mask = 255
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: -1, count: mask + 1)
    }

    deinit {
        arena.deallocate()
        slots.deallocate()
    }

    var count: Int { starts.count }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3 }
        return h ^ (h >> 29)
    }

    /// The code of the byte string `[p, p+n)`, adding it when new.
    func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        let h = TextDictionary.hash(p, n)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s < 0 { break }
            let k = Int(s)
            if hashes[k] == h && lengths[k] == n && memcmpEqual(arena + starts[k], p, n) { return s }
            i = (i + 1) & mask
        }
        let code = Int32(starts.count)
        if arenaCount + n > arenaCapacity {
            var cap = arenaCapacity * 2
            while arenaCount + n > cap { cap *= 2 }
            let a = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
            a.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = a
            arenaCapacity = cap
        }
        (arena + arenaCount).update(from: p, count: n)
        starts.append(arenaCount)
        lengths.append(n)
        hashes.append(h)
        arenaCount += n
        slots[i] = code
        if starts.count * 2 > mask { grow() }
        return code
    }

    private func grow() {
        let newMask = mask * 2 + 1
        let s = UnsafeMutablePointer<Int32>.allocate(capacity: newMask + 1)
        s.initialize(repeating: -1, count: newMask + 1)
        for (k, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & newMask
            while s[i] >= 0 { i = (i + 1) & newMask }
            s[i] = Int32(k)
        }
        slots.deallocate()
        slots = s
        mask = newMask
    }

    /// Calls `body` with the bytes of level `code`.
    func withLevel<R>(_ code: Int, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        body(arena + starts[code], lengths[code])
    }

    /// The level as a Swift string (bytes must be valid UTF-8; the reader validates beforehand).
    func string(_ code: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: arena + starts[code], count: lengths[code]), as: UTF8.self)
    }

    @inline(__always)
    private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for i in 0..<n where a[i] != b[i] { return false }
        return true
    }
}
