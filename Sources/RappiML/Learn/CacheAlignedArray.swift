/// A fixed-size array whose storage starts on a 64-byte boundary, so that a block of slots laid
/// out to fill one cache line (`CacheLineLayout`) really is one line. Read-only once built.
final class CacheAlignedArray<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, repeating value: Element) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, count) * MemoryLayout<Element>.stride, alignment: 64)
        base = raw.bindMemory(to: Element.self, capacity: Swift.max(1, count))
        base.initialize(repeating: value, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }
}
