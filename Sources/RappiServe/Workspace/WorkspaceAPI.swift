import Foundation
import Hummingbird
import NIOCore
import RappiML
import RappiWorkspace

/// The workspace server's REST API (bearer token of a published pipeline on every call; what
/// each token may touch is `WorkspaceCaller`'s to say):
///
///     POST /api/pipelines/{name}/runs   {"parameters": {…}, "compute": "…", "timeout_seconds": N} → 202 {run_id, status_url}
///     GET  /api/runs/{id}               status, steps, outputs
///     GET  /api/pipelines               published pipelines
///     GET  /health/live, /health/ready, /openapi.json (open)
///
/// Every request is checked on its headers first — token, content type, declared size — and a
/// body is read only after that, at most `maxBodies` at a time. Database work runs on the
/// store's own thread (`WorkspaceStore`), never on the event loop, so health checks answer
/// while the database is busy. Errors use the envelope of ARCHITECTURE.md §7.
struct WorkspaceAPI: Sendable {
    let store: WorkspaceStore
    let baseURL: String
    /// The running server's owner credential (also accepted for every pipeline), from `server.json`.
    let ownerToken: String?
    /// Bodies being read at once; more answer 503.
    let bodies: InFlightLimiter
    let maxBodyBytes: Int
    /// Checks given parameter values against how the pipeline uses them (nil: fine).
    let checkParameters: @Sendable (PipelineDefinition, [(name: String, value: String)]) -> (parameter: String, message: String)?
    /// A pipeline's parameters as JSON Schema properties, for `/openapi.json`.
    let parameterSchemas: @Sendable (PipelineDefinition) -> [String: [String: Any]]
    /// Called after a run is queued, so the worker loop looks at the queue at once.
    let onEnqueue: @Sendable () -> Void

