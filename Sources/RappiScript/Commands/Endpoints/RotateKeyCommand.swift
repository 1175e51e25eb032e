import Foundation
import RappiClient
import RappiDeploy
import RappiWorkspace

/// `endpoint rotate-key NAME` — a new primary key; the old primary keeps working as the
/// secondary until the next rotation, so clients can move over without downtime. Returns once
/// the live server accepts the new key (it re-reads its keys file within about 100 ms).
public enum RotateKeyCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.endpoint), help: "an endpoint from `endpoints`")

    public static let signature = CommandSignature(
        "endpoint rotate-key", area: "endpoints",
        summary: "Give an endpoint a new primary API key (the previous one becomes the secondary); returns once the server accepts it.",
        pattern: [name.spec],
        examples: ["endpoint rotate-key titanic_rf"])

    /// How long the server may take to accept the new key before rotation counts as failed.
    static let acceptanceTimeout = 10.0

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let workspace = try context.workspace()
        let endpoint = try workspace.endpoint(name)
        guard endpoint.auth == "key", let keys = try EndpointKeys.read(workspace, endpoint: name) else {
            throw call.error("\(name) was deployed with auth=none — redeploy it with auth=key to use keys", at: "name")
        }
        let rotated = keys.rotated()
        try rotated.write(workspace, endpoint: name)
        let secondary = "  the previous key still works as the secondary until the next rotation"
        if endpoint.target == "kubernetes" {
            // The pods read their keys from the Secret's file: the Secret carries the rotation. A
            // rehearsal pod re-reads its file at once and is checked below like any server; a
            // cluster syncs Secret volumes on its own schedule, and an unapplied one runs nothing.
            let kubernetes = KubernetesEndpoints(workspace: workspace)
            let published = try kubernetes.publish(rotated, endpoint: endpoint)
            if case .rehearsed = kubernetes.state(of: endpoint) {} else {
                var result = CommandResult("\(name): new primary key \(rotated.primary) — \(published)\n\(secondary)")
                result.secrets = [rotated.primary]  // kept out of run records and step logs
                return result
            }
        }
        if case .down(let why) = Deployer(workspace: workspace).health(endpoint) {
            var result = CommandResult("\(name): new primary key \(rotated.primary) — not checked: \(name) is down (\(why))\n\(secondary)")
            result.secrets = [rotated.primary]  // kept out of run records and step logs
            return result
        }
        let waited = try waitUntilAccepted(rotated.primary, by: endpoint)
        var result = CommandResult("\(name): new primary key \(rotated.primary), accepted by the server after \(String(format: "%.2f", waited)) s\n\(secondary)")
        result.secrets = [rotated.primary]  // kept out of run records and step logs
        return result
    }

    /// Sends an empty prediction request with `key` until the answer is anything but 401 (an
    /// empty batch is refused for its content, after the key was checked); returns the seconds waited.
    static func waitUntilAccepted(_ key: String, by endpoint: EndpointRecord) throws -> Double {
        let started = Date()
        // Only after `health` found the endpoint's own server process on that port (a port has one
        // listener), so its certificate need not be checked against an authority.
        let client = HTTPClient(trust: .proven)
        var last = "no answer"
        while Date().timeIntervalSince(started) < acceptanceTimeout {
            do {
                let response = try client.post(endpoint.url + "/score", json: #"{"data": []}"#,
                                               headers: ["Authorization": "Bearer \(key)"], timeout: 2)
                if response.status != 401 { return Date().timeIntervalSince(started) }
                last = "HTTP 401"
            } catch {
                last = "\(error)"
            }
            usleep(20_000)
        }
        throw CommandFailure("""
            the new key for \(endpoint.name) is written, but the server did not accept it within \
            \(Int(acceptanceTimeout)) s (last answer: \(last)) — the previous key still works; check `endpoints`
            """)
    }
}
