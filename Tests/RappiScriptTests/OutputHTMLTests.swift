import XCTest
@testable import RappiScript

final class OutputHTMLTests: XCTestCase {
    func testATablePrintedAmongTextBecomesAnHTMLTableAndTheTextStaysPreformatted() throws {
        var table = TextTable(["name", "versions", "latest"])
        table.add(["titanic_rf", "2", "v2"])
        table.add(["a <b> & c", "10", ""])
        let text = "models in demo\n" + table.render(indent: "    ") + "\n\n2 models"
        let html = try XCTUnwrap(OutputHTML.render(text))
        XCTAssertTrue(html.hasPrefix("<div class=\"rappi-output\"><pre>models in demo</pre><table"), html)
        XCTAssertTrue(html.contains("<thead><tr><th>name</th><th style=\"text-align: right\">versions</th><th>latest</th></tr></thead>"), html)
        XCTAssertTrue(html.contains("<tr><td>titanic_rf</td><td style=\"text-align: right\">2</td><td>v2</td></tr>"), html)
        XCTAssertTrue(html.contains("<tr><td>a &lt;b&gt; &amp; c</td><td style=\"text-align: right\">10</td><td></td></tr>"), html)
        XCTAssertTrue(html.hasSuffix("</table><pre>\n2 models</pre></div>"), html)
    }

    func testCellsWithSpacesAndEmptyCellsStayInTheirColumns() throws {
        var table = TextTable(["column", "mean", "top"])
        table.add(["Name", "", "Braund, Mr. Owen (1), Allen (1)"])
        table.add(["Age", "29.7", ""])
        let html = try XCTUnwrap(OutputHTML.render(table.render()))
        XCTAssertTrue(html.contains("<tr><td>Name</td><td style=\"text-align: right\"></td><td>Braund, Mr. Owen (1), Allen (1)</td></tr>"), html)
        XCTAssertTrue(html.contains("<tr><td>Age</td><td style=\"text-align: right\">29.7</td><td></td></tr>"), html)
    }

    func testTwoTablesInOneOutputAreBothFound() throws {
        var first = TextTable(["a", "b"])
        first.add(["1", "2"])
        var second = TextTable(["truth \\ predicted", "0", "1"])
        second.add(["0", "91", "19"])
        let html = try XCTUnwrap(OutputHTML.render(first.render() + "\n\nconfusion matrix\n" + second.render(indent: "  ")))
        XCTAssertEqual(html.components(separatedBy: "<table").count - 1, 2, html)
        XCTAssertTrue(html.contains(">truth \\ predicted</th>"), html)
    }

    func testTextWithoutATableHasNoHTMLForm() {
        XCTAssertNil(OutputHTML.render("trained rf on 713 rows\n  accuracy 0.81"))
        XCTAssertNil(OutputHTML.render("a line\n──── not a rule: no header above\n"))
        XCTAssertNil(OutputHTML.render("header\n─── ───"), "one space between runs is not a TextTable rule")
    }
}
