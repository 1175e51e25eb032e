/// How many features a random forest considers at each split (scikit-learn's `max_features`).
public enum MaxFeatures: Sendable, Equatable {
    case sqrt, log2, all
    /// A fraction of the features, in (0, 1].
    case fraction(Double)
    /// An exact number of features (at least 1).
    case count(Int)

    /// Parses "sqrt", "log2", "all"/"none", a fraction such as "0.5", or a count such as "7".
    public init?(_ text: String) {
        let t = text.lowercased()
        switch t {
        case "sqrt", "auto": self = .sqrt
        case "log2": self = .log2
        case "all", "none": self = .all
        default:
            if let n = Int(t) {
                self = .count(n)
            } else if let f = Double(t), f.isFinite {
                self = .fraction(f)
            } else {
                return nil
            }
        }
    }

    /// The number of features to draw at each split, in 1...featureCount (as scikit-learn:
    /// sqrt and log2 round down, a fraction rounds down, both at least 1).
    public func resolve(featureCount: Int) -> Int {
        let n = Swift.max(featureCount, 1)
        let k: Int
        switch self {
        case .sqrt: k = Int(Double(n).squareRoot())
        case .log2: k = Int(floorLog2(Double(n)))
        case .all: k = n
        case .fraction(let f): k = Int(f * Double(n))
        case .count(let c): k = c
        }
        return Swift.min(n, Swift.max(1, k))
    }

    var text: String {
        switch self {
        case .sqrt: return "sqrt"
        case .log2: return "log2"
        case .all: return "all"
        case .fraction(let f): return "\(f)"
        case .count(let c): return "\(c)"
        }
    }
}

@inline(__always) private func floorLog2(_ x: Double) -> Double {
    // floor(log2(x)) for x >= 1, exact (no libm rounding questions).
    var e = 0.0
    var v = x
    while v >= 2 { v /= 2; e += 1 }
    return e
}

/// Options of `RandomForestClassifier.fit`, with scikit-learn's defaults.
public struct RandomForestParameters: Sendable, Equatable {
    /// Number of trees (`n_estimators`).
    public var trees = 100
    /// Maximum depth of a tree; nil grows until leaves are pure or too small.
    public var maxDepth: Int? = nil
    /// Minimum number of (distinct) training rows in a leaf.
    public var minSamplesLeaf = 1
    /// Features considered at each split.
    public var maxFeatures: MaxFeatures = .sqrt
    /// Train each tree on a bootstrap sample (rows drawn with replacement) of the training rows.
    public var bootstrap = true
    /// Seed of the forest; tree `i` uses `SplitMix64.derive(seed, i)`.
    public var seed: UInt64 = 42

    public init() {}

    /// Throws a `TrainingError` naming the option and the fix when a value is out of range.
    public func validate() throws {
        if trees < 1 { throw TrainingError("trees must be at least 1 (got \(trees))") }
        if trees > 100_000 { throw TrainingError("trees must be at most 100000 (got \(trees))") }
        if let d = maxDepth, d < 1 {
            throw TrainingError("max_depth must be at least 1, or left unset for unlimited depth (got \(d))")
        }
        if minSamplesLeaf < 1 { throw TrainingError("min_samples_leaf must be at least 1 (got \(minSamplesLeaf))") }
        switch maxFeatures {
        case .fraction(let f) where !(f > 0 && f <= 1):
            throw TrainingError("max_features as a fraction must be in (0, 1] (got \(f)); use sqrt, log2, all, a fraction or a count")
        case .count(let c) where c < 1:
            throw TrainingError("max_features must be at least 1 (got \(c)); use sqrt, log2, all, a fraction or a count")
        default: break
        }
    }
}
