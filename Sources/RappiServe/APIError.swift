import Hummingbird
import RappiML

/// One failed request, as the JSON envelope every error response uses:
/// `{"error": {"code": "invalid_input", "message": "…", "details": [{"row": 0, "field": "Age", "problem": "…"}]}}`.
struct APIError: Error, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var details: [RecordError] = []
    /// Extra response headers (`Allow`, `WWW-Authenticate`, `Retry-After`).
    var headers: HTTPFields = [:]

    static func invalidJSON(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_json", message: message)
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, code: "unauthorized", message: message,
                 headers: [.wwwAuthenticate: "Bearer realm=\"rappi\""])
    }

    static func notFound(_ path: String, feedback: Bool = false) -> APIError {
        APIError(status: .notFound, code: "not_found",
                 message: "no route \(path) — try POST /score, POST /invocations, \(feedback ? "POST /feedback, " : "")GET /health/live, GET /health/ready, GET /metrics or GET /openapi.json")
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, route: Route) -> APIError {
        let allowed = route.methods.map(\.rawValue).joined(separator: ", ")
        return APIError(status: .methodNotAllowed, code: "method_not_allowed",
                        message: "\(route.path) does not accept \(method.rawValue); use \(allowed)",
                        headers: [.allow: allowed])
    }

    static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "payload_too_large",
                 message: "the request body is larger than the limit of \(limit) bytes — send fewer records per request")
    }

    static func unsupportedMediaType(_ contentType: String?) -> APIError {
        let got = contentType.map { "'\($0.prefix(100))'" } ?? "none"
        return APIError(status: .unsupportedMediaType, code: "unsupported_media_type",
                        message: "the body must be JSON sent with Content-Type: application/json (got \(got))")
    }

    static func invalidInput(_ message: String, details: [RecordError] = []) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid_input", message: message, details: details)
    }

    static func overloaded(limit: Int) -> APIError {
        APIError(status: .serviceUnavailable, code: "overloaded",
                 message: "the server is handling its maximum of \(limit) requests — retry shortly",
                 headers: [.retryAfter: "1"])
    }

    static func internalError() -> APIError {
        APIError(status: .internalServerError, code: "internal_error", message: "the server failed to handle the request")
    }

    /// The JSON envelope.
    var body: String {
        var w = JSONWriter(capacity: 128 + details.count * 64)
        w.raw("{\"error\":{\"code\":")
        w.string(code)
        w.raw(",\"message\":")
        w.string(message)
        w.raw(",\"details\":[")
        for (i, d) in details.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"row\":")
            w.number(d.row)
            w.raw(",\"field\":")
            w.string(d.field)
            w.raw(",\"problem\":")
            w.string(d.problem)
            w.raw("}")
        }
        w.raw("]}}")
        return w.text
    }
}
