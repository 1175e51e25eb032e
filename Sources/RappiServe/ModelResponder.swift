import Foundation
import HTTPTypes
import Hummingbird
import RappiML

/// Answers every request: routing, limits, authentication, prediction, and the bookkeeping every
/// response gets (request id, metrics, access log). Errors become the JSON envelope here, so
/// nothing a client sends reaches Hummingbird's generic 500 path.
struct ModelResponder: HTTPResponder {
    typealias Context = ServeRequestContext

    let runtime: ModelRuntime
    let core: ServingCore

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    static let liveBody = ByteBuffer(string: #"{"status":"live"}"#)
    static let jsonType = "application/json"
    static let metricsType = "text/plain; version=0.0.4; charset=utf-8"

    func respond(to request: Request, context: Context) async throws -> Response {
        await core.answer(request, context: context) { route in try await handle(route, request) }
    }

    private func handle(_ route: Route, _ request: Request) async throws -> Response {
        if route == .unknown || route == .feedback { throw APIError.notFound(Self.printablePath(request.uri.path)) }
        if route.isInferenceProtocol, let path = InferencePath(path: request.uri.path) {
            return await core.inferenceResponse(path, request) { records in try runtime.inferenceValues(records: records) }
        }
        guard route.methods.contains(request.method) else { throw APIError.methodNotAllowed(request.method, route: route) }
        switch route {
        case .live, .ready, .metrics, .openapi:
            return core.informational(route)
        case .score, .invocations:
            let text = try await core.limitedJSON(request) { json in
                try runtime.predict(records: try Self.records(route, json, inputs: runtime.inputs))
            }
            return Self.response(.ok, body: ByteBuffer(string: text), type: Self.jsonType)
        case .unknown, .feedback, .v2Server, .v2Live, .v2Ready, .v2Model, .v2ModelReady, .v2Infer:
            throw APIError.notFound(Self.printablePath(request.uri.path))
        }
    }

    /// The checks before a POST body is read — key, content type, size — then the parsed body.
    static func authorizedJSON(_ request: Request, keys: APIKeyStore, maxBodyBytes: Int) async throws -> JSONValue {
        let body = try await authorizedBody(request, keys: keys, maxBodyBytes: maxBodyBytes)
        return try body.withUnsafeReadableBytes { try parseJSON($0) }
    }

    /// The checks before a POST body is read — key, content type, size — then the body's bytes.
    /// `checksContentType: false` is for the inference protocol, whose clients send no type
    /// (tritonclient) or curl's default form type, and whose servers read the body as JSON whatever
    /// it says.
    static func authorizedBody(_ request: Request, keys: APIKeyStore, maxBodyBytes: Int,
                               checksContentType: Bool = true) async throws -> ByteBuffer {
        try authorize(request, keys: keys)
        if checksContentType { try checkContentType(request) }
        return try await collectBody(request, maxBodyBytes: maxBodyBytes)
    }

    /// A body parsed as JSON, or the 400 that says where it is not.
    static func parseJSON(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch let failure as JSONParser.Failure {
            throw APIError.invalidJSON("the body is not valid JSON: \(failure)")
        }
    }

    /// The records of a /score or /invocations body.
    static func records(_ route: Route, _ json: JSONValue, inputs: [InputColumn]) throws -> [JSONRecord] {
        route == .score ? try PredictionRequest.scoreRecords(json) : try PredictionRequest.invocationRecords(json, inputs: inputs)
    }

    // MARK: - Checks

    private static func authorize(_ request: Request, keys: APIKeyStore) throws {
        guard keys.isEnabled else { return }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing API key — send the header Authorization: Bearer <key>")
        }
        guard let key = Self.bearerToken(header) else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer <key>'")
        }
        guard keys.accepts(key) else { throw APIError.unauthorized("invalid API key") }
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, surrounding spaces ignored).
    static func bearerToken(_ header: String) -> Substring? {
        let utf8 = header.utf8
        var i = utf8.startIndex
        for expected in "bearer".utf8 {
            guard i != utf8.endIndex, utf8[i] | 0x20 == expected else { return nil }
            i = utf8.index(after: i)
        }
        guard i != utf8.endIndex, utf8[i] == UInt8(ascii: " ") else { return nil }
        while i != utf8.endIndex, utf8[i] == UInt8(ascii: " ") || utf8[i] == UInt8(ascii: "\t") { i = utf8.index(after: i) }
        var end = utf8.endIndex
        while end > i {
            let before = utf8.index(before: end)
            guard utf8[before] == UInt8(ascii: " ") || utf8[before] == UInt8(ascii: "\t") else { break }
            end = before
        }
        guard i != end else { return nil }
        return Substring(header[i..<end])
    }

    /// `application/json`, with parameters (`; charset=utf-8`) or a `+json` suffix type.
    static func checkContentType(_ request: Request) throws {
        guard let value = request.headers[.contentType] else { throw APIError.unsupportedMediaType(nil) }
        if value == jsonType { return }
        let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard type == jsonType || (type.hasPrefix("application/") && type.hasSuffix("+json")) else {
            throw APIError.unsupportedMediaType(value)
        }
    }

    /// The body, refused with 413 as soon as it is known to be over the limit: from
    /// `Content-Length` before reading, and while collecting (chunked bodies).
    static func collectBody(_ request: Request, maxBodyBytes: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw APIError(status: .badRequest, code: "invalid_request", message: "invalid Content-Length header")
            }
            if length > maxBodyBytes { throw APIError.payloadTooLarge(limit: maxBodyBytes) }
        }
        var collected: ByteBuffer?
        for try await chunk in request.body {
            let total = (collected?.readableBytes ?? 0) + chunk.readableBytes
            if total > maxBodyBytes { throw APIError.payloadTooLarge(limit: maxBodyBytes) }
            if collected == nil {
                collected = chunk
            } else {
                var chunk = chunk
                collected!.writeBuffer(&chunk)
            }
        }
        return collected ?? ByteBuffer()
    }

    // MARK: - Responses

    static func response(_ status: HTTPResponse.Status, body: ByteBuffer, type: String) -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: body))
    }

    static func errorResponse(_ error: APIError) -> Response {
        var response = response(error.status, body: ByteBuffer(string: error.body), type: jsonType)
        for field in error.headers { response.headers.append(field) }
        return response
    }

    // MARK: - Access log

    /// `2026-11-27T10:00:00.123Z 127.0.0.1 POST /score 200 0.41ms rid=…`
    static func accessLine(request: Request, context: Context, status: Int, nanoseconds: Int64, requestID: String) -> String {
        let hundredths = Int((nanoseconds + 5_000) / 10_000)   // 0.01 ms units
        let fraction = hundredths % 100
        let ms = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
        return "\(UTCTimestamp.now()) \(context.clientAddress) \(request.method.rawValue) \(printablePath(request.head.path ?? "/")) \(status) \(ms)ms rid=\(requestID)"
    }

    /// The path with anything unprintable replaced, cut at 200 characters.
    static func printablePath(_ path: String) -> String {
        // Every access-log line goes through here: a path that is already short printable ASCII
        // is returned as it is, without the walk over its scalars.
        if path.utf8.count <= 200, path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return path }
        var out = ""
        for u in path.unicodeScalars.prefix(200) {
            out.unicodeScalars.append(u.value > 0x20 && u.value < 0x7F ? u : "?")
        }
        return path.unicodeScalars.count > 200 ? out + "…" : out
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
