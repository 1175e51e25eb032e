/// Keeps secrets out of what rappi records (run cells, pipeline step logs and outputs, access
/// logs): they are shown once, to whoever asked, and stored as `[redacted]`.
public enum SecretRedaction {
    public static let marker = "[redacted]"

    /// `text` with every occurrence of each secret (tokens, API keys a command printed) replaced.
    public static func redacting(_ secrets: [String], in text: String) -> String {
        var out = text
        for secret in secrets where secret.count >= 8 && out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: marker)
        }
        return out
    }

    /// Query parameter names whose values are credentials (compared case-insensitively).
    static let secretParameters: Set<String> = [
        "api_key", "apikey", "api-key", "key", "token", "access_token", "auth", "authorization",
        "password", "passwd", "secret", "client_secret", "signature", "sig", "code",
    ]

    /// An access-log line with the values of credential-like query parameters replaced:
    /// `POST /score?api_key=abc&x=1` → `POST /score?api_key=[redacted]&x=1`. Lines without `?`
    /// are returned as they are, without copying.
    public static func redactingQuery(_ line: String) -> String {
        guard line.utf8.contains(UInt8(ascii: "?")) else { return line }
        var out = ""
        out.reserveCapacity(line.utf8.count)
        var inQuery = false, inName = false, redacting = false
        var name = ""
        for character in line {
            switch character {
            case "?" where !inQuery, "&" where inQuery, ";" where inQuery:
                inQuery = true; inName = true; name = ""; redacting = false
                out.append(character)
            case " ":
                inQuery = false; inName = false; redacting = false
                out.append(character)
            case "=" where inName:
                inName = false
                out.append(character)
                if secretParameters.contains(name.removingPercentEncodingLossy.lowercased()) {
                    redacting = true
                    out += marker
                }
            default:
                if redacting { continue }
                if inName { name.append(character) }
                out.append(character)
            }
        }
        return out
    }
}

private extension String {
    /// `%5F` → `_` (so `api%5Fkey` is recognised); invalid escapes are kept.
    var removingPercentEncodingLossy: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value); utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
