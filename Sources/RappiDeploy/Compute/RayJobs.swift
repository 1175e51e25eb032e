import Foundation
import RappiClient
import RappiWorkspace

/// A Ray cluster's Jobs REST API (the dashboard, `http://HOST:8265`) over libcurl:
/// `POST /api/jobs/`, `GET /api/jobs/{id}`, `POST /api/jobs/{id}/stop`, `GET /api/jobs/{id}/logs`,
/// and the nodes' resources for `compute list`. Not thread-safe: one per thread.
public final class RayJobs {
    public struct Job: Sendable {
        /// PENDING, RUNNING, STOPPED, SUCCEEDED or FAILED.
        public let status: String
        public let message: String?
        public let exitCode: Int?
        public var isTerminal: Bool { ["STOPPED", "SUCCEEDED", "FAILED"].contains(status) }
    }

    public struct Node: Sendable {
        public let address: String
        public let alive: Bool
        public let totalCPU: Double
        public let freeCPU: Double
        public let totalMemory: Double
        public let freeMemory: Double
        /// Custom resources (not CPU, memory, GPU or Ray's own `node:` markers): total.
        public let custom: [String: Double]
    }

    public let address: String
    private let client = HTTPClient()

    public init(address: String) {
        self.address = address.hasSuffix("/") ? String(address.dropLast()) : address
    }

    /// Submits a job; returns its submission id.
    public func submit(_ body: [String: Any]) throws -> String {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
        let object = try call("POST", "/api/jobs/", body: json)
        guard let id = object["submission_id"] as? String ?? object["job_id"] as? String else {
            throw WorkspaceError("the Ray cluster at \(address) accepted the job but returned no submission id")
        }
        return id
    }

    public func job(_ id: String) throws -> Job {
        let object = try call("GET", "/api/jobs/\(id)")
        return Job(status: object["status"] as? String ?? "PENDING", message: object["message"] as? String,
                   exitCode: (object["driver_exit_code"] as? NSNumber)?.intValue)
    }

    public func stop(_ id: String) throws { _ = try call("POST", "/api/jobs/\(id)/stop") }

    public func logs(_ id: String) throws -> String { try call("GET", "/api/jobs/\(id)/logs")["logs"] as? String ?? "" }

    /// Every node with its resources, total and free (the dashboard's node summary).
    public func nodes() throws -> [Node] {
        let object = try call("GET", "/nodes?view=summary")
        let summary = (object["data"] as? [String: Any])?["summary"] as? [[String: Any]] ?? []
        return summary.map { entry in
            let raylet = entry["raylet"] as? [String: Any] ?? [:]
            let total = (raylet["resources"] as? [String: Any] ?? entry["resources_total"] as? [String: Any] ?? [:])
                .compactMapValues { ($0 as? NSNumber)?.doubleValue }
            let available = (raylet["resourcesAvailable"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
            let custom = total.filter { !["CPU", "GPU", "memory", "object_store_memory"].contains($0.key) && !$0.key.hasPrefix("node:") && !$0.key.hasPrefix("accelerator_type") }
            return Node(address: entry["ip"] as? String ?? raylet["nodeManagerAddress"] as? String ?? "?",
                        alive: (raylet["state"] as? String ?? "ALIVE") == "ALIVE",
                        totalCPU: total["CPU"] ?? 0, freeCPU: available["CPU"] ?? total["CPU"] ?? 0,
                        totalMemory: total["memory"] ?? 0, freeMemory: available["memory"] ?? total["memory"] ?? 0, custom: custom)
        }
    }

    private func call(_ method: String, _ path: String, body: String? = nil) throws -> [String: Any] {
        let response: HTTPResponse
        do {
            response = try client.send(method, address + path, headers: body == nil ? [:] : ["Content-Type": "application/json"],
                                       body: body.map { Array($0.utf8) }, timeout: 30)
        } catch {
            throw WorkspaceError("cannot reach the Ray cluster at \(address) (\(method) \(path)): \(error) — is `ray start --head` running there, with its dashboard on that port?")
        }
        guard (200..<300).contains(response.status) else {
            throw WorkspaceError("the Ray cluster at \(address) answered \(response.status) to \(method) \(path): \(response.text.prefix(300))")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            throw WorkspaceError("the Ray cluster at \(address) answered \(method) \(path) with something that is not a JSON object: \(response.text.prefix(200))")
        }
        return object
    }
}
