import RappiWorkspace

extension Completer {
    /// The completer the REPL and the kernel use: stored names from the session's workspace,
    /// `$names` from what the session has published so far.
    public init(session: Session, workspace: Workspace, table: CommandTable = .standard) {
        self.init(
            table: table,
            storedNames: { catalog in
                switch catalog {
                case .dataset: return workspace.datasetNames()
                case .pipeline: return ((try? workspace.pipelines()) ?? []).map(\.name)
                case .publishedPipeline: return ((try? workspace.publishedPipelines()) ?? []).map(\.name)
                case .compute: return ((try? workspace.computeTargets()) ?? []).map(\.name)
                case .model: return workspace.modelNames()
                case .endpoint: return ((try? workspace.endpoints()) ?? []).map(\.name)
                case .experiment: return ((try? workspace.experiments()) ?? []).map(\.name)
                }
            },
            publishedNames: { [session] in session.published.keys.sorted() })
    }
}
