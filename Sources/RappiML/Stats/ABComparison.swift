import Foundation

/// Everything `abtest report` says about two variants, computed from counts, with the verdict
/// in plain words.
public struct ABComparison: Sendable {
    /// Per variant: what was assigned to it (requests, or units when assignment is by unit) and
    /// how many of those the split expected, for the sample-ratio check; and correct predictions
    /// out of outcomes.
    public struct Variant: Sendable {
        public let name: String
        public let requests: Int
        public let expectedRequests: Double
        public let accuracy: Proportion
        public init(name: String, requests: Int, expectedRequests: Double, accuracy: Proportion) {
            self.name = name; self.requests = requests; self.expectedRequests = expectedRequests; self.accuracy = accuracy
        }
        public var interval: ClosedRange<Double>? {
            ABStatistics.wilson(successes: accuracy.successes, trials: accuracy.trials)
        }
    }

    /// Fewer outcomes than this on either side and the report will not call a winner.
    public static let minimumOutcomes = 30
    public static let significance = 0.05
    /// Sample-ratio mismatch is flagged at a stricter level: it means the assignment is broken.
    public static let srmThreshold = 0.001

    public let a: Variant
    public let b: Variant
    public let difference: Double?
    public let differenceInterval: ClosedRange<Double>?
    public let test: (z: Double, p: Double)?
    public let srm: (chiSquare: Double, p: Double)?

    public init(a: Variant, b: Variant) {
        self.a = a
        self.b = b
        if let pa = a.accuracy.rate, let pb = b.accuracy.rate { difference = pb - pa } else { difference = nil }
        differenceInterval = ABStatistics.differenceInterval(a: a.accuracy, b: b.accuracy)
        test = ABStatistics.twoProportionZTest(a: a.accuracy, b: b.accuracy)
        srm = ABStatistics.sampleRatioMismatch(observedA: a.requests, observedB: b.requests,
                                               expectedA: a.expectedRequests, expectedB: b.expectedRequests)
    }

    /// One line a person can act on.
    public var verdict: String {
        let fewest = min(a.accuracy.trials, b.accuracy.trials)
        if fewest < Self.minimumOutcomes {
            return "not enough data yet: \(a.name) has \(a.accuracy.trials) outcomes and \(b.name) has \(b.accuracy.trials); " +
                "at least \(Self.minimumOutcomes) each are needed"
        }
        if let srm, srm.p < Self.srmThreshold {
            return "sample ratio mismatch (p=\(Self.format(srm.p))): the traffic split is not what was configured — do not trust this result"
        }
        guard let test, let difference else {
            return "no significant difference: both variants have the same accuracy on every outcome"
        }
        if test.p < Self.significance {
            let (winner, loser) = difference > 0 ? (b.name, a.name) : (a.name, b.name)
            let points = String(format: "%.1f", abs(difference) * 100)
            return "\(winner) is better than \(loser) by \(points) points of accuracy (p=\(Self.format(test.p)))"
        }
        return "no significant difference yet (p=\(Self.format(test.p)))"
    }

    /// The significantly better variant, if there is one and the data can be trusted.
    public var winner: String? {
        guard min(a.accuracy.trials, b.accuracy.trials) >= Self.minimumOutcomes,
              (srm?.p ?? 1) >= Self.srmThreshold, let test, let difference, test.p < Self.significance else { return nil }
        return difference > 0 ? b.name : a.name
    }

    /// A p-value for people: four decimals, or scientific when tiny.
    public static func format(_ p: Double) -> String {
        p < 0.0001 ? String(format: "%.1e", p) : String(format: "%.4f", p)
    }
}
