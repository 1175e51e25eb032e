import RappiWorkspace

/// Who a workspace-server request comes from, decided once from its bearer token, and what that
/// caller may touch. Every route asks this one type, so a new kind of credential is one more case.
///
/// - `owner`: the running server's own credential (`server.json`, for `invoke pipeline` and
///   `run pipeline` on this machine): every published pipeline and every run.
/// - `pipeline`: a published pipeline's token: triggers that pipeline and reads its runs, and
///   nothing else — another pipeline, or its run, answers 404 whether it exists or not.
enum WorkspaceCaller: Sendable {
    case owner
    case pipeline(PublishedPipeline)

    /// The caller `token` names; 401 when it names nobody. The owner's credential is compared in
    /// constant time; a pipeline token is looked up by its SHA-256, so the lookup's timing depends
    /// on the hash, which tells an attacker nothing about the token.
    static func identify(_ token: String, owner: String?, in workspace: Workspace) throws -> WorkspaceCaller {
        if let owner, ConstantTime.equal(token, owner) { return .owner }
        guard let published = try workspace.publishedPipeline(acceptingToken: token) else {
            throw APIError.unauthorized("the bearer token is not valid for any published pipeline")
        }
        return .pipeline(published)
    }

    /// Whether the caller may see or trigger the published pipeline `name`.
    func mayUse(pipeline name: String) -> Bool {
        switch self {
        case .owner: return true
        case .pipeline(let published): return published.name == name
        }
    }

    func mayRead(_ run: PipelineRun) -> Bool { mayUse(pipeline: run.pipeline) }
}
