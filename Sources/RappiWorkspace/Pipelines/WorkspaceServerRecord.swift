import Foundation

/// `DIR/server.json`: where this workspace's server (`rappi serve`) listens, so `invoke` and
/// `run pipeline` can find it. Written at start, removed on a clean stop; a record whose
/// process is gone (after a crash) counts as no server. The file is 0600 in the private
/// workspace folder: its `ownerToken` lets the owner's own `invoke pipeline` trigger any published
/// pipeline without the pipeline's token (which is stored only as a hash). A new one is made
/// every time the server starts.
public struct WorkspaceServerRecord: Codable, Sendable, Equatable {
    public let pid: Int32
    public let port: Int
    public let host: String
    public let startedAt: String
    public let ownerToken: String?
    /// `https` when the server was started with a certificate (records of older servers have none: http).
    public let scheme: String?

    public init(pid: Int32, port: Int, host: String, startedAt: String = Timestamp.now(),
                ownerToken: String? = "rpo_" + Workspace.randomHex(bytes: 24), scheme: String = "http") {
        self.pid = pid; self.port = port; self.host = host; self.startedAt = startedAt; self.ownerToken = ownerToken
        self.scheme = scheme
    }

    public var baseURL: String { "\(scheme ?? "http")://\(host):\(port)" }

    static func file(in workspace: URL) -> URL { workspace.appendingPathComponent("server.json") }

    public func save(in workspace: URL) throws {
        let data = try JSONEncoder().encode(self)
        let target = Self.file(in: workspace)
        let temporary = workspace.appendingPathComponent(".server.json.\(getpid())")
        try PrivateFiles.touch(temporary)
        try data.write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else { throw WorkspaceError("cannot write \(target.path)") }
    }

    public static func remove(in workspace: URL, pid: Int32) {
        if let record = load(in: workspace), record.pid == pid { try? FileManager.default.removeItem(at: file(in: workspace)) }
    }

    public static func load(in workspace: URL) -> WorkspaceServerRecord? {
        guard let data = FileManager.default.contents(atPath: file(in: workspace).path) else { return nil }
        return decode(data)
    }

    /// The record in `server.json`'s bytes; nil when they are not one.
    static func decode(_ data: Data) -> WorkspaceServerRecord? {
        try? JSONDecoder().decode(WorkspaceServerRecord.self, from: data)
    }

    /// The record of a server that is still running, if any.
    public static func live(in workspace: URL) -> WorkspaceServerRecord? {
        guard let record = load(in: workspace), ProcessTable.isRappi(pid: record.pid) else { return nil }
        return record
    }
}
