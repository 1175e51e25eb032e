import XCTest
@testable import RappiML

/// The A/B report's statistics against a small case worked by hand.
///
/// A: 40 correct of 100 outcomes (p_a = 0.40); B: 55 of 100 (p_b = 0.55); z = 1.959964, z² = 3.841459.
///
/// Wilson, A: centre = (0.40 + z²/200) / (1 + z²/100) = 0.419207 / 1.038415 = 0.403699
///            half   = z·√(0.40·0.60/100 + z²/40000) / 1.038415 = 1.959964·√0.00249604 / 1.038415 = 0.094298
///            → [0.309401, 0.497997]
/// Wilson, B: centre = (0.55 + 0.019207) / 1.038415 = 0.548155; half = 1.959964·√0.0025710 / 1.038415 = 0.095705
///            → [0.452446, 0.643855]
/// Difference p_b − p_a = 0.15; Newcombe: 0.15 − √((0.55−0.452446)² + (0.497997−0.40)²) = 0.15 − 0.138276 = 0.011724
///                                       0.15 + √((0.643855−0.55)² + (0.40−0.309401)²) = 0.15 + 0.130449 = 0.280449
/// Pooled z-test: p̂ = 95/200 = 0.475; SE = √(0.475·0.525·(1/100 + 1/100)) = √0.0049875 = 0.070622
///                z = 0.15 / 0.070622 = 2.123977; p = erfc(2.123977/√2) = 0.033672
/// Sample ratio: 120 vs 80 requests against 100/100 expected: χ² = 20²/100 + 20²/100 = 8; p = erfc(√4) = erfc(2) = 0.004678
final class ABStatisticsTests: XCTestCase {
    let a = Proportion(40, of: 100)
    let b = Proportion(55, of: 100)

    func testWilsonIntervals() throws {
        let wa = try XCTUnwrap(ABStatistics.wilson(successes: 40, trials: 100))
        XCTAssertEqual(wa.lowerBound, 0.309401, accuracy: 1e-6)
        XCTAssertEqual(wa.upperBound, 0.497997, accuracy: 1e-6)
        let wb = try XCTUnwrap(ABStatistics.wilson(successes: 55, trials: 100))
        XCTAssertEqual(wb.lowerBound, 0.452446, accuracy: 1e-6)
        XCTAssertEqual(wb.upperBound, 0.643855, accuracy: 1e-6)
        // Extremes stay inside [0, 1] and are not degenerate.
        let none = try XCTUnwrap(ABStatistics.wilson(successes: 0, trials: 10))
        XCTAssertEqual(none.lowerBound, 0)
        XCTAssertGreaterThan(none.upperBound, 0.2)
        XCTAssertNil(ABStatistics.wilson(successes: 0, trials: 0))
    }

    func testDifferenceInterval() throws {
        let d = try XCTUnwrap(ABStatistics.differenceInterval(a: a, b: b))
        XCTAssertEqual(d.lowerBound, 0.011724, accuracy: 1e-6)
        XCTAssertEqual(d.upperBound, 0.280449, accuracy: 1e-6)
    }

    func testTwoProportionZTest() throws {
        let test = try XCTUnwrap(ABStatistics.twoProportionZTest(a: a, b: b))
        XCTAssertEqual(test.z, 2.123977, accuracy: 1e-6)
        XCTAssertEqual(test.p, 0.033672, accuracy: 1e-6)
        // Symmetric: swapping the variants flips the sign, not the p-value.
        let swapped = try XCTUnwrap(ABStatistics.twoProportionZTest(a: b, b: a))
        XCTAssertEqual(swapped.z, -test.z, accuracy: 1e-12)
        XCTAssertEqual(swapped.p, test.p, accuracy: 1e-12)
        // No variance (everything correct): no test.
        XCTAssertNil(ABStatistics.twoProportionZTest(a: Proportion(10, of: 10), b: Proportion(20, of: 20)))
    }

