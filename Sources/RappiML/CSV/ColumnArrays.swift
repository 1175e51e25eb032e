/// Creates the `[Double]` arrays of numeric columns so the parser can write into their storage
/// directly (no per-chunk buffers and no merge copy).
enum ColumnArrays {
    /// Makes `count` arrays with room for `capacity` elements each; `body` fills them through raw
    /// pointers and returns how many leading elements of each are initialized.
    static func make(count: Int, capacity: Int,
                     _ body: ([UnsafeMutablePointer<Double>]) -> Int) -> [[Double]] {
        let cap = Swift.max(1, capacity)
        if count <= 64 {
            // Nested `unsafeUninitializedCapacity` initializers, one level per column.
            var arrays = [[Double]](repeating: [], count: count)
            var pointers: [UnsafeMutablePointer<Double>] = []
            pointers.reserveCapacity(count)
            var filled = 0
            func level(_ i: Int) {
                if i == count {
                    filled = body(pointers)
                    return
                }
                arrays[i] = [Double](unsafeUninitializedCapacity: cap) { buf, initialized in
                    pointers.append(buf.baseAddress!)
                    level(i + 1)
                    initialized = filled
                }
            }
            level(0)
            return arrays
        }
        // Many columns: plain buffers, copied once into arrays.
        let buffers = (0..<count).map { _ in UnsafeMutablePointer<Double>.allocate(capacity: cap) }
        defer { buffers.forEach { $0.deallocate() } }
        let filled = body(buffers)
        return buffers.map { Array(UnsafeBufferPointer(start: $0, count: filled)) }
    }
}
