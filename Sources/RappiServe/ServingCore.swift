import Hummingbird
import RappiML
import ServiceLifecycle

/// What every server that predicts — the model server and the A/B router — is made of besides
/// its models: the keys it accepts, its limits, request ids, metrics, the access log, and the
/// bodies of its open routes. Built once from `HTTPServerSettings`, so the two servers cannot
/// drift apart in how they authenticate, limit, count or log.
struct ServingCore: Sendable {
    let keys: APIKeyStore
    let metrics: ServerMetrics
    let limiter: InFlightLimiter
    let ids: RequestIDs
    let accessLog: AccessLog?
    let maxBodyBytes: Int
    let openAPIDocument: ByteBuffer
    let readyBody: ByteBuffer
    let inference: InferenceProtocolHandler

    /// `openAPIDocument` is given whether the server requires a key (the document says so).
    init(settings: HTTPServerSettings, metrics: ServerMetrics, readyBody: String, inference: InferenceProtocolHandler,
         openAPIDocument: (_ authenticated: Bool) -> [UInt8]) throws {
        guard (0...65535).contains(settings.port) else {
            throw ModelServerError("port \(settings.port) is out of range (0–65535)")
        }
        keys = try settings.keysFile.map { try APIKeyStore(file: $0) } ?? APIKeyStore(keys: settings.apiKeys)
        accessLog = try settings.accessLogPath.map { try AccessLog(path: $0) }
        limiter = InFlightLimiter(limit: settings.maxConcurrentRequests)
        ids = RequestIDs()
        maxBodyBytes = Swift.max(0, settings.maxBodyBytes)
        self.metrics = metrics
        self.readyBody = ByteBuffer(string: readyBody)
        self.inference = inference
        self.openAPIDocument = ByteBuffer(bytes: openAPIDocument(keys.isEnabled))
    }

    /// What runs beside the server: the access log's writer.
    var services: [any Service] { accessLog.map { [$0.flusher] } ?? [] }

    /// Every response's bookkeeping around `handle`: the request id header, errors turned into the
    /// envelope, metrics and the access log.
    func answer(_ request: Request, context: ServeRequestContext, handle: (Route) async throws -> Response) async -> Response {
        typealias HTTP = ModelResponder
        let start = HTTP.monotonicNanoseconds()
        let route = Route(path: request.uri.path)
        let requestID: String
        if let given = request.headers[HTTP.requestIDHeader], RequestIDs.sane(given) { requestID = given } else { requestID = ids.next() }

        metrics.inFlight.increment()
        var response: Response
        do {
            response = try await handle(route)
        } catch let error as APIError {
            response = HTTP.errorResponse(error)
        } catch {
            // Only a bug gets here; the client sees the envelope, never the error's text.
            response = HTTP.errorResponse(.internalError())
        }
        metrics.inFlight.decrement()
        response.headers[HTTP.requestIDHeader] = requestID

        let elapsed = Int64(HTTP.monotonicNanoseconds() &- start)
        let status = response.status.code
        metrics.record(route: route, status: status, nanoseconds: elapsed)
        if let accessLog {
            accessLog.append(HTTP.accessLine(request: request, context: context, status: status,
                                             nanoseconds: elapsed, requestID: requestID))
        }
        return response
    }

    /// The open GET routes: health, metrics and the OpenAPI document.
    func informational(_ route: Route) -> Response {
        typealias HTTP = ModelResponder
        switch route {
        case .ready:
            return HTTP.response(.ok, body: readyBody, type: HTTP.jsonType)
        case .metrics:
            // Open, like the health checks: scrapers rarely hold API keys and the numbers reveal
            // no input data. Put the server behind a proxy to restrict it.
            return HTTP.response(.ok, body: ByteBuffer(bytes: metrics.exposition()), type: HTTP.metricsType)
        case .openapi:
            // Open: the schema is what a client needs before it has a key, and holds no data.
            return HTTP.response(.ok, body: openAPIDocument, type: HTTP.jsonType)
        default:
            return HTTP.response(.ok, body: HTTP.liveBody, type: HTTP.jsonType)
        }
    }

    /// A v2 inference-protocol request, scored by `predict`.
    func inferenceResponse(_ path: InferencePath, _ request: Request,
                           predict: ([JSONRecord]) throws -> InferenceResponse.Values) async -> Response {
        await inference.respond(path, request, keys: keys, maxBodyBytes: maxBodyBytes, limiter: limiter, infer: predict)
    }

    /// A POST that does work: a slot under the in-flight limit (503 when none is free), then the
    /// key, content type and size checks, then `body` with the parsed JSON.
    func limitedJSON<T>(_ request: Request, _ body: (JSONValue) throws -> T) async throws -> T {
        guard limiter.tryEnter() else { throw APIError.overloaded(limit: limiter.limit) }
        defer { limiter.leave() }
        return try body(try await ModelResponder.authorizedJSON(request, keys: keys, maxBodyBytes: maxBodyBytes))
    }

    /// The server's handlers run on NIO's event loops when the settings ask for it (see
    /// `ModelServer.installEventLoopExecutor`).
    static func prepare(_ settings: HTTPServerSettings) {
        if settings.runTasksOnEventLoops { _ = ModelServer.installEventLoopExecutor }
    }
}
