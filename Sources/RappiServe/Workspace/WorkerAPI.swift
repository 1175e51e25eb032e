import Foundation
import Hummingbird
import NIOCore
import RappiML
import RappiWorkspace

/// The workspace server as the control plane of remote pipeline workers (`rappi pipeline-worker
/// --server URL --token T --run ID`, e.g. on a Ray node). Every call carries the worker token the
/// executor made for that run (`WorkerTokens`), valid only while the run is running:
///
///     GET  /api/worker/runs/{id}                        the rows the run needs (WorkspaceReplica)
///     GET  /api/worker/runs/{id}/artifacts/{hash}       a dataset or model file, by content hash
///     PUT  /api/worker/runs/{id}/artifacts/{hash}?kind= a model file the run made (verified against the hash)
///     POST /api/worker/runs/{id}/steps/{n}/start
///     POST /api/worker/runs/{id}/steps/{n}/finish       the step's outcome (StepOutcome wire object)
///     GET  /api/worker/runs/{id}/reusable?fingerprint=  the latest successful step with that fingerprint
///     POST /api/worker/runs/{id}/models                 registers an uploaded model file as a run would
///     POST /api/worker/runs/{id}/finish                 {status, error, outputs_json}
///     POST /api/worker/runs/{id}/heartbeat
///
/// The server records with the very calls a local worker makes (`markStepRunning`, `finishStep`,
/// `registerModel`, `storeArtifact`, `finishPipelineRun`), so a remote run leaves the same rows.
struct WorkerAPI: Sendable {
    let store: WorkspaceStore
    let tokens: WorkerTokens
    /// Uploaded model files can be large; only a valid worker token gets to send one.
    let maxUploadBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/worker/runs/:id") { request, context in
            let runID = try authorize(request, context)
            return try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                let replica = try WorkspaceReplica.export(runID: runID, from: workspace)
                return try Self.json(.ok, ["replica": replica])
            }
        }
        router.get("/api/worker/runs/:id/artifacts/:hash") { request, context in
            let runID = try authorize(request, context)
            let hash = try Self.hash(context)
            let data: Data = try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                guard try workspace.hasArtifactRecord(hash) else {
                    throw APIError(status: .notFound, code: "not_found", message: "no artifact \(hash.prefix(12)) in this workspace")
                }
                return try workspace.artifacts.read(hash)
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.put("/api/worker/runs/:id/artifacts/:hash") { request, context in
            let runID = try authorize(request, context)
            let hash = try Self.hash(context)
            let kind = request.uri.queryParameters.get("kind") ?? "model-state"
            guard ["model", "model-state"].contains(kind) else {
                throw APIError.invalidInput("kind must be model or model-state", details: [RecordError(row: 0, field: "kind", problem: "unknown kind")])
            }
            var body = try await ModelResponder.collectBody(request, maxBodyBytes: maxUploadBytes)
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            let received = bytes.withUnsafeBytes { ArtifactStore.hash($0) }
            guard received == hash else {
                throw APIError.invalidInput("the uploaded bytes have SHA-256 \(received.prefix(12)), not \(hash.prefix(12)) — upload damaged, nothing stored")
            }
            try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                _ = try workspace.storeArtifact(bytes, kind: kind)
            }
            return Response(status: .noContent)
        }
        router.post("/api/worker/runs/:id/steps/:step/start") { request, context in
            let runID = try authorize(request, context)
            let step = try Self.step(context)
            try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                try workspace.markStepRunning(runID, step: step)
            }
            return Response(status: .noContent)
        }
        router.post("/api/worker/runs/:id/steps/:step/finish") { request, context in
            let runID = try authorize(request, context)
            let step = try Self.step(context)
            let outcome = try StepOutcome(wire: try await Self.object(request, limit: maxUploadBytes))
            try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                if let state = outcome.stateJSON, let model = Self.modelHash(inState: state), !workspace.artifacts.contains(model) {
                    throw APIError.invalidInput("the step's state names model file \(model.prefix(12)), which was not uploaded first")
                }
                try workspace.finishStep(runID, step: step, outcome)
            }
            return Response(status: .noContent)
        }
        router.get("/api/worker/runs/:id/reusable") { request, context in
            let runID = try authorize(request, context)
            guard let fingerprint = request.uri.queryParameters.get("fingerprint"), !fingerprint.isEmpty else {
                throw APIError.invalidInput("give ?fingerprint=HEX", details: [RecordError(row: 0, field: "fingerprint", problem: "missing")])
            }
            return try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                let step: Any = try workspace.reusableStep(fingerprint: fingerprint).map { $0.wireObject } ?? NSNull()
                return try Self.json(.ok, ["step": step])
            }
        }
        router.post("/api/worker/runs/:id/models") { request, context in
            let runID = try authorize(request, context)
            let object = try await Self.object(request, limit: 1 << 20)
            guard let hash = object["content_hash"] as? String, Self.isHash(hash) else {
                throw APIError.invalidInput("\"content_hash\" must be the SHA-256 of the uploaded model file",
                                            details: [RecordError(row: 0, field: "content_hash", problem: "missing")])
            }
            let described = try ModelRegistration(wire: object, bytes: [], runID: runID)
            return try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                guard workspace.artifacts.contains(hash) else {
                    throw APIError.invalidInput("model file \(hash.prefix(12)) was not uploaded — PUT it to artifacts/\(hash) first")
                }
                var registration = described
                registration.bytes = [UInt8](try workspace.artifacts.read(hash))
                let registered = try workspace.registerModel(registration).version
                return try Self.json(.ok, ["name": registered.name, "version": registered.version, "content_hash": registered.contentHash])
            }
        }
        router.post("/api/worker/runs/:id/finish") { request, context in
            let runID = try authorize(request, context)
            let object = try await Self.object(request, limit: 1 << 20)
            guard let status = object["status"] as? String, ["succeeded", "failed"].contains(status) else {
                throw APIError.invalidInput("\"status\" must be succeeded or failed", details: [RecordError(row: 0, field: "status", problem: "invalid")])
            }
            let error = object["error"] as? String, outputs = object["outputs_json"] as? String ?? "{}"
            try await store.with { workspace in
                try Self.requireRunning(runID, in: workspace)
                try workspace.finishPipelineRun(runID, status: status, error: error, outputsJSON: outputs)
            }
            return Response(status: .noContent)
        }
        router.post("/api/worker/runs/:id/heartbeat") { request, context in
            _ = try authorize(request, context)
            return Response(status: .noContent)
        }
    }

    /// The run the path names, when the bearer token was issued for it (the call counts as a heartbeat).
    private func authorize(_ request: Request, _ context: BasicRequestContext) throws -> Int {
        let text = context.parameters.get("id") ?? ""
        guard let runID = Int(text) else {
            throw APIError(status: .notFound, code: "not_found", message: "no pipeline run '\(text.prefix(40))'")
        }
        guard let header = request.headers[.authorization], let token = ModelResponder.bearerToken(header) else {
            throw APIError.unauthorized("missing worker token — send Authorization: Bearer TOKEN (given to the worker with --token)")
        }
        guard tokens.runID(accepting: token) == runID else {
            throw APIError.unauthorized("this worker token is not valid for run \(runID) — a worker token serves one run and expires when its attempt ends")
        }
        return runID
    }

    private static func requireRunning(_ runID: Int, in workspace: Workspace) throws {
        let run = try workspace.pipelineRun(runID)
        guard run.status == "running" else {
            throw APIError(status: .conflict, code: "conflict", message: "run \(runID) is \(run.status), not running — this worker's attempt is over")
        }
    }

    private static func hash(_ context: BasicRequestContext) throws -> String {
        let hash = context.parameters.get("hash") ?? ""
        guard isHash(hash) else { throw APIError.invalidInput("an artifact is named by its SHA-256: 64 lowercase hex digits") }
        return hash
    }

    private static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func step(_ context: BasicRequestContext) throws -> Int {
        guard let step = context.parameters.get("step").flatMap(Int.init), step > 0 else {
            throw APIError.invalidInput("a step is named by its number, from 1")
        }
        return step
    }

    private static func modelHash(inState json: String) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return nil }
        return object["modelHash"] as? String
    }

    private static func object(_ request: Request, limit: Int) async throws -> [String: Any] {
        try ModelResponder.checkContentType(request)
        var body = try await ModelResponder.collectBody(request, maxBodyBytes: limit)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw APIError.invalidJSON("the body must be a JSON object")
        }
        return object
    }

    private static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
