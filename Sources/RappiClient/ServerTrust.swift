import CCurl

/// Which HTTPS server certificates a rappi client accepts.
public enum ServerTrust: Sendable, Equatable {
    /// Certificates signed by an authority the system trusts (and naming the host): the default.
    case system
    /// Certificates signed by the authority in this PEM file (a private CA; `ca=FILE`).
    case authority(String)
    /// Any certificate. Only for rappi's probes of a server it started itself, whose identity it
    /// proves another way (a readiness nonce, the model's hash): never for what a user asks.
    case proven

    /// Sets libcurl's verification options on `handle` (plain HTTP ignores them).
    func apply(to handle: UnsafeMutableRawPointer) {
        switch self {
        case .system:
            break
        case .authority(let file):
            rappi_curl_setopt_string(handle, CURLOPT_CAINFO, file)
        case .proven:
            rappi_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            rappi_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    /// A failed request's reason, saying what to do when the certificate was the problem.
    func explain(_ code: CURLcode) -> String {
        let reason = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            if case .authority(let file) = self {
                return "the server's TLS certificate is not signed by the certificate authority in \(file), or does not name this host (\(reason))"
            }
            return "the server's TLS certificate is not trusted (\(reason)) — for a private certificate authority, give its certificate with ca=FILE"
        case CURLE_SSL_CACERT_BADFILE:
            if case .authority(let file) = self { return "cannot use \(file) as a certificate authority: it is missing or not a PEM certificate (\(reason))" }
            return reason
        default:
            return reason
        }
    }
}
