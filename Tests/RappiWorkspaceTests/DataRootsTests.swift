import Foundation
import XCTest
@testable import RappiWorkspace

final class DataRootsTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-roots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data/sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data2"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func url(_ relative: String) -> URL { URL(fileURLWithPath: root.path + "/" + relative) }

    func testPathsUnderARootAreInsideEvenWhenTheyDoNotExistYet() {
        let roots = DataRoots([root.appendingPathComponent("data")])
        XCTAssertTrue(roots.contains(url("data")))
        XCTAssertTrue(roots.contains(url("data/sub/new.csv")))
        XCTAssertTrue(roots.contains(url("data/not/yet/made.csv")))
    }

    func testNeighboursParentsAndDotDotEscapesAreOutside() {
        let roots = DataRoots([root.appendingPathComponent("data")])
        XCTAssertFalse(roots.contains(url("data2/x.csv")), "a folder whose name merely starts with the root's")
        XCTAssertFalse(roots.contains(root))
        XCTAssertFalse(roots.contains(url("data/../data2/x.csv")))
        XCTAssertFalse(roots.contains(URL(fileURLWithPath: "/etc/passwd")))
    }

    func testSymbolicLinksAreJudgedByWhereTheyLead() throws {
        let roots = DataRoots([root.appendingPathComponent("data")])
        try FileManager.default.createSymbolicLink(atPath: url("data/escape").path, withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: url("data/passwd").path, withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: url("data2/in").path, withDestinationPath: url("data/sub").path)
        XCTAssertFalse(roots.contains(url("data/escape/shadow")))
        XCTAssertFalse(roots.contains(url("data/passwd")))
        XCTAssertTrue(roots.contains(url("data2/in/x.csv")), "a link from outside into a root leads inside")
    }

    func testTheRefusalReadsTheSameForPathsThatExistAndPathsThatDoNot() {
        let roots = DataRoots([root.appendingPathComponent("data")])
        func message(_ path: String) -> String {
            do { _ = try roots.confine(URL(fileURLWithPath: path), given: "P"); return "accepted" } catch { return error.message }
        }
        XCTAssertEqual(message("/etc/shadow"), message("/etc/no-such-file-\(UUID().uuidString)"))
        XCTAssertTrue(message("/etc/shadow").contains("outside the data roots"))
    }
}
