/// One tree of a forest in the form batch prediction walks (`LockstepWalk`), built from its
/// `DecisionTree` when the forest is fitted or loaded (the model file and `DecisionTree` are
/// unchanged).
///
/// Why this layout: the walk is bound by the instructions of its steps, so a step is made about as
/// short as x86 allows (two loads, `cmp` with a memory operand, `shr`, `adc`; no branch):
/// - thresholds and rows' values are compared as order-preserving `UInt64` keys (`ThresholdKey`),
///   an integer compare whose carry flag is added straight to the child index;
/// - node fields are two parallel 8-byte arrays indexed by slot (a key; a feature and a child
///   index read with one load), so `slot * 8` is an x86 address mode and needs no shift;
/// - rows walk in groups of `lanes` whose keys are stored feature-major (`[feature][lane]`), and
///   a node's feature is stored pre-multiplied by `lanes`: every lane reads its value from one
///   shared base pointer at a constant displacement, so the lanes need no row pointers of their
///   own and all indices stay in registers;
/// - nodes are placed by `CacheLineLayout`, so consecutive steps of a path often read the same
///   cache line.
struct TreeWalk: Sendable {
    /// Rows walked in lockstep by the batch kernel.
    static let lanes = 8

    struct Link: Sendable {
        /// `feature * lanes`: the offset of the feature's first lane in a row group.
        var feature: UInt32
        /// Left child's slot (the right one is `next + 1`); a leaf points to itself.
        var next: UInt32
    }

    /// Threshold key per slot: a row goes right when its key is greater. Leaves (and padding)
    /// hold `.max`, so no row ever leaves them.
    let keys: CacheAlignedArray<UInt64>
    let links: CacheAlignedArray<Link>
    /// Class distributions by slot (`classCount` per slot; zero except for leaves).
    let values: CacheAlignedArray<Float>
    /// Largest number of steps from the root to a leaf.
    let depth: Int

    init(_ tree: DecisionTree) {
        let k = tree.classCount
        let layout = CacheLineLayout(leftChild: tree.nodes.indices.map { tree.isLeaf($0) ? -1 : tree.nodes[$0].next })
        let keys = CacheAlignedArray<UInt64>(count: layout.slotCount, repeating: .max)
        let links = CacheAlignedArray<Link>(count: layout.slotCount, repeating: Link(feature: 0, next: 0))
        let values = CacheAlignedArray<Float>(count: layout.slotCount * k, repeating: 0)
        for slot in 0..<layout.slotCount { links[slot].next = UInt32(slot) }   // padding points to itself
        for (i, node) in tree.nodes.enumerated() {
            let slot = layout.slotOf[i]
            if tree.isLeaf(i) {
                for c in 0..<k { values[slot * k + c] = tree.values[i * k + c] }
            } else {
                keys[slot] = ThresholdKey.threshold(node.threshold)
                links[slot] = Link(feature: UInt32(Int(node.feature) * Self.lanes),
                                   next: UInt32(layout.slotOf[Int(node.next)]))
            }
        }
        self.keys = keys
        self.links = links
        self.values = values
        self.depth = tree.depth
    }

    /// Whether a forest with `featureCount` features and trees of `nodeCount` nodes fits the
    /// 32-bit fields (always, short of hundreds of millions of features or nodes).
    static func fits(featureCount: Int, nodeCount: Int) -> Bool {
        featureCount * lanes <= Int(UInt32.max) && nodeCount <= Int(UInt32.max) / 2
    }

    /// The tree as the kernel reads it.
    var kernelTree: LockstepWalk.Tree {
        LockstepWalk.Tree(keys: keys.base, words: UnsafeRawPointer(links.base).assumingMemoryBound(to: UInt64.self),
                          values: values.base, depth: depth)
    }

    /// Reads every cache line of the tree in order, so the walk finds it in cache: sequential
    /// reads are prefetched by the hardware, the walk's dependent random reads are not.
    func warmCache() {
        var sink: UInt64 = 0
        var slot = 0
        while slot < keys.count { sink &+= keys.base[slot] &+ UInt64(links.base[slot].next); slot += 8 }
        var i = 0
        while i < values.count { sink &+= UInt64(values.base[i].bitPattern); i += 16 }
        if sink == 1 { warmCacheSink = sink }   // keeps the reads
    }
}

/// Written (almost) never; only there so the compiler keeps `warmCache`'s reads.
nonisolated(unsafe) private var warmCacheSink: UInt64 = 0
