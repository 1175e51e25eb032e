import Foundation
import Crypto
import RappiWorkspace

/// What identifies a step's work: rappi's version, the command, every argument and option as
/// resolved (defaults included), and the digest of the session state it starts from (dataset
/// content hash, split, preprocessing, model hash). Equal fingerprints mean equal results.
enum StepFingerprint {
    static func make(_ invocation: Invocation, call: BoundCall, stateDigest: String) throws -> String {
        let signature = invocation.command.signature
        var lines = ["rappi \(Workspace.rappiVersion)", "command \(signature.name)"]
        for argument in signature.arguments {
            if let value = try call.text(argument.name) { lines.append("argument \(argument.name)=\(value)") }
        }
        for option in signature.options {
            if let value = try call.text(option.name) { lines.append("option \(option.name)=\(value)") }
        }
        lines += try call.restTexts().map { "word \($0)" }
        lines += try call.tags().map { "tag \($0.key)=\($0.value)" }
        lines.append("state \(stateDigest)")
        return SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
