/// One side of an experiment: what the user named (an endpoint or a registered model) and the
/// exact model version it resolved to when the experiment started.
public struct ExperimentVariant: Sendable, Equatable {
    /// `A` or `B`.
    public let label: String
    /// The endpoint or model reference as written (`titanic-rf`, `titanic_rf:v2`).
    public let source: String
    public let model: String
    public let version: Int
    public let hash: String

    public init(label: String, source: String, model: String, version: Int, hash: String) {
        self.label = label; self.source = source; self.model = model; self.version = version; self.hash = hash
    }
}

/// An A/B experiment as recorded in the workspace.
public struct ExperimentRecord: Sendable, Equatable {
    public let name: String
    public let a: ExperimentVariant
    public let b: ExperimentVariant
    /// Percent of traffic for A (B gets the rest).
    public var splitA: Int
    /// The record field whose value decides the variant (sticky assignment); nil = random draw.
    public let unit: String?
    public let seed: UInt64
    /// `A` or `B` once promoted: all traffic goes there.
    public var promoted: String?
    /// `starting`, `running` or `stopped`.
    public var status: String
    public var url: String?
    public var port: Int?
    public var pid: Int?
    /// `key` or `none`.
    public let auth: String
    public let createdAt: String
    public var stoppedAt: String?

    public init(name: String, a: ExperimentVariant, b: ExperimentVariant, splitA: Int, unit: String?, seed: UInt64,
                promoted: String? = nil, status: String = "starting", url: String? = nil, port: Int? = nil, pid: Int? = nil,
                auth: String, createdAt: String = Timestamp.now(), stoppedAt: String? = nil) {
        self.name = name; self.a = a; self.b = b; self.splitA = splitA; self.unit = unit; self.seed = seed
        self.promoted = promoted; self.status = status; self.url = url; self.port = port; self.pid = pid
        self.auth = auth; self.createdAt = createdAt; self.stoppedAt = stoppedAt
    }

    public var variants: [ExperimentVariant] { [a, b] }

    /// `50/50`, or `promoted B` once promoted.
    public var splitText: String { promoted.map { "promoted \($0)" } ?? "\(splitA)/\(100 - splitA)" }

    public var control: ExperimentControl { ExperimentControl(splitA: splitA, promoted: promoted) }
}

/// A record routed to a variant, as the router stores it.
public struct ExperimentAssignment: Sendable, Equatable {
    public let requestID: String
    public let variant: String
    public let unit: String?
    /// The predicted class label.
    public let prediction: String
    /// A's share of traffic (0…1) when the record was assigned: the sample-ratio check's expectation.
    public let shareA: Double
    /// Time the router took to answer the request that carried the record.
    public let latencyMicroseconds: Int

    public init(requestID: String, variant: String, unit: String?, prediction: String, shareA: Double, latencyMicroseconds: Int) {
        self.requestID = requestID; self.variant = variant; self.unit = unit; self.prediction = prediction
        self.shareA = shareA; self.latencyMicroseconds = latencyMicroseconds
    }
}

/// The true outcome (class label) fed back for one request id.
public struct ExperimentOutcome: Sendable, Equatable {
    public let requestID: String
    public let outcome: String
    public init(requestID: String, outcome: String) { self.requestID = requestID; self.outcome = outcome }
}

/// Per variant, what the report needs from storage.
public struct ExperimentVariantSummary: Sendable, Equatable {
    public let variant: String
    public let requests: Int
    /// Σ share of the variant at assignment time: the requests the split expected it to get.
    public let expectedRequests: Double
    public let outcomes: Int
    public let correct: Int
    /// Request latencies in microseconds, ascending.
    public let latencies: [Int]

    public init(variant: String, requests: Int, expectedRequests: Double, outcomes: Int, correct: Int, latencies: [Int]) {
        self.variant = variant; self.requests = requests; self.expectedRequests = expectedRequests
        self.outcomes = outcomes; self.correct = correct; self.latencies = latencies
    }

    /// Nearest-rank percentile in milliseconds (nil without requests).
    public func latencyMilliseconds(at percentile: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let rank = Int((percentile / 100 * Double(latencies.count)).rounded(.up))
        return Double(latencies[min(max(rank, 1), latencies.count) - 1]) / 1000
    }
}
