import Foundation
import RappiClient

/// Waits for a freshly started server to say it is ready.
public enum Readiness {
    /// Polls `url` with GET until it answers 200 or `timeout` seconds pass. On timeout throws a
    /// DeployError with the last answer or error, followed by `diagnostics()` (the log file's tail,
    /// the container's logs). When `alive` is given and returns false the wait ends at once —
    /// the process or container is gone and will never answer.
    public static func wait(url: String, timeout: Double, alive: (() -> Bool)? = nil, diagnostics: () -> String) throws {
        let started = Date()
        let deadline = started.addingTimeInterval(timeout)
        let client = HTTPClient()
        var last = "no answer yet"
        var delay = 0.05
        while true {
            let remaining = deadline.timeIntervalSinceNow
            do {
                let response = try client.get(url, timeout: max(0.2, min(2, remaining)))
                if response.status == 200 { return }
                let body = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
                last = "HTTP \(response.status)" + (body.isEmpty ? "" : ": \(body.prefix(200))")
            } catch {
                last = "\(error)"
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
