/// Reading a column of a result row that the schema says is NOT NULL. A NULL or a value of
/// another type means the database was damaged or edited by hand: that is an error naming the
/// table and column, not a crash.
extension Array where Element == SQLValue {
    func text(_ index: Int, _ column: String) throws -> String {
        guard index < count, let value = self[index].string else { throw damaged(index, column, "text") }
        return value
    }

    func integer(_ index: Int, _ column: String) throws -> Int {
        guard index < count, let value = self[index].int else { throw damaged(index, column, "an integer") }
        return value
    }

    private func damaged(_ index: Int, _ column: String, _ expected: String) -> WorkspaceError {
        let found = index < count ? "\(self[index])" : "nothing"
        return WorkspaceError("the workspace database is damaged: \(column) holds \(found) where \(expected) is expected — restore workspace.sqlite from a backup")
    }
}
