import Foundation
import Crypto

/// Bearer tokens of published pipelines are stored as `sha256:HEX`: someone who reads the
/// workspace database learns no token. A token is 24 random bytes, so an unsalted hash is safe.
public enum PublishingToken {
    public static func hash(_ token: some StringProtocol) -> String {
        "sha256:" + SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without stopping at the first difference, so timing tells nothing.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
