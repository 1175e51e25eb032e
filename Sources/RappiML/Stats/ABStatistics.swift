import Foundation

/// The statistics of an A/B comparison of two classifiers' accuracy: Wilson intervals per
/// variant, Newcombe's interval for the difference, the pooled two-proportion z-test, and a
/// chi-square sample-ratio-mismatch check. Pure functions; every p-value comes from `erfc`.
public enum ABStatistics {
    /// The normal quantile of a two-sided 95% interval.
    public static let z95 = 1.959963984540054

    /// Wilson score interval for `successes` out of `trials` (nil when there are no trials).
    public static func wilson(successes: Int, trials: Int, z: Double = z95) -> ClosedRange<Double>? {
        guard trials > 0 else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return max(0, centre - half)...min(1, centre + half)
    }

    /// Newcombe's hybrid score interval (his method 10) for p_b − p_a, built from the two Wilson
    /// intervals; unlike the Wald interval it stays sensible near 0 and 1 and for small samples.
    public static func differenceInterval(a: Proportion, b: Proportion, z: Double = z95) -> ClosedRange<Double>? {
        guard let wa = wilson(successes: a.successes, trials: a.trials, z: z),
              let wb = wilson(successes: b.successes, trials: b.trials, z: z) else { return nil }
        let pa = a.rate!, pb = b.rate!, d = pb - pa
        let lower = d - ((pb - wb.lowerBound) * (pb - wb.lowerBound) + (wa.upperBound - pa) * (wa.upperBound - pa)).squareRoot()
        let upper = d + ((wb.upperBound - pb) * (wb.upperBound - pb) + (pa - wa.lowerBound) * (pa - wa.lowerBound)).squareRoot()
        return lower...upper
    }

    /// Pooled two-proportion z-test of p_b = p_a: z = (p_b − p_a) / √(p̂(1−p̂)(1/n_a + 1/n_b)),
    /// two-sided p = erfc(|z|/√2). nil when either side has no trials or the pooled rate is 0 or 1
    /// (no variance: the test says nothing).
    public static func twoProportionZTest(a: Proportion, b: Proportion) -> (z: Double, p: Double)? {
        guard a.trials > 0, b.trials > 0 else { return nil }
        let na = Double(a.trials), nb = Double(b.trials)
        let pooled = Double(a.successes + b.successes) / (na + nb)
        let variance = pooled * (1 - pooled) * (1 / na + 1 / nb)
        guard variance > 0 else { return nil }
        let z = (b.rate! - a.rate!) / variance.squareRoot()
        return (z, twoSidedP(z))
    }

    /// Chi-square goodness of fit of the observed counts against the expected ones (df = 1 for
    /// two variants): χ² = Σ (O − E)² / E, p = erfc(√(χ²/2)). nil when an expected count is 0.
    public static func sampleRatioMismatch(observedA: Int, observedB: Int, expectedA: Double, expectedB: Double) -> (chiSquare: Double, p: Double)? {
        guard expectedA > 0, expectedB > 0 else { return nil }
        let da = Double(observedA) - expectedA, db = Double(observedB) - expectedB
        let chi = da * da / expectedA + db * db / expectedB
        return (chi, erfc((chi / 2).squareRoot()))
    }

    /// Two-sided p-value of a standard normal statistic.
    public static func twoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
}

/// Successes out of trials (correct predictions out of outcomes).
public struct Proportion: Sendable, Equatable {
    public let successes: Int
    public let trials: Int
    public init(_ successes: Int, of trials: Int) { self.successes = successes; self.trials = trials }
    public var rate: Double? { trials > 0 ? Double(successes) / Double(trials) : nil }
}
