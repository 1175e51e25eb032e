/// One immutable version of a dataset, as recorded in the workspace.
public struct DatasetVersion: Sendable, Equatable {
    public let name: String
    public let version: Int
    public let contentHash: String
    public let rows: Int
    public let columns: Int
    public let schema: [ColumnSchema]
    public let target: String?
    public let description: String?
    public let source: String
    public let createdAt: String

    public struct ColumnSchema: Sendable, Equatable, Codable {
        public let name: String
        public let type: String
    }
}

/// Which version of a dataset (or model) a statement asks for.
public enum VersionSelector: Equatable, Sendable, CustomStringConvertible {
    case latest
    case number(Int)

    /// Parses `v3`, `3` or `latest`; `0` means latest, as in the original pipeline parameters.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        if lowered == "latest" { self = .latest; return }
        let digits = lowered.hasPrefix("v") ? String(lowered.dropFirst()) : lowered
        guard let n = Int(digits), n >= 0 else { return nil }
        self = n == 0 ? .latest : .number(n)
    }

    public var description: String {
        switch self {
        case .latest: return "latest"
        case .number(let n): return "v\(n)"
        }
    }
}

/// The outcome of an upload: a new version, or the existing version with identical content.
public enum DatasetUploadResult: Sendable {
    case created(DatasetVersion)
    case unchanged(DatasetVersion)
    /// Identical content uploaded with another `target=`: the version's target was changed (the
    /// content, and so the version, stays the same).
    case retargeted(DatasetVersion, previous: String?)

    public var version: DatasetVersion {
        switch self {
        case .created(let v), .unchanged(let v), .retargeted(let v, _): return v
        }
    }
}

/// A dataset name and a summary of its versions, for `datasets`.
public struct DatasetSummary: Sendable {
    public let name: String
    public let versions: Int
    public let latest: DatasetVersion
}
