import Foundation
import XCTest
@testable import RappiML

final class RadixSortTests: XCTestCase {
    private func assertSortsLikeTheStandardLibrary(_ values: [Double], file: StaticString = #filePath, line: UInt = #line) {
        var sorted = values
        RadixSort.sort(&sorted)
        XCTAssertEqual(sorted, values.sorted(), file: file, line: line)
    }

    func testSortsNegativePositiveTinyHugeAndRepeatedValuesLikeTheStandardLibrary() {
        var rng = RappiML.SplitMix64(seed: 9)
        var values: [Double] = []
        for i in 0..<20_000 {
            let magnitude = Foundation.pow(10, rng.nextDouble() * 40 - 20)
            values.append(i % 3 == 0 ? -magnitude : magnitude)
            if i % 7 == 0 { values.append(Double(i % 11)) }   // repeats
        }
        values += [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                   .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        assertSortsLikeTheStandardLibrary(values)
    }

    func testSortsSmallIntegerColumnsConstantColumnsAndTinyInputs() {
        // Small integers share every high digit of their bit patterns (those passes are skipped).
        assertSortsLikeTheStandardLibrary((0..<300).reversed().map(Double.init))
        assertSortsLikeTheStandardLibrary([Double](repeating: 2.5, count: 100))
        assertSortsLikeTheStandardLibrary([])
        assertSortsLikeTheStandardLibrary([1])
        assertSortsLikeTheStandardLibrary([1, -1])
    }

    func testMinusZeroSortsBeforeZeroAndBothAreKept() {
        var values: [Double] = [0, -0.0, 1, -1]
        RadixSort.sort(&values)
        XCTAssertEqual(values.map(\.sign), [.minus, .minus, .plus, .plus])
        XCTAssertEqual(values, [-1, 0, 0, 1])
    }
}
