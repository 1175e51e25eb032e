import Foundation
import Crypto

/// Bearer tokens of published pipelines are stored as `sha256:HEX`: someone who reads the
/// workspace database learns no token. A token is 24 random bytes, so an unsalted hash is safe.
public enum PublishingToken {
    public static func hash(_ token: some StringProtocol) -> String {
        "sha256:" + SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
