import Foundation
import RappiML

/// A deployed model endpoint, as recorded in the workspace.
public struct EndpointRecord: Sendable, Equatable {
    public let name: String
    public let model: String
    public let modelVersion: Int
    public let modelHash: String
    /// `local` (a detached process) or `aci` (a container instance).
    public let target: String
    public let url: String
    public let port: Int
    public let pid: Int?
    public let container: String?
    public let image: String?
    /// `key` or `none`.
    public let auth: String
    /// What `deploy` was given after the model's name when it can move on: `latest`, `staging` or
    /// `production`; nil when a version was pinned (`MODEL:v2`, the model just registered).
    public let deployedFrom: String?
    public let createdAt: String

    public init(name: String, model: String, modelVersion: Int, modelHash: String, target: String, url: String, port: Int,
                pid: Int?, container: String?, image: String?, auth: String, deployedFrom: String? = nil,
                createdAt: String = Timestamp.now()) {
        self.name = name; self.model = model; self.modelVersion = modelVersion; self.modelHash = modelHash
        self.target = target; self.url = url; self.port = port; self.pid = pid; self.container = container
        self.image = image; self.auth = auth; self.deployedFrom = deployedFrom; self.createdAt = createdAt
    }
}

extension Workspace {
    /// Where an endpoint's files live: its API keys (0600) and its logs. The name is checked
    /// first, so no name can point outside the workspace.
    public func endpointDirectory(_ name: String) throws -> URL {
        try Self.validateName(name, kind: "endpoint")
        let url = directory.appendingPathComponent("endpoints").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return url
    }

    public func saveEndpoint(_ endpoint: EndpointRecord) throws {
        try Self.validateName(endpoint.name, kind: "endpoint")
        try database.writeTransaction {
            try database.run("DELETE FROM endpoints WHERE name = ?", [.text(endpoint.name)])
            try database.run("""
                INSERT INTO endpoints (name, model, model_version, model_hash, target, url, port, pid, container, image, auth,
                                       deployed_from, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(endpoint.name), .text(endpoint.model), SQLValue(endpoint.modelVersion), .text(endpoint.modelHash),
                      .text(endpoint.target), .text(endpoint.url), SQLValue(endpoint.port), endpoint.pid.map(SQLValue.init) ?? .null,
                      SQLValue(endpoint.container), SQLValue(endpoint.image), .text(endpoint.auth),
                      SQLValue(endpoint.deployedFrom), .text(endpoint.createdAt)])
        }
    }

    public func endpoints() throws -> [EndpointRecord] {
        try database.query("""
            SELECT name, model, model_version, model_hash, target, url, port, pid, container, image, auth, created_at, deployed_from
            FROM endpoints ORDER BY name
            """).map(Self.endpointRecord)
    }

    public func endpoint(_ name: String) throws -> EndpointRecord {
        if let row = try database.query("""
            SELECT name, model, model_version, model_hash, target, url, port, pid, container, image, auth, created_at, deployed_from
            FROM endpoints WHERE name = ?
            """, [.text(name)]).first {
            return try Self.endpointRecord(row)
        }
        let names = try endpoints().map(\.name)
        if let close = NameSuggestion.closest(to: name, in: names) {
            throw WorkspaceError("no endpoint named '\(name)' — did you mean '\(close)'?")
        }
        throw WorkspaceError(names.isEmpty
            ? "no endpoint named '\(name)' — nothing is deployed; deploy a model with `deploy MODEL local`"
            : "no endpoint named '\(name)' — endpoints: \(names.joined(separator: ", "))")
    }

    public func removeEndpoint(_ name: String) throws {
        try database.run("DELETE FROM endpoints WHERE name = ?", [.text(name)])
    }

    public func recordProfile(endpoint: String, reportJSON: String) throws {
        try database.run("INSERT INTO endpoint_profiles (endpoint, report_json, created_at) VALUES (?, ?, ?)",
                         [.text(endpoint), .text(reportJSON), .text(Timestamp.now())])
    }

    private static func endpointRecord(_ row: [SQLValue]) throws -> EndpointRecord {
        EndpointRecord(name: try row.text(0, "endpoints.name"), model: try row.text(1, "endpoints.model"), modelVersion: try row.integer(2, "endpoints.model_version"), modelHash: try row.text(3, "endpoints.model_hash"),
                       target: try row.text(4, "endpoints.target"), url: try row.text(5, "endpoints.url"), port: try row.integer(6, "endpoints.port"), pid: row[7].int, container: row[8].string,
                       image: row[9].string, auth: try row.text(10, "endpoints.auth"), deployedFrom: row[12].string, createdAt: try row.text(11, "endpoints.created_at"))
    }
}

extension Workspace {
    /// Forgets the process an endpoint recorded once it is gone, so the record no longer claims a
    /// server (and a reused pid is never taken for it). Only when the pid is still the one given.
    public func forgetEndpointProcess(_ name: String, pid: Int) throws {
        try database.run("UPDATE endpoints SET pid = NULL WHERE name = ? AND pid = ?", [.text(name), SQLValue(pid)])
    }
}
