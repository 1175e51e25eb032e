/// A server's certificate and key files: the server is started with `--tls-cert`/`--tls-key`
/// and its URL is `https://`.
public struct ServerTLS: Equatable, Sendable {
    public let certificate: String
    public let key: String

    public init(certificate: String, key: String) { self.certificate = certificate; self.key = key }

    public var arguments: [String] { ["--tls-cert", certificate, "--tls-key", key] }
    public static func scheme(_ tls: ServerTLS?) -> String { tls == nil ? "http" : "https" }
}
