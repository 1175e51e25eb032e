/// Where each node of a tree goes in the walk's arrays: sibling pairs packed four to a block of
/// eight 8-byte slots, one 64-byte cache line of each array, each block a small subtree (a pair,
/// then its children's pairs breadth-first while they fit).
///
/// Why: in depth-first order almost every step of a path reads a new cache line of each array
/// (trees of ~9,000 nodes do not fit in L1). With subtrees packed into lines, two or three
/// consecutive steps of a path read the same lines. Blocks are numbered breadth-first, so the top
/// of the tree, which every row visits, is a few contiguous lines that stay in L1; a block whose
/// subtree is exhausted takes the next block's pairs, so there is almost no padding. Measured on
/// 100 trees of ~8,700 nodes: about 8% faster than depth-first order.
struct CacheLineLayout {
    static let slotsPerBlock = 8

    /// New slot of each node (indexed by the node's depth-first index).
    let slotOf: [Int]
    /// Total slots, a multiple of `slotsPerBlock`; unused slots (slot 1, the end) are padding.
    let slotCount: Int

    /// `leftChild[i]` is the index of node `i`'s left child (the right one follows it), -1 for a
    /// leaf. (A compact array: the breadth-first visits jump around it.)
    init(leftChild: [Int32]) {
        let nodeCount = leftChild.count
        func children(_ i: Int) -> Int? { leftChild[i] < 0 ? nil : Int(leftChild[i]) }
        let blockSize = Self.slotsPerBlock
        var slotOf = [Int](repeating: -1, count: nodeCount)
        // Block 0 holds the root alone in slot 0 (slot 1 stays empty), then pairs as other blocks.
        slotOf[0] = 0
        var blockRoots: [Int] = []   // left child of each pair that starts a block, in block order
        var pending: [Int] = []      // pairs still to place in the current block, breadth-first
        if let c = children(0) { pending.append(c) }
        var used = 2, slotCount = blockSize
        var base = 0
        var nextRoot = 0
        while true {
            // Fill the current block breadth-first; pairs that do not fit start blocks of their own.
            var head = 0
            while true {
                if head == pending.count {
                    // Subtree exhausted with room left: the next block's subtree starts here.
                    guard used < blockSize, nextRoot < blockRoots.count else { break }
                    pending.append(blockRoots[nextRoot])
                    nextRoot += 1
                }
                let pair = pending[head]
                head += 1
                if used + 2 > blockSize { blockRoots.append(pair); continue }
                slotOf[pair] = base + used
                slotOf[pair + 1] = base + used + 1
                used += 2
                if let c = children(pair) { pending.append(c) }
                if let c = children(pair + 1) { pending.append(c) }
            }
            pending.removeAll(keepingCapacity: true)
            guard nextRoot < blockRoots.count else { break }
            pending.append(blockRoots[nextRoot])
            nextRoot += 1
            base = slotCount
            slotCount += blockSize
            used = 0
        }
        self.slotOf = slotOf
        self.slotCount = slotCount
    }
}
