import XCTest
@testable import RappiML

/// The pieces of the batch prediction walk: the integer coding of Double comparisons and the
/// cache-line node layout. (Bit-identity of whole predictions: LearnRandomForestTests.)
final class LearnTreeWalkTests: XCTestCase {
    func testThresholdKeysCompareLikeDoubles() {
        var rng = RappiML.SplitMix64(seed: 3)
        var values: [Double] = [0, -0.0, .nan, -.nan, .infinity, -.infinity, 1, -1, .greatestFiniteMagnitude,
                                -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                .leastNormalMagnitude, -.leastNormalMagnitude, 0.5.nextUp, 0.5.nextDown, 0.5]
        for _ in 0..<200 {
            values.append((rng.nextDouble() * 2 - 1) * Double(sign: .plus, exponent: rng.nextInt(below: 40) - 20, significand: 1))
            values.append(Double(bitPattern: UInt64(truncatingIfNeeded: rng.nextInt(below: Int.max)) << 1))
        }
        for x in values {
            for t in values {
                XCTAssertEqual(ThresholdKey.row(x) > ThresholdKey.threshold(t), x > t, "x \(x) t \(t)")
            }
        }
    }

    func testLayoutKeepsPairsInOneLineAndChildrenAfterParents() throws {
        let (x, y) = LearnData.xor(rows: 2000, noise: 3, seed: 8)
        var p = RandomForestParameters()
        p.trees = 4
        let model = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)
        for tree in model.trees {
            let layout = CacheLineLayout(leftChild: tree.nodes.indices.map { tree.isLeaf($0) ? -1 : tree.nodes[$0].next })
            XCTAssertEqual(layout.slotOf[0], 0)
            XCTAssertEqual(Set(layout.slotOf).count, tree.nodes.count)   // one slot each
            XCTAssertEqual(layout.slotCount % CacheLineLayout.slotsPerBlock, 0)
            XCTAssertLessThan(layout.slotCount, tree.nodes.count + 2 * CacheLineLayout.slotsPerBlock)   // little padding
            for i in tree.nodes.indices where !tree.isLeaf(i) {
                let left = layout.slotOf[Int(tree.nodes[i].next)], right = layout.slotOf[Int(tree.nodes[i].next) + 1]
                XCTAssertEqual(right, left + 1)
                XCTAssertEqual(left / CacheLineLayout.slotsPerBlock, right / CacheLineLayout.slotsPerBlock)
                XCTAssertGreaterThan(left, layout.slotOf[i])
            }
        }
    }
}