    func router(workers: WorkerAPI) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: EnvelopeMiddleware())
        router.get("/health/live") { _, _ in Self.json(.ok, #"{"status":"live"}"#) }
        router.get("/health/ready") { _, _ in Self.json(.ok, #"{"status":"ready"}"#) }
        router.get("/openapi.json") { _, _ in try await self.openAPIDocument() }
        router.get("/api/pipelines") { request, _ in try await self.listPublished(request) }
        router.post("/api/pipelines/:name/runs") { request, context in
            try await self.trigger(request, name: context.parameters.get("name") ?? "")
        }
        router.get("/api/runs/:id") { request, context in try await self.runStatus(request, id: context.parameters.get("id") ?? "") }
        workers.register(on: router)
        return router
    }

    /// Open, like the model server's: it names the published pipelines and their parameters, not
    /// their runs or tokens.
    private func openAPIDocument() async throws -> Response {
        let parameterSchemas = self.parameterSchemas
        let bytes = try await store.with { workspace in
            try WorkspaceOpenAPIDocument.make(workspace, parameterSchemas: parameterSchemas)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private func listPublished(_ request: Request) async throws -> Response {
        let token = try Self.bearer(request)
        let ownerToken = self.ownerToken, baseURL = self.baseURL
        return try await store.with { workspace in
            let caller = try WorkspaceCaller.identify(token, owner: ownerToken, in: workspace)
            let items = try workspace.publishedPipelines().filter { caller.mayUse(pipeline: $0.name) }.map { item in
                PipelineRunJSON.published(item, definition: try? workspace.pipeline(item.name, version: item.pipelineVersion), baseURL: baseURL)
            }
            return Self.json(.ok, "{\"pipelines\":[" + items.joined(separator: ",") + "]}")
        }
    }

    private func trigger(_ request: Request, name: String) async throws -> Response {
        // Headers first: who is asking, for what, and how much — before a byte of body is read.
        let token = try Self.bearer(request)
        let ownerToken = self.ownerToken
        try await store.with { workspace in
            // Authorised before existence is looked at: a pipeline's token learns nothing of others.
            let caller = try WorkspaceCaller.identify(token, owner: ownerToken, in: workspace)
            if case .pipeline(let own) = caller, own.name != name {
                // The same answer whether `name` exists or not: 404, as for another pipeline's run.
                throw APIError(status: .notFound, code: "not_found",
                               message: "no published pipeline '\(name.prefix(60))' for this token — it triggers '\(own.name)' only")
            }
            guard try workspace.publishedPipelineIfPresent(name) != nil else {
                let names = try workspace.publishedPipelines().map(\.name)
                throw APIError(status: .notFound, code: "not_found",
                               message: "no published pipeline '\(name.prefix(60))'" + (names.isEmpty ? "" : " — published: \(names.joined(separator: ", "))"))
            }
        }
        let bytes = try await readBody(request)
        let trigger = try Self.parseTrigger(bytes)
        let checkParameters = self.checkParameters
        let runID: Int = try await store.with { workspace in
            guard let published = try workspace.publishedPipelineIfPresent(name) else {
                throw APIError(status: .notFound, code: "not_found", message: "no published pipeline '\(name)'")
            }
            let definition = try workspace.pipeline(name, version: published.pipelineVersion)
            let resolved: [(name: String, value: String)]
            do { resolved = try definition.resolve(trigger.parameters) } catch let error as WorkspaceError {
                let unknown = trigger.parameters.first { definition.parameter($0.name) == nil }?.name ?? "parameters"
                throw APIError.invalidInput(error.message, details: [RecordError(row: 0, field: unknown, problem: "unknown parameter")])
            }
            if let problem = checkParameters(definition, resolved) {
                throw APIError.invalidInput(problem.message, details: [RecordError(row: 0, field: problem.parameter, problem: "wrong type")])
            }
            do { _ = try workspace.computeTarget(trigger.compute) } catch let error as WorkspaceError {
                throw APIError.invalidInput(error.message, details: [RecordError(row: 0, field: "compute", problem: "unknown compute target")])
            }
            return try workspace.enqueuePipelineRun(definition, parameters: resolved, compute: trigger.compute, reuse: true,
                                                    trigger: "rest", timeoutSeconds: trigger.timeoutSeconds)
        }
        onEnqueue()
        let statusURL = "\(baseURL)/api/runs/\(runID)"
        var response = Self.json(.accepted, JSONText.object([
            ("run_id", String(runID)), ("status", JSONText.quote("queued")), ("status_url", JSONText.quote(statusURL)),
        ]))
        response.headers[.location] = statusURL
        return response
    }

    private func runStatus(_ request: Request, id text: String) async throws -> Response {
        let token = try Self.bearer(request)
        let ownerToken = self.ownerToken
        return try await store.with { workspace in
            let caller = try WorkspaceCaller.identify(token, owner: ownerToken, in: workspace)
            guard let id = Int(text), let run = try workspace.pipelineRunIfPresent(id), caller.mayRead(run) else {
                throw APIError(status: .notFound, code: "not_found", message: "no pipeline run '\(text.prefix(40))'")
            }
            return Self.json(.ok, PipelineRunJSON.run(run, steps: try workspace.pipelineSteps(id)))
        }
    }

    /// The body of a trigger: optional, JSON when present, at most `maxBodyBytes`, and read only
    /// while fewer than `bodies.limit` others are being read.
    private func readBody(_ request: Request) async throws -> [UInt8] {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        let chunked = request.headers[.transferEncoding] != nil
        if declared == 0 || (declared == nil && !chunked) { return [] }
        try ModelResponder.checkContentType(request)
        guard bodies.tryEnter() else { throw APIError.overloaded(limit: bodies.limit) }
        defer { bodies.leave() }
        var body = try await ModelResponder.collectBody(request, maxBodyBytes: maxBodyBytes)
        return body.readBytes(length: body.readableBytes) ?? []
    }

    /// The token of `Authorization: Bearer TOKEN` (the scheme in any case).
    private static func bearer(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing bearer token — send Authorization: Bearer TOKEN (printed by `publish pipeline NAME`)")
        }
        guard let token = ModelResponder.bearerToken(header) else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer TOKEN'")
        }
        return String(token)
    }

    struct Trigger {
        var parameters: [(name: String, value: String)] = []
        var compute = "local"
        var timeoutSeconds = PipelineRun.defaultTimeoutSeconds
    }

    static func parseTrigger(_ bytes: [UInt8]) throws -> Trigger {
        var trigger = Trigger()
        guard !bytes.isEmpty else { return trigger }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw APIError.invalidJSON("the body must be a JSON object such as {\"parameters\": {\"version\": 0}, \"compute\": \"local\"}")
        }
        let fields = ["parameters", "compute", "timeout_seconds"]
        for key in object.keys.sorted() where !fields.contains(key) {
            throw APIError.invalidInput("unknown field '\(key.prefix(60))' — the body takes \"parameters\", \"compute\" and \"timeout_seconds\"",
                                        details: [RecordError(row: 0, field: String(key.prefix(60)), problem: "unknown field")])
        }
        if let given = object["parameters"] {
            guard let dictionary = given as? [String: Any] else {
                throw APIError.invalidInput("\"parameters\" must be an object of name: value", details: [RecordError(row: 0, field: "parameters", problem: "expected an object")])
            }
            for key in dictionary.keys.sorted() {
                switch dictionary[key]! {
                case let text as String: trigger.parameters.append((key, text))
                case let number as NSNumber:
                    // JSON true/false arrive as NSNumber too; their objCType is "c".
                    let isBool = String(cString: number.objCType) == "c"
                    trigger.parameters.append((key, isBool ? (number.boolValue ? "true" : "false") : number.stringValue))
                default:
                    throw APIError.invalidInput("parameter '\(key.prefix(60))' must be a string, number or boolean",
                                                details: [RecordError(row: 0, field: String(key.prefix(60)), problem: "expected a scalar")])
                }
            }
        }
        if let given = object["compute"] {
            guard let name = given as? String else {
                throw APIError.invalidInput("\"compute\" must be a target's name", details: [RecordError(row: 0, field: "compute", problem: "expected a string")])
            }
            trigger.compute = name
        }
        if let given = object["timeout_seconds"] {
            guard let number = given as? NSNumber, String(cString: number.objCType) != "c",
                  number.doubleValue > 0, number.doubleValue.isFinite else {
                throw APIError.invalidInput("\"timeout_seconds\" must be a positive number of seconds",
                                            details: [RecordError(row: 0, field: "timeout_seconds", problem: "expected a positive number")])
            }
            trigger.timeoutSeconds = number.doubleValue
        }
        return trigger
    }

    /// The methods a route of `router()` takes, by its path; nil for a path that is no route.
    static func methods(forPath path: String) -> [String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        switch parts.count {
        case 2 where ["health"] == parts.prefix(1) && ["live", "ready"].contains(parts[1]): return ["GET"]
        case 1 where parts[0] == "openapi.json": return ["GET"]
        case 2 where parts == ["api", "pipelines"]: return ["GET"]
        case 3 where parts[0] == "api" && parts[1] == "runs" && !parts[2].isEmpty: return ["GET"]
        case 4 where parts[0] == "api" && parts[1] == "pipelines" && !parts[2].isEmpty && parts[3] == "runs": return ["POST"]
        default: return nil
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Turns any error into the JSON envelope: API errors as they are, unknown routes as 404,
/// anything else as a 500 without internals.
struct EnvelopeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            var response = WorkspaceAPI.json(error.status, error.body)
            for field in error.headers { response.headers.append(field) }
            return response
        } catch let error as HTTPError where error.status == .notFound {
            if let allowed = WorkspaceAPI.methods(forPath: request.uri.path) {
                // A known route asked with another method: 405 and what it takes, as HTTP says.
                let methods = allowed.joined(separator: ", ")
                var response = WorkspaceAPI.json(.methodNotAllowed, APIError(
                    status: .methodNotAllowed, code: "method_not_allowed",
                    message: "\(ModelResponder.printablePath(request.uri.path)) does not accept \(request.method.rawValue); use \(methods)").body)
                response.headers[.allow] = methods
                return response
            }
            return WorkspaceAPI.json(.notFound, APIError(status: .notFound, code: "not_found", message: "no route \(request.method.rawValue) \(ModelResponder.printablePath(request.uri.path)) — see GET /api/pipelines, POST /api/pipelines/NAME/runs, GET /api/runs/ID").body)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return WorkspaceAPI.json(.contentTooLarge, APIError.payloadTooLarge(limit: 1 << 20).body)
        } catch let error as WorkspaceError {
            return WorkspaceAPI.json(.unprocessableContent, APIError.invalidInput(error.message).body)
        } catch {
            return WorkspaceAPI.json(.internalServerError, APIError.internalError().body)
        }
    }
}

/// The server's one SQLite connection, used from one dedicated thread: request handlers hand it
/// their database work and wait without blocking an event loop or a Swift concurrency thread,
/// so a busy database (another process's write lock) delays only the requests that need it.
final class WorkspaceStore: @unchecked Sendable {
    private let workspace: Workspace
    private let queue = DispatchQueue(label: "rappi.workspace-store")

    init(_ workspace: Workspace) { self.workspace = workspace }

    func with<T: Sendable>(_ body: @escaping @Sendable (Workspace) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.workspace) }) }
        }
    }
}
