import Hummingbird

/// The server's fixed set of routes. Matching is a switch on the path — no router tree.
enum Route: Int, CaseIterable, Sendable {
    case score, invocations, live, ready, metrics, openapi
    /// The A/B router's outcome route (the model server answers it 404).
    case feedback
    /// The Open Inference Protocol routes (`InferencePath`); the model name is not part of the label.
    case v2Server, v2Live, v2Ready, v2Model, v2ModelReady, v2Infer
    /// Any path that is not a route (one metrics label, so clients cannot blow up cardinality).
    case unknown

    // Trimmed as UTF-8 bytes (every request comes through here; Character-wise scans cost more
    // than the matching). Cutting at the ASCII '?' and '/' keeps the text valid.
    init(path: String) {
        var p = Substring(path)
        if let q = p.utf8.firstIndex(of: UInt8(ascii: "?")) { p = p[..<q] }
        if p.utf8.count > 1, p.utf8.last == UInt8(ascii: "/") { p = p[..<p.utf8.index(before: p.utf8.endIndex)] }
        switch p {
        case "/score": self = .score
        case "/invocations": self = .invocations
        case "/health/live": self = .live
        case "/health/ready": self = .ready
        case "/metrics": self = .metrics
        case "/openapi.json": self = .openapi
        case "/feedback": self = .feedback
        default:
            // InferencePath trims the query and the trailing '/' alike, so it takes the path as given.
            switch p.utf8.starts(with: "/v2".utf8) ? InferencePath(path: path) : nil {
            case .server?: self = .v2Server
            case .live?: self = .v2Live
            case .ready?: self = .v2Ready
            case .model?: self = .v2Model
            case .modelReady?: self = .v2ModelReady
            case .infer?: self = .v2Infer
            case nil: self = .unknown
            }
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
        case .v2Server: return "/v2"
        case .v2Live: return "/v2/health/live"
        case .v2Ready: return "/v2/health/ready"
        case .v2Model: return "/v2/models/{name}"
        case .v2ModelReady: return "/v2/models/{name}/ready"
        case .v2Infer: return "/v2/models/{name}/infer"
        case .unknown: return "other"
        }
    }

    var methods: [HTTPRequest.Method] {
        switch self {
        case .score, .invocations, .feedback, .v2Infer: return [.post]
        case .live, .ready, .metrics, .openapi, .v2Server, .v2Live, .v2Ready, .v2Model, .v2ModelReady: return [.get]
        case .unknown: return []
        }
    }

    /// Prediction routes: authenticated, counted against the concurrency limit.
    var isPrediction: Bool { self == .score || self == .invocations || self == .v2Infer }

    /// An Open Inference Protocol route, answered by `InferenceProtocolHandler`.
    var isInferenceProtocol: Bool { rawValue >= Route.v2Server.rawValue && rawValue <= Route.v2Infer.rawValue }
}
