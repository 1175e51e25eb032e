import XCTest
@testable import RappiML

final class LearnSplitMix64Tests: XCTestCase {
    func testReferenceValues() {
        var g = SplitMix64(seed: 1234567)
        XCTAssertEqual(g.next(), 6457827717110365317)
        XCTAssertEqual(g.next(), 3203168211198807973)
        XCTAssertEqual(g.next(), 9817491932198370423)
    }

    func testSameSeedSameStream() {
        var a = SplitMix64(seed: 99), b = SplitMix64(seed: 99), c = SplitMix64(seed: 100)
        let sa = (0..<50).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<50).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<50).map { _ in c.next() })
    }

    func testNextDoubleAndIntRanges() {
        var g = SplitMix64(seed: 7)
        var seen = [Int](repeating: 0, count: 6)
        for _ in 0..<6000 {
            let d = g.nextDouble()
            XCTAssertTrue(d >= 0 && d < 1)
            let i = g.nextInt(below: 6)
            XCTAssertTrue((0..<6).contains(i))
            seen[i] += 1
        }
        for count in seen { XCTAssertTrue(count > 800 && count < 1200, "\(seen)") }
        XCTAssertEqual(g.nextInt(below: 1), 0)
    }

    func testShuffleIsDeterministicPermutation() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        var x = Array(0..<100), y = Array(0..<100)
        a.shuffle(&x)
        b.shuffle(&y)
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, Array(0..<100))
        XCTAssertEqual(x.sorted(), Array(0..<100))
        var g = SplitMix64(seed: 1)
        var small = [5]
        g.shuffle(&small)
        XCTAssertEqual(small, [5])
    }

    func testDeriveGivesDistinctReproducibleSeeds() {
        let seeds = (0..<1000).map { SplitMix64.derive(42, UInt64($0)) }
        XCTAssertEqual(Set(seeds).count, 1000)
        XCTAssertEqual(seeds[17], SplitMix64.derive(42, 17))
        XCTAssertNotEqual(SplitMix64.derive(42, 0), SplitMix64.derive(43, 0))
    }
}
