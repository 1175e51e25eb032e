import Hummingbird

/// The server's fixed set of routes. Matching is a switch on the path — no router tree.
enum Route: Int, CaseIterable, Sendable {
    case score, invocations, live, ready, metrics, openapi
    /// The A/B router's outcome route (the model server answers it 404).
    case feedback
    /// Any path that is not a route (one metrics label, so clients cannot blow up cardinality).
    case unknown

    init(path: String) {
        var p = Substring(path)
        if let q = p.firstIndex(of: "?") { p = p[..<q] }
        if p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        switch p {
        case "/score": self = .score
        case "/invocations": self = .invocations
        case "/health/live": self = .live
        case "/health/ready": self = .ready
        case "/metrics": self = .metrics
        case "/openapi.json": self = .openapi
        case "/feedback": self = .feedback
        default: self = .unknown
        }
    }

    var path: String {
        switch self {
        case .score: return "/score"
        case .invocations: return "/invocations"
        case .live: return "/health/live"
        case .ready: return "/health/ready"
        case .metrics: return "/metrics"
        case .openapi: return "/openapi.json"
        case .feedback: return "/feedback"
        case .unknown: return "other"
        }
    }

    var methods: [HTTPRequest.Method] {
        switch self {
        case .score, .invocations, .feedback: return [.post]
        case .live, .ready, .metrics, .openapi: return [.get]
        case .unknown: return []
        }
    }

    /// Prediction routes: authenticated, counted against the concurrency limit.
    var isPrediction: Bool { self == .score || self == .invocations }
}
