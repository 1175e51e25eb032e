import Foundation
import RappiClient
import RappiWorkspace

/// What a model server's `/health/ready` must echo to show it is the server just started, and
/// not whatever else answers on that port: the nonce it was given (in its environment, which
/// other users cannot read) and the SHA-256 of the model file it loaded.
public struct ReadinessProof: Sendable {
    /// The environment variable `serve-model` reads the nonce from.
    public static let nonceVariable = "RAPPI_READY_NONCE"

    public let nonce: String
    public let modelHash: String

    public init(nonce: String, modelHash: String) {
        self.nonce = nonce
        self.modelHash = modelHash
    }

    /// A fresh proof for a server about to serve the model with this hash.
    public static func fresh(modelHash: String) -> ReadinessProof {
        ReadinessProof(nonce: Workspace.randomHex(bytes: 16), modelHash: modelHash)
    }

    /// nil when `body` (a /health/ready answer) carries this nonce and model hash, else what is wrong.
    public func mismatch(in body: [UInt8]) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        guard let object else { return "its answer is not a rappi readiness document" }
        guard object["nonce"] as? String == nonce else {
            return "it does not echo this deployment's nonce (model \(object["model"] ?? "?") v\(object["version"] ?? "?"))"
        }
        guard object["model_sha256"] as? String == modelHash else {
            return "it serves model sha256 \(String((object["model_sha256"] as? String ?? "?").prefix(12))), not \(modelHash.prefix(12))"
        }
        return nil
    }
}

/// Waits for a freshly started server to say it is ready.
public enum Readiness {
    /// Polls `url` with GET until it answers 200 or `timeout` seconds pass. On timeout throws a
    /// DeployError with the last answer or error, followed by `diagnostics()` (the log file's tail,
    /// the container's logs). When `alive` is given and returns false the wait ends at once —
    /// the process or container is gone and will never answer. With a `proof`, a 200 must also
    /// carry it: an answer without it comes from another program on that port, and the wait fails
    /// at once, saying so.
    public static func wait(url: String, timeout: Double, proof: ReadinessProof? = nil, alive: (() -> Bool)? = nil,
                            diagnostics: () -> String) throws {
        let started = Date()
        let deadline = started.addingTimeInterval(timeout)
        // Any certificate: the server proves it is the one just started by the proof it echoes, or
        // by being the process `alive` watches.
        let client = HTTPClient(trust: .proven)
        var last = "no answer yet"
        var delay = 0.05
        while true {
            let remaining = deadline.timeIntervalSinceNow
            var impostor: String?
            do {
                let response = try client.get(url, timeout: max(0.2, min(2, remaining)))
                if response.status == 200 {
                    guard let proof, let wrong = proof.mismatch(in: response.body) else { return }
                    impostor = wrong
                }
                let body = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
                last = "HTTP \(response.status)" + (body.isEmpty ? "" : ": \(body.prefix(200))")
            } catch {
                last = "\(error)"
            }
            if let impostor {
                throw failure("\(url) answered, but not from the server just started: \(impostor) — another program listens on that port", diagnostics())
            }
            if let alive, !alive() {
                throw failure("the server exited before \(url) answered 200 (last: \(last))", diagnostics())
            }
            if Date() >= deadline {
                let waited = String(format: "%.1f", Date().timeIntervalSince(started))
                throw failure("\(url) did not answer 200 within \(waited) s (last: \(last))", diagnostics())
            }
            Thread.sleep(forTimeInterval: min(delay, max(0, deadline.timeIntervalSinceNow)))
            delay = min(delay * 2, 0.5)
        }
    }

    private static func failure(_ message: String, _ diagnostics: String) -> DeployError {
        let detail = diagnostics.trimmingCharacters(in: .whitespacesAndNewlines)
        return DeployError(detail.isEmpty ? message : message + "\n" + detail)
    }
}
