import Foundation
import RappiWorkspace

/// An endpoint's primary and secondary API keys, kept in `endpoints/NAME/keys/keys` (mode 0600),
/// one per line. The server re-reads the file when it changes, so rotation needs no restart;
/// the folder is what a container mounts.
public struct EndpointKeys {
    public let primary: String
    public let secondary: String

    public init(primary: String, secondary: String) { self.primary = primary; self.secondary = secondary }

    public static func generate() -> EndpointKeys { EndpointKeys(primary: newKey(), secondary: newKey()) }

    /// A new primary; the old primary stays valid as the secondary until the next rotation.
    public func rotated() -> EndpointKeys { EndpointKeys(primary: Self.newKey(), secondary: primary) }

    public static func folder(_ workspace: Workspace, endpoint: String) throws -> URL {
        try folder(in: workspace.endpointDirectory(endpoint))
    }

    /// `DIRECTORY/keys/`, for an endpoint's or an A/B router's keys.
    public static func folder(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url
    }

    public static func file(_ workspace: Workspace, endpoint: String) throws -> URL {
        try folder(workspace, endpoint: endpoint).appendingPathComponent("keys")
    }

    public static func file(in directory: URL) throws -> URL {
        try folder(in: directory).appendingPathComponent("keys")
    }

    public static func read(_ workspace: Workspace, endpoint: String) throws -> EndpointKeys? {
        try read(file(workspace, endpoint: endpoint))
    }

    public static func read(_ file: URL) throws -> EndpointKeys? {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        guard let first = lines.first else { return nil }
        return EndpointKeys(primary: first, secondary: lines.count > 1 ? lines[1] : first)
    }

    /// Written to a temporary file and renamed, so the server never reads half a file.
    public func write(_ workspace: Workspace, endpoint: String) throws {
        try write(to: Self.file(workspace, endpoint: endpoint))
    }

    public func write(to target: URL) throws {
        let endpoint = target.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".keys.\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data("\(primary)\n\(secondary)\n".utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw DeployError("cannot write the API keys of \(endpoint) to \(temporary.path): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary.path, target.path) == 0 else {
            throw DeployError("cannot write the API keys for \(endpoint): \(String(cString: strerror(errno)))")
        }
    }

    /// Keys are secrets, not results, so they come from the system's secure generator rather
    /// than the seeded one.
    private static func newKey() -> String { Workspace.randomHex(bytes: 32) }
}
