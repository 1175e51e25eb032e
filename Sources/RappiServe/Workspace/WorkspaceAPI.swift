import Foundation
import Hummingbird
import NIOCore
import RappiML
import RappiWorkspace

/// The workspace server's REST API (bearer token of a published pipeline on every call):
///
///     POST /api/pipelines/{name}/runs   {"parameters": {…}, "compute": "…"} → 202 {run_id, status_url}
///     GET  /api/runs/{id}               status, steps, outputs
///     GET  /api/pipelines               published pipelines
///     GET  /health/live, /health/ready
///
/// Errors use the envelope of ARCHITECTURE.md §7.
struct WorkspaceAPI: Sendable {
    let store: LockedWorkspace
    let baseURL: String
    /// Called after a run is queued, so the worker loop looks at the queue at once.
    let onEnqueue: @Sendable () -> Void

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: EnvelopeMiddleware())
        router.get("/health/live") { _, _ in Self.json(.ok, #"{"status":"live"}"#) }
        router.get("/health/ready") { _, _ in Self.json(.ok, #"{"status":"ready"}"#) }
        router.get("/api/pipelines") { request, _ in try self.listPublished(request) }
        router.post("/api/pipelines/:name/runs") { request, context in
            try await self.trigger(request, name: context.parameters.get("name") ?? "")
        }
        router.get("/api/runs/:id") { request, context in try self.runStatus(request, id: context.parameters.get("id") ?? "") }
        return router
    }

    private func listPublished(_ request: Request) throws -> Response {
        try store.with { workspace in
            _ = try authorize(request, in: workspace)
            let items = try workspace.publishedPipelines().map { item in
                PipelineRunJSON.published(item, definition: try? workspace.pipeline(item.name, version: item.pipelineVersion), baseURL: baseURL)
            }
            return Self.json(.ok, "{\"pipelines\":[" + items.joined(separator: ",") + "]}")
        }
    }

    private func trigger(_ request: Request, name: String) async throws -> Response {
        var body = try await request.body.collect(upTo: 1 << 20)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        return try store.with { workspace in
            let token = try authorize(request, in: workspace)
            guard let published = try workspace.publishedPipelineIfPresent(name) else {
                let names = try workspace.publishedPipelines().map(\.name)
                throw APIError(status: .notFound, code: "not_found",
                               message: "no published pipeline '\(name)'" + (names.isEmpty ? "" : " — published: \(names.joined(separator: ", "))"))
            }
            guard published.token == token else {
                throw APIError.unauthorized("this token is not valid for pipeline '\(name)' — use the token `publish pipeline \(name)` printed")
            }
            let (parameters, compute) = try Self.parseTrigger(bytes)
            let definition = try workspace.pipeline(name, version: published.pipelineVersion)
            let resolved: [(name: String, value: String)]
            do { resolved = try definition.resolve(parameters) } catch let error as WorkspaceError {
                let unknown = parameters.first { definition.parameter($0.name) == nil }?.name ?? "parameters"
                throw APIError.invalidInput(error.message, details: [RecordError(row: 0, field: unknown, problem: "unknown parameter")])
            }
            do { _ = try workspace.computeTarget(compute) } catch let error as WorkspaceError {
                throw APIError.invalidInput(error.message, details: [RecordError(row: 0, field: "compute", problem: "unknown compute target")])
            }
            let runID = try workspace.enqueuePipelineRun(definition, parameters: resolved, compute: compute, reuse: true, trigger: "rest")
            onEnqueue()
            let statusURL = "\(baseURL)/api/runs/\(runID)"
            var response = Self.json(.accepted, JSONText.object([
                ("run_id", String(runID)), ("status", JSONText.quote("queued")), ("status_url", JSONText.quote(statusURL)),
            ]))
            response.headers[.location] = statusURL
            return response
        }
    }

    private func runStatus(_ request: Request, id text: String) throws -> Response {
        try store.with { workspace in
            _ = try authorize(request, in: workspace)
            guard let id = Int(text), let run = try workspace.pipelineRunIfPresent(id) else {
                throw APIError(status: .notFound, code: "not_found", message: "no pipeline run '\(text)'")
            }
            return Self.json(.ok, PipelineRunJSON.run(run, steps: try workspace.pipelineSteps(id)))
        }
    }

    /// The bearer token, when it belongs to some published pipeline.
    private func authorize(_ request: Request, in workspace: Workspace) throws -> String {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError.unauthorized("missing bearer token — send Authorization: Bearer TOKEN (printed by `publish pipeline NAME`)")
        }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard try workspace.publishedPipelines().contains(where: { $0.token == token }) else {
            throw APIError.unauthorized("the bearer token is not valid for any published pipeline")
        }
        return token
    }

    static func parseTrigger(_ bytes: [UInt8]) throws -> (parameters: [(name: String, value: String)], compute: String) {
        guard !bytes.isEmpty else { return ([], "local") }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw APIError.invalidJSON("the body must be a JSON object such as {\"parameters\": {\"version\": 0}, \"compute\": \"local\"}")
        }
        for key in object.keys.sorted() where key != "parameters" && key != "compute" {
            throw APIError.invalidInput("unknown field '\(key)' — the body takes \"parameters\" and \"compute\"",
                                        details: [RecordError(row: 0, field: key, problem: "unknown field")])
        }
        var parameters: [(name: String, value: String)] = []
        if let given = object["parameters"] {
            guard let dictionary = given as? [String: Any] else {
                throw APIError.invalidInput("\"parameters\" must be an object of name: value", details: [RecordError(row: 0, field: "parameters", problem: "expected an object")])
            }
            for key in dictionary.keys.sorted() {
                let value = dictionary[key]!
                switch value {
                case let text as String: parameters.append((key, text))
                case let number as NSNumber:
                    // JSON true/false arrive as NSNumber too; their objCType is "c".
                    let isBool = String(cString: number.objCType) == "c"
                    parameters.append((key, isBool ? (number.boolValue ? "true" : "false") : number.stringValue))
                default:
                    throw APIError.invalidInput("parameter '\(key)' must be a string, number or boolean",
                                                details: [RecordError(row: 0, field: key, problem: "expected a scalar")])
                }
            }
        }
        var compute = "local"
        if let given = object["compute"] {
            guard let name = given as? String else {
                throw APIError.invalidInput("\"compute\" must be a target's name", details: [RecordError(row: 0, field: "compute", problem: "expected a string")])
            }
            compute = name
        }
        return (parameters, compute)
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
            return WorkspaceAPI.json(.notFound, APIError(status: .notFound, code: "not_found", message: "no route \(request.method.rawValue) \(request.uri.path) — see GET /api/pipelines, POST /api/pipelines/NAME/runs, GET /api/runs/ID").body)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return WorkspaceAPI.json(.contentTooLarge, APIError.payloadTooLarge(limit: 1 << 20).body)
        } catch let error as WorkspaceError {
            return WorkspaceAPI.json(.unprocessableContent, APIError.invalidInput(error.message).body)
        } catch {
            return WorkspaceAPI.json(.internalServerError, APIError.internalError().body)
        }
    }
}

/// One SQLite connection shared by the request handlers, one caller at a time.
final class LockedWorkspace: @unchecked Sendable {
    private let workspace: Workspace
    private let lock = NSLock()

    init(_ workspace: Workspace) { self.workspace = workspace }

    func with<T>(_ body: (Workspace) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(workspace)
    }
}
