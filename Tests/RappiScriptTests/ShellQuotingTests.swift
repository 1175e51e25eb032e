import XCTest
@testable import RappiScript

final class ShellQuotingTests: XCTestCase {
    func testPlainWordsStayAsTheyAre() {
        XCTAssertEqual(ShellQuoting.quote("/tmp/build/titanic_rf"), "/tmp/build/titanic_rf")
        XCTAssertEqual(ShellQuoting.quote("titanic_rf:v1"), "titanic_rf:v1")
    }

    func testAPrintedPathWithSpacesOrQuotesPastesIntoAShellAsOneWord() {
        XCTAssertEqual(ShellQuoting.quote("/tmp/dir with space"), "'/tmp/dir with space'")
        XCTAssertEqual(ShellQuoting.quote("it's"), "'it'\\''s'")
        XCTAssertEqual(ShellQuoting.quote("$HOME"), "'$HOME'")
        XCTAssertEqual(ShellQuoting.quote(""), "''")
    }
}
