import Foundation

/// `abtest report` for two regression variants: the mean absolute error of each (lower is
/// better) with a 95% t-interval, the difference B − A with Welch's interval, and Welch's
/// unequal-variance t-test on the per-record absolute errors, with a verdict in plain words.
public struct MeanErrorComparison: Sendable {
    public struct Variant: Sendable {
        public let name: String
        /// |actual − predicted| of every record with an outcome.
        public let errors: [Double]
        public var count: Int { errors.count }
        public var mean: Double? { errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count) }
        /// Sample variance (n − 1); nil below two records.
        public var variance: Double? {
            guard errors.count >= 2, let m = mean else { return nil }
            return errors.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(errors.count - 1)
        }
        public var interval: ClosedRange<Double>? {
            guard let m = mean, let v = variance else { return nil }
            let half = WelchTest.tQuantile975(degrees: Double(count - 1)) * (v / Double(count)).squareRoot()
            return (m - half)...(m + half)
        }
        public init(name: String, errors: [Double]) { self.name = name; self.errors = errors }
    }

    public let a: Variant
    public let b: Variant
    public let test: WelchTest?

    public init(a: Variant, b: Variant) {
        self.a = a
        self.b = b
        test = WelchTest(a.errors, b.errors)
    }

    /// B − A: negative when B errs less.
    public var difference: Double? {
        guard let ma = a.mean, let mb = b.mean else { return nil }
        return mb - ma
    }

    public var verdict: String {
        let fewest = min(a.count, b.count)
        if fewest < ABComparison.minimumOutcomes {
            return "not enough data yet: \(a.name) has \(a.count) outcomes and \(b.name) has \(b.count); at least \(ABComparison.minimumOutcomes) each are needed"
        }
        guard let test, let difference else { return "no significant difference: both variants make the same errors" }
        if test.p < ABComparison.significance {
            let (winner, loser) = difference < 0 ? (b.name, a.name) : (a.name, b.name)
            return "\(winner) is better than \(loser): its mean absolute error is lower by \(String(format: "%.4g", abs(difference))) (p=\(ABComparison.format(test.p)))"
        }
        return "no significant difference yet (p=\(ABComparison.format(test.p)))"
    }

    /// The variant with the significantly lower mean absolute error, if there is one.
    public var winner: String? {
        guard min(a.count, b.count) >= ABComparison.minimumOutcomes, let test, let difference, test.p < ABComparison.significance else { return nil }
        return difference < 0 ? b.name : a.name
    }
}

/// Welch's t-test of equal means without assuming equal variances: t = (m_b − m_a) / se with
/// se² = s_a²/n_a + s_b²/n_b, Welch–Satterthwaite degrees of freedom, two-sided p from the
/// Student t distribution, and the 95% interval of m_b − m_a.
public struct WelchTest: Sendable {
    public let t: Double
    public let degrees: Double
    public let p: Double
    public let interval: ClosedRange<Double>

    /// Nil below two values on a side, or when both sides have no variance.
    public init?(_ a: [Double], _ b: [Double]) {
        guard a.count >= 2, b.count >= 2 else { return nil }
        func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1))
        }
        let (ma, va) = moments(a), (mb, vb) = moments(b)
        let qa = va / Double(a.count), qb = vb / Double(b.count)
        let se2 = qa + qb
        guard se2 > 0 else { return nil }
        let se = se2.squareRoot()
        t = (mb - ma) / se
        degrees = se2 * se2 / (qa * qa / Double(a.count - 1) + qb * qb / Double(b.count - 1))
        p = Self.twoSidedP(t: t, degrees: degrees)
        let half = Self.tQuantile975(degrees: degrees) * se
        interval = (mb - ma - half)...(mb - ma + half)
    }

    /// P(|T| ≥ |t|) for Student's t with `degrees` degrees of freedom: I_{ν/(ν+t²)}(ν/2, 1/2).
    public static func twoSidedP(t: Double, degrees v: Double) -> Double {
        regularizedIncompleteBeta(x: v / (v + t * t), a: v / 2, b: 0.5)
    }

    /// The 97.5% quantile of Student's t (the half-width factor of a 95% interval), by bisection.
    public static func tQuantile975(degrees v: Double) -> Double {
        var low = 0.0, high = 1000.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if twoSidedP(t: mid, degrees: v) > 0.05 { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// I_x(a, b) by the continued fraction of Numerical Recipes (Lentz's method).
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront: Double = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
        let front = exp(logFront)
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(x: 1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...300 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }; c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; f *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }; c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return front * f / a
    }
}
