import Foundation
import XCTest
@testable import RappiScript

final class PathRebasingTests: XCTestCase {
    private let home = URL(fileURLWithPath: "/home/ada/project")

    func testARelativePathTypedInTheREPLIsRewrittenForTheSavedScriptsFolder() {
        let saved = PathRebasing.rebase("upload dataset titanic from data/titanic.csv target=Survived",
                                        typedIn: home, savedIn: home.appendingPathComponent("sub"))
        XCTAssertEqual(saved, "upload dataset titanic from ../data/titanic.csv target=Survived")
    }

    func testPathOptionsAndQuotedPathsWithSpacesAreRewrittenToo() {
        let saved = PathRebasing.rebase(#"predict from "my data/test.csv" into out.csv"#,
                                        typedIn: home, savedIn: URL(fileURLWithPath: "/home/ada/scripts"))
        XCTAssertEqual(saved, #"predict from "../project/my data/test.csv" into ../project/out.csv"#)
    }

    func testAbsolutePathsHomePathsVariablesAndOtherStatementsStayAsTyped() {
        let folder = home.appendingPathComponent("sub")
        for statement in ["upload dataset t from /data/t.csv", "upload dataset t from ~/t.csv",
                          "upload dataset t from $file", "train rf trees=200", "echo data/x.csv"] {
            XCTAssertEqual(PathRebasing.rebase(statement, typedIn: home, savedIn: folder), statement)
        }
    }

    func testSavingBesideTheTypedFolderChangesNothing() {
        XCTAssertEqual(PathRebasing.rebase("upload dataset t from data/t.csv", typedIn: home, savedIn: home),
                       "upload dataset t from data/t.csv")
    }
}
