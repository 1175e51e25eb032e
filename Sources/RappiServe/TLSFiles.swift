import Foundation
import NIOSSL

/// A server's certificate chain and private key, PEM files given as `tls-cert=` / `tls-key=`
/// (`--tls-cert` / `--tls-key`). Both are read when the server starts, and a server that cannot
/// use them does not start: it never falls back to plain HTTP.
public struct TLSFiles: Sendable, Equatable {
    public var certificate: String
    public var privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// TLS 1.2 or newer with the chain and key, checked to belong together.
    func serverConfiguration() throws -> TLSConfiguration {
        for (what, path) in [("certificate", certificate), ("private key", privateKey)] where !FileManager.default.isReadableFile(atPath: path) {
            throw ModelServerError("cannot read the TLS \(what) '\(path)' — no such readable file")
        }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw ModelServerError("cannot use the TLS certificate '\(certificate)': \(Self.reason(error)) — give a PEM file holding the server's certificate (then its chain)")
        }
        guard !chain.isEmpty else { throw ModelServerError("the TLS certificate file '\(certificate)' holds no certificate") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: privateKey, format: .pem) } catch {
            throw ModelServerError("cannot use the TLS private key '\(privateKey)': \(Self.reason(error)) — give the certificate's private key as an unencrypted PEM file")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw ModelServerError("the TLS private key '\(privateKey)' does not belong to the certificate '\(certificate)' (\(Self.reason(error)))")
        }
        return configuration
    }

    private static func reason(_ error: Error) -> String {
        "\(error)".replacingOccurrences(of: "\n", with: " ")
    }
}
