/// Small order statistics used when fitting preprocessing steps.
enum Statistics {
    /// Median of the non-NaN values (mean of the two middle values for an even count, like
    /// numpy and pandas); nil when there are none.
    static func median(_ values: [Double]) -> Double? {
        var v = values.filter { !$0.isNaN }
        guard !v.isEmpty else { return nil }
        v.sort()
        let n = v.count
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
    }

    /// Mean and population standard deviation (divide by n) of `values`, which hold no NaN.
    static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
        guard !values.isEmpty else { return (0, 0) }
        var sum = 0.0
        for v in values { sum += v }
        let mean = sum / Double(values.count)
        var ss = 0.0
        for v in values { let d = v - mean; ss += d * d }
        return (mean, (ss / Double(values.count)).squareRoot())
    }
}
