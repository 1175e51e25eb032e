import ArgumentParser
import RappiServe

/// `--tls-cert FILE --tls-key FILE`: serve HTTPS — declared once for `serve`, `serve-model` and
/// `serve-router`.
struct TLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serve HTTPS with this certificate (PEM; its chain may follow). Needs --tls-key.", valueName: "file"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("The certificate's private key (PEM, unencrypted).", valueName: "file"))
    var tlsKey: String?

    /// Both files or neither.
    func files() throws -> TLSFiles? {
        switch (tlsCert, tlsKey) {
        case (nil, nil): return nil
        case (let certificate?, let key?): return TLSFiles(certificate: certificate, privateKey: key)
        default: throw ValidationError("--tls-cert and --tls-key go together: give the certificate and its private key")
        }
    }
}
