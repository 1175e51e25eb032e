import RappiWorkspace

/// The names a workspace gives what it creates in the container engine, which every workspace
/// on the machine shares: `rappi-WSID-ENDPOINT` for containers and
/// `localhost/rappi-WSID-ENDPOINT:vN-CONTEXT` for images, where WSID is the workspace's id
/// (`Workspace.identifier()`), so two workspaces deploying the same endpoint name never meet.
/// Containers also carry the labels below, which say whose they are.
public enum ContainerNames {
    public static let workspaceLabel = "rappi.workspace"
    public static let endpointLabel = "rappi.endpoint"

    public static func container(workspaceID: String, endpoint: String) -> String {
        "rappi-\(workspaceID)-\(safe(endpoint))"
    }

    public static func image(workspaceID: String, endpoint: String, modelVersion: Int, contextHash: String) -> String {
        "localhost/rappi-\(workspaceID)-\(safe(endpoint)):v\(modelVersion)-\(contextHash.prefix(12))"
    }

    /// The endpoint name as engines accept it in names and image tags (lowercase ASCII letters,
    /// digits, `.`, `_`, `-`). A name that had to be changed gets a hash of the original appended,
    /// so `Titanic` and `titanic` stay two names.
    static func safe(_ name: String) -> String {
        let sanitized = BuildContext.sanitizedName(name)
        if sanitized == name { return name }
        return sanitized + "-" + String(Array(name.utf8).withUnsafeBytes { ArtifactStore.hash($0) }.prefix(8))
    }
}
