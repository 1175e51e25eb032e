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
        /// Memory Ray may schedule on the node (what jobs' `entrypoint_memory` draws from).
        public let memory: Double
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

    /// Every node with its resources: totals from the dashboard's node summary, CPUs in use
    /// from its per-node usage report ("1.0/2.0 CPU"; all free when Ray has not reported yet).
    public func nodes() throws -> [Node] {
        let data = try call("GET", "/nodes?view=summary")["data"] as? [String: Any] ?? [:]
        let usage = data["node_logical_resources"] as? [String: String] ?? [:]
        return (data["summary"] as? [[String: Any]] ?? []).map { entry in
            let raylet = entry["raylet"] as? [String: Any] ?? [:]
            let total = (raylet["resourcesTotal"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
            let custom = total.filter { !["CPU", "GPU", "memory", "objectStoreMemory", "object_store_memory"].contains($0.key)
                && !$0.key.hasPrefix("node:") && !$0.key.hasPrefix("accelerator_type") }
            let usedCPU = (raylet["nodeId"] as? String).flatMap { usage[$0] }.flatMap(Self.usedCPU) ?? 0
            let memory = total["memory"] ?? 0
            return Node(address: "\(raylet["nodeManagerAddress"] as? String ?? entry["ip"] as? String ?? "?"):\((raylet["nodeManagerPort"] as? NSNumber)?.intValue ?? 0)",
                        alive: (raylet["state"] as? String ?? "ALIVE") == "ALIVE",
                        totalCPU: total["CPU"] ?? 0, freeCPU: max(0, (total["CPU"] ?? 0) - usedCPU),
                        memory: memory, custom: custom)
        }
    }

    /// "1.0/2.0 CPU" in Ray's usage report → 1.0.
    static func usedCPU(_ report: String) -> Double? {
        for line in report.split(separator: "\n") where line.hasSuffix(" CPU") {
            let fraction = line.trimmingCharacters(in: .whitespaces).dropLast(4).split(separator: "/")
            if let used = fraction.first.flatMap({ Double($0) }) { return used }
        }
        return nil
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