    func testSampleRatioMismatch() throws {
        let srm = try XCTUnwrap(ABStatistics.sampleRatioMismatch(observedA: 120, observedB: 80, expectedA: 100, expectedB: 100))
        XCTAssertEqual(srm.chiSquare, 8, accuracy: 1e-12)
        XCTAssertEqual(srm.p, 0.004678, accuracy: 1e-6)
        let exact = try XCTUnwrap(ABStatistics.sampleRatioMismatch(observedA: 90, observedB: 10, expectedA: 90, expectedB: 10))
        XCTAssertEqual(exact.p, 1, accuracy: 1e-12)
        XCTAssertNil(ABStatistics.sampleRatioMismatch(observedA: 5, observedB: 0, expectedA: 5, expectedB: 0))
    }

    func testVerdicts() {
        func variant(_ name: String, _ p: Proportion, requests: Int = 100, expected: Double = 100) -> ABComparison.Variant {
            ABComparison.Variant(name: name, requests: requests, expectedRequests: expected, accuracy: p)
        }
        let significant = ABComparison(a: variant("A", a), b: variant("B", b))
        XCTAssertEqual(significant.verdict, "B is better than A by 15.0 points of accuracy (p=0.0337)")
        XCTAssertEqual(significant.winner, "B")

        let few = ABComparison(a: variant("A", Proportion(10, of: 20)), b: variant("B", b))
        XCTAssertTrue(few.verdict.hasPrefix("not enough data yet"), few.verdict)
        XCTAssertNil(few.winner)

        let close = ABComparison(a: variant("A", Proportion(50, of: 100)), b: variant("B", Proportion(52, of: 100)))
        XCTAssertTrue(close.verdict.hasPrefix("no significant difference yet (p="), close.verdict)

        // 150 vs 50 requests against a configured 50/50: χ² = 50, far past the 0.001 threshold.
        let skewed = ABComparison(a: variant("A", a, requests: 150), b: variant("B", b, requests: 50))
        XCTAssertTrue(skewed.verdict.hasPrefix("sample ratio mismatch"), skewed.verdict)
        XCTAssertNil(skewed.winner)
    }
}

/// Welch's t-test and the mean-absolute-error comparison of regression variants, against SciPy
/// (`scipy.stats.ttest_ind(b, a, equal_var=False)`, SciPy 1.x) on Welch's textbook example.
final class WelchTestTests: XCTestCase {
    let a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    let b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]

    func testWelchMatchesSciPyOnTheTextbookExample() throws {
        let test = try XCTUnwrap(WelchTest(a, b))
        XCTAssertEqual(test.t, 2.455356398286006, accuracy: 1e-9)
        XCTAssertEqual(test.degrees, 24.988529290231416, accuracy: 1e-9)
        XCTAssertEqual(test.p, 0.021378001462866992, accuracy: 1e-9)
        XCTAssertEqual(test.interval.lowerBound, 0.3492370661924069, accuracy: 1e-7)
        XCTAssertEqual(test.interval.upperBound, 3.984096267140929, accuracy: 1e-7)
        XCTAssertEqual(WelchTest.tQuantile975(degrees: 10), 2.228138851986274, accuracy: 1e-9)
    }

    func testWelchSaysNothingWithoutVarianceOrWithTooFewValues() {
        XCTAssertNil(WelchTest([1, 1, 1], [1, 1]))
        XCTAssertNil(WelchTest([1], [2, 3]))
    }

    func testTheVariantWithTheLowerMeanAbsoluteErrorWinsOnlyWithEnoughOutcomes() {
        let low = (0..<40).map { Double($0 % 5) }, high = (0..<40).map { Double($0 % 5) + 3 }
        let comparison = MeanErrorComparison(a: .init(name: "A", errors: high), b: .init(name: "B", errors: low))
        XCTAssertEqual(comparison.winner, "B")
        XCTAssertEqual(comparison.difference, -3)
        XCTAssertTrue(comparison.verdict.hasPrefix("B is better than A: its mean absolute error is lower by 3"), comparison.verdict)
        let few = MeanErrorComparison(a: .init(name: "A", errors: Array(high.prefix(10))), b: .init(name: "B", errors: Array(low.prefix(10))))
        XCTAssertNil(few.winner)
        XCTAssertTrue(few.verdict.hasPrefix("not enough data yet"), few.verdict)
    }
}
