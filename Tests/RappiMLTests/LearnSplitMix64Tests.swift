import XCTest
@testable import RappiML

final class LearnSplitMix64Tests: XCTestCase {
    func testReferenceValues() {
        var g = RappiML.SplitMix64(seed: 1234567)
        XCTAssertEqual(g.next(), 6457827717110365317)
        XCTAssertEqual(g.next(), 3203168211198807973)
        XCTAssertEqual(g.next(), 9817491932198370423)
    }

    func testSameSeedSameStream() {
        var a = RappiML.SplitMix64(seed: 99), b = RappiML.SplitMix64(seed: 99), c = RappiML.SplitMix64(seed: 100)
        let sa = (0..<50).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<50).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<50).map { _ in c.next() })
    }

    func testNextDoubleAndIntRanges() {
        var g = RappiML.SplitMix64(seed: 7)
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
        var a = RappiML.SplitMix64(seed: 42), b = RappiML.SplitMix64(seed: 42)
        var x = Array(0..<100), y = Array(0..<100)
        a.shuffle(&x)
        b.shuffle(&y)
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, Array(0..<100))
        XCTAssertEqual(x.sorted(), Array(0..<100))
        var g = RappiML.SplitMix64(seed: 1)
        var small = [5]
        g.shuffle(&small)
        XCTAssertEqual(small, [5])
    }

    func testDeriveGivesDistinctReproducibleSeeds() {
        let seeds = (0..<1000).map { RappiML.SplitMix64.derive(42, UInt64($0)) }
        XCTAssertEqual(Set(seeds).count, 1000)
        XCTAssertEqual(seeds[17], RappiML.SplitMix64.derive(42, 17))
        XCTAssertNotEqual(RappiML.SplitMix64.derive(42, 0), RappiML.SplitMix64.derive(43, 0))
    }
}
