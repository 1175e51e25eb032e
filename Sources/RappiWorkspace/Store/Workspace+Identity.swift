import Foundation

extension Workspace {
    /// A short random id (8 hex digits) made once when the workspace was created or migrated, and
    /// stored in it — not derived from its path, so moving the folder keeps it. It names what the
    /// workspace creates outside itself (containers, images), so two workspaces never share one.
    public func identifier() throws -> String {
        guard let id = try database.scalar("SELECT value FROM workspace_settings WHERE key = 'id'").string, !id.isEmpty else {
            throw WorkspaceError("this workspace has no id (workspace_settings is empty) — it was not migrated by this rappi")
        }
        return id
    }
}
