import Foundation
import RappiDeploy

/// Options every command that starts an HTTP server takes (`deploy`, `abtest start`), declared once.
enum ServerOptions {
    static let port = CommandOption<Int?>("port", OptionRule { (1...65535).contains($0) ? nil : "must be between 1 and 65535" },
                                          help: "host port (default: a free one)")
    static let auth = CommandOption("auth", default: AuthMode.key, help: "require an API key (Authorization: Bearer KEY)")
    static let tlsCert = CommandOption<String?>("tls-cert", kind: .path,
                                                help: "serve HTTPS with this certificate (PEM, its chain may follow); needs tls-key=")
    static let tlsKey = CommandOption<String?>("tls-key", kind: .path, help: "the private key of tls-cert= (PEM, unencrypted)")

    static var specs: [OptionSpec] { [port.spec, auth.spec, tlsCert.spec, tlsKey.spec] }

    /// The certificate and key, both given or neither; paths resolve as every path in a script does.
    static func tls(_ call: BoundCall) throws -> ServerTLS? {
        let certificate = try call.path(tlsCert.name), key = try call.path(tlsKey.name)
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (let certificate?, let key?):
            for (option, file) in [(tlsCert.name, certificate), (tlsKey.name, key)] where !FileManager.default.isReadableFile(atPath: file.path) {
                throw call.error("\(option)=\(file.path): no such readable file", at: option)
            }
            return ServerTLS(certificate: certificate.path, key: key.path)
        case (nil, _):
            throw call.error("tls-key= needs tls-cert=: give the certificate and its private key together", at: tlsKey.name)
        case (_, nil):
            throw call.error("tls-cert= needs tls-key=: give the certificate and its private key together", at: tlsCert.name)
        }
    }
}

/// Whether a server requires an API key.
enum AuthMode: String, ChoiceOptionText {
    case key, none
}
