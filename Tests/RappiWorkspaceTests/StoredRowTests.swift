import XCTest
@testable import RappiWorkspace

final class StoredRowTests: XCTestCase {
    func testADamagedRowIsAnErrorNamingTheColumnNotACrash() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-row-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ws = try Workspace(directory: directory)
        let file = directory.appendingPathComponent("d.csv")
        try "x,y\n1,a\n2,b\n".write(to: file, atomically: true, encoding: .utf8)
        _ = try ws.uploadDataset(name: "d", path: file, target: "y", description: nil)
        // A hand-edited database: an integer column given text (SQLite keeps it as text).
        try ws.database.execute("UPDATE dataset_versions SET rows = 'many'")
        XCTAssertThrowsError(try ws.datasetVersions("d")) { error in
            XCTAssertEqual("\(error)", #"the workspace database is damaged: dataset_versions.rows holds text("many") where an integer is expected — restore workspace.sqlite from a backup"#)
        }
    }
}
