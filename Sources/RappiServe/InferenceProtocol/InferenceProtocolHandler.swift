import HTTPTypes
import Hummingbird
import RappiWorkspace

/// The Open Inference Protocol (KServe v2 REST) routes of a model server or the A/B router.
/// Health and metadata are open like `/health/*` and `/openapi.json`; infer takes the same key,
/// limits and body checks as `/score`. Errors take the protocol's body `{"error": "…"}`; an
/// answer `/score` gives as 422 (a value the model cannot take) is a 400 here, as the protocol says.
struct InferenceProtocolHandler: Sendable {
    let signature: InferenceSignature
    private let metadataBody: ByteBuffer
    private let modelReadyBody: ByteBuffer
    private static let serverBody = ByteBuffer(string: InferenceResponse.server(version: Workspace.rappiVersion))
    private static let liveBody = ByteBuffer(string: #"{"live":true}"#)
    private static let readyBody = ByteBuffer(string: #"{"ready":true}"#)
    private static let binaryHeader = HTTPField.Name("Inference-Header-Content-Length")!

    init(signature: InferenceSignature, target: String) {
        self.signature = signature
        metadataBody = ByteBuffer(string: InferenceResponse.metadata(signature, target: target))
        modelReadyBody = ByteBuffer(string: InferenceResponse.modelReady(signature))
    }

    /// The answer to `path`; `infer` scores the decoded records on the one prediction path.
    func respond(_ path: InferencePath, _ request: Request, keys: APIKeyStore, maxBodyBytes: Int, limiter: InFlightLimiter,
                 infer: ([JSONRecord]) throws -> InferenceResponse.Values) async -> Response {
        do {
            let allowed: HTTPRequest.Method = path.isInfer ? .post : .get
            guard request.method == allowed else {
                throw APIError(status: .methodNotAllowed, code: "method_not_allowed",
                               message: "\(ModelResponder.printablePath(request.uri.path)) does not accept \(request.method.rawValue); use \(allowed.rawValue)",
                               headers: [.allow: allowed.rawValue])
            }
            if let model = path.model { try checkModel(model) }
            switch path {
            case .server: return ModelResponder.response(.ok, body: Self.serverBody, type: ModelResponder.jsonType)
            case .live: return ModelResponder.response(.ok, body: Self.liveBody, type: ModelResponder.jsonType)
            case .ready: return ModelResponder.response(.ok, body: Self.readyBody, type: ModelResponder.jsonType)
            case .model: return ModelResponder.response(.ok, body: metadataBody, type: ModelResponder.jsonType)
            case .modelReady: return ModelResponder.response(.ok, body: modelReadyBody, type: ModelResponder.jsonType)
            case .infer:
                guard limiter.tryEnter() else { throw APIError.overloaded(limit: limiter.limit) }
                defer { limiter.leave() }
                if request.headers[Self.binaryHeader] != nil {
                    throw InferenceRequest.bad("binary tensor data (the binary data extension) is not supported; send the tensors as JSON (tritonclient: binary_data=False)")
                }
                let body = try await ModelResponder.authorizedBody(request, keys: keys, maxBodyBytes: maxBodyBytes, checksContentType: false)
                let decoded = try body.withUnsafeReadableBytes { try InferenceRequest.decode($0, signature: signature) }
                let values = try infer(decoded.records)
                let text = InferenceResponse.infer(values, signature: signature, id: decoded.id, requested: decoded.requestedOutputs)
                return ModelResponder.response(.ok, body: ByteBuffer(string: text), type: ModelResponder.jsonType)
            }
        } catch let error as APIError {
            return Self.errorResponse(error)
        } catch {
            return Self.errorResponse(.internalError())
        }
    }

    /// 404 unless `model` is the one served (and the version, when given, is its version).
    private func checkModel(_ model: (name: String, version: String?)) throws {
        let served = signature.version.map { "'\(signature.name)' version \($0)" } ?? "'\(signature.name)'"
        guard model.name == signature.name else {
            throw APIError(status: .notFound, code: "not_found",
                           message: "no model '\(ModelResponder.printablePath(model.name))' here; this server serves \(served) at /v2/models/\(signature.name)")
        }
        if let version = model.version, version != signature.version {
            throw APIError(status: .notFound, code: "not_found",
                           message: "no version '\(ModelResponder.printablePath(version))' of '\(signature.name)' here; this server serves \(served)")
        }
    }

    static func errorResponse(_ error: APIError) -> Response {
        let status: HTTPResponse.Status = error.status == .unprocessableContent ? .badRequest : error.status
        var response = ModelResponder.response(status, body: ByteBuffer(string: InferenceResponse.error(error)), type: ModelResponder.jsonType)
        for field in error.headers { response.headers.append(field) }
        return response
    }
}
