import Crypto
import Foundation

/// A Jupyter message on the wire: routing identities, `<IDS|MSG>`, the HMAC-SHA256 signature of
/// the four JSON parts, then header, parent header, metadata and content (protocol 5.3).
struct KernelMessage {
    static let delimiter = Array("<IDS|MSG>".utf8)
    static let protocolVersion = "5.3"

    var identities: [[UInt8]] = []
    var header: [String: Any]
    var parentHeader: [String: Any] = [:]
    var metadata: [String: Any] = [:]
    var content: [String: Any] = [:]

    var type: String { header["msg_type"] as? String ?? "" }

    /// Signs and checks messages with the connection file's key (an empty key means unsigned).
    struct Signer: Sendable {
        let key: [UInt8]?

        init(key: String) { self.key = key.isEmpty ? nil : Array(key.utf8) }

        func signature(_ parts: [[UInt8]]) -> String {
            guard let key else { return "" }
            var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
            for part in parts { mac.update(data: part) }
            return Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
        }
    }

    enum DecodeFailure: Error {
        case malformed(String)
        case badSignature
    }

    /// Reads a received multipart message, rejecting it unless its signature matches.
    init(frames: [[UInt8]], signer: Signer) throws {
        guard let split = frames.firstIndex(of: Self.delimiter), frames.count >= split + 6 else {
            throw DecodeFailure.malformed("no <IDS|MSG> delimiter followed by signature and four parts")
        }
        let parts = Array(frames[(split + 2)..<(split + 6)])
        let expected = signer.signature(parts)
        // Constant-time comparison: the signature must not leak through timing.
        let given = Array(frames[split + 1])
        let wanted = Array(expected.utf8)
        guard given.count == wanted.count, zip(given, wanted).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw DecodeFailure.badSignature
        }
        func object(_ bytes: [UInt8]) throws -> [String: Any] {
            guard let value = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw DecodeFailure.malformed("a message part is not a JSON object")
            }
            return value
        }
        identities = Array(frames[..<split])
        header = try object(parts[0])
        parentHeader = try object(parts[1])
        metadata = try object(parts[2])
        content = try object(parts[3])
    }

    /// A new message of `type`, answering `parent` (nil for none).
    init(type: String, session: String, parent: KernelMessage?, content: [String: Any], identities: [[UInt8]] = []) {
        header = [
            "msg_id": UUID().uuidString.lowercased(), "session": session, "username": "rappi",
            "date": Self.timestamp(), "msg_type": type, "version": Self.protocolVersion,
        ]
        parentHeader = parent?.header ?? [:]
        self.content = content
        self.identities = identities
    }

    func frames(signer: Signer) -> [[UInt8]] {
        let parts = [header, parentHeader, metadata, content].map { Self.encode($0) }
        return identities + [Self.delimiter, Array(signer.signature(parts).utf8)] + parts
    }

    private static func encode(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
