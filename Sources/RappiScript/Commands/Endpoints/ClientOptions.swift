import RappiClient

/// Options every command that calls a server over HTTP(S) takes (`predict on`, `test endpoint`,
/// `profile endpoint`, `invoke pipeline`), declared once.
enum ClientOptions {
    static let ca = CommandOption<String?>("ca", kind: .path,
                                           help: "trust HTTPS certificates signed by this certificate authority (PEM) — for a private CA")

    /// Which certificates the command's requests accept: the system's authorities, or `ca=`'s.
    static func trust(_ call: BoundCall) throws -> ServerTrust {
        try call.path(ca.name).map { .authority($0.path) } ?? .system
    }
}
