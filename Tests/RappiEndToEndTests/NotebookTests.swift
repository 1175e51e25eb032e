import Foundation
import RappiWorkspace
import XCTest

/// Runs as documents: charts kept with the run, `rappi export` to a notebook and to one HTML
/// page, and `rappi run NOTEBOOK.ipynb` replaying a notebook's code cells — through the built binary.
final class NotebookTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-notebook")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func write(_ name: String, _ text: String) throws -> URL { try root.writingFile(name, text) }

    private var script: String {
        """
        upload dataset titanic from \(data)/ds_full target=Survived
        load dataset titanic
        split test=0.2 seed=42
        train logreg
        evaluate
        cv folds=3
        """
    }

    private func notebook(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: url.path), "no notebook at \(url.path)", file: file, line: line)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
    }

    func testEvaluateAndCvListTheChartsTheyStoredInTheirJsonLines() throws {
        let result = try rappi.run(["run", try write("train.rappi", script).path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        let cells = try result.lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let evaluate = try XCTUnwrap(cells.first { $0["statement"] as? String == "evaluate" })
        let charts = try XCTUnwrap(evaluate["charts"] as? [String])
        XCTAssertEqual(charts.count, 3, "confusion matrix, ROC curve, coefficients")
        for path in charts {
            let svg = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), path)
        }
        let cv = try XCTUnwrap(cells.first { ($0["statement"] as? String)?.hasPrefix("cv") == true })
        XCTAssertEqual((cv["charts"] as? [String])?.count, 1)
        XCTAssertNil(cells.first { $0["statement"] as? String == "load dataset titanic" }?["charts"], "no charts, no key")
    }

    func testModelsComparesTheRegisteredModelsVersionsInAPicture() throws {
        let result = try rappi.run(["run", try write("models.rappi", script + "\nregister\ntrain rf trees=20\nevaluate\nregister\ntrain logreg C=0.1\nevaluate\nregister as titanic_logreg\nmodels\n").path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        let cells = try result.lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let models = try XCTUnwrap(cells.first { $0["statement"] as? String == "models" })
        let chart = try XCTUnwrap((models["charts"] as? [String])?.first)
        let svg = try String(contentsOfFile: chart, encoding: .utf8)
        XCTAssertTrue(svg.contains("Registered models — accuracy on held-out rows"), svg)
        // titanic_logreg: latest (large) and one earlier version (hollow); titanic_rf: latest only.
        XCTAssertEqual(svg.components(separatedBy: "r=\"6\"").count - 1, 2 + 1, "two latest dots and the key's")
        XCTAssertEqual(svg.components(separatedBy: "r=\"4\"").count - 1, 1 + 1, "one earlier version and the key's")
    }

    func testExportWritesANotebookWithEveryStatementItsOutputAndItsCharts() throws {
        XCTAssertEqual(try rappi.run(["run", try write("train.rappi", script).path]).status, 0)
        let target = root.appendingPathComponent("run.ipynb")
        let export = try rappi.run(["export", "1", "to", target.path])
        XCTAssertEqual(export.status, 0, export.stderr)
        XCTAssertTrue(export.stdout.contains("exported run 1 (6 cells)"), export.stdout)
        let nb = try notebook(target)
        XCTAssertEqual(nb["nbformat"] as? Int, 4)
        XCTAssertEqual(nb["nbformat_minor"] as? Int, 5)
        let metadata = try XCTUnwrap(nb["metadata"] as? [String: Any])
        XCTAssertEqual((metadata["kernelspec"] as? [String: Any])?["name"] as? String, "rappi")
        XCTAssertEqual((metadata["language_info"] as? [String: Any])?["file_extension"] as? String, ".rappi")
        let code = try XCTUnwrap(nb["cells"] as? [[String: Any]]).filter { $0["cell_type"] as? String == "code" }
        XCTAssertEqual(code.map { ($0["source"] as? [String])?.joined() }, script.split(separator: "\n").map(String.init))
        let evaluate = code[4]["outputs"] as! [[String: Any]]
        XCTAssertEqual(evaluate.map { $0["output_type"] as! String }, ["execute_result", "display_data", "display_data", "display_data"])
        let text = ((evaluate[0]["data"] as? [String: Any])?["text/plain"] as? String) ?? ""
        XCTAssertTrue(text.contains("confusion matrix"), text)
        let svg = ((evaluate[1]["data"] as? [String: Any])?["image/svg+xml"] as? String) ?? ""
        XCTAssertTrue(svg.contains("Confusion matrix"), String(svg.prefix(300)))
        let upload = code[0]["outputs"] as! [[String: Any]]
        XCTAssertEqual(upload.first?["output_type"] as? String, "execute_result", "upload publishes values: it is the cell's result")
    }

    func testExportToHtmlIsOnePageWithInlineChartsAndNothingFetched() throws {
        XCTAssertEqual(try rappi.run(["run", try write("train.rappi", script).path]).status, 0)
        let target = root.appendingPathComponent("run.html")
        XCTAssertEqual(try rappi.run(["export", "1", "to", target.path]).status, 0)
        let html = try String(contentsOf: target, encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 4, "3 evaluate charts and the cv chart")
        XCTAssertTrue(html.contains("train logreg"))
        for fetch in ["<script", "src=", "href=\"http", "@import", "url("] {
            XCTAssertFalse(html.contains(fetch), "the page must not fetch anything: found \(fetch)")
        }
    }

    func testExportNamesAMissingRunAMissingWorkspaceAndABadDestination() throws {
        let nowhere = try rappi.run(["export", "1", "--workspace", root.appendingPathComponent("nope").path])
        XCTAssertNotEqual(nowhere.status, 0)
        XCTAssertTrue(nowhere.stderr.contains("no workspace at"), nowhere.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("nope").path), "export created a workspace")
        XCTAssertEqual(try rappi.run(["-c", "echo hi"]).status, 0)
        let missing = try rappi.run(["export", "42"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no run 42"), missing.stderr)
        let bad = try rappi.run(["export", "1", "to", "notes.txt"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("must end in .ipynb"), bad.stderr)
    }

    func testAFailedStatementIsExportedAsAnErrorOutputAtItsColumn() throws {
        let result = try rappi.run(["run", try write("bad.rappi", "echo first\nset seed -3").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(try rappi.run(["export", "1", "to", root.appendingPathComponent("bad.ipynb").path]).status, 0)
        let code = (try notebook(root.appendingPathComponent("bad.ipynb"))["cells"] as! [[String: Any]]).filter { $0["cell_type"] as? String == "code" }
        let error = try XCTUnwrap((code.last?["outputs"] as? [[String: Any]])?.last)
        XCTAssertEqual(error["output_type"] as? String, "error")
        XCTAssertTrue((error["evalue"] as? String ?? "").contains("non-negative"), "\(error)")
        XCTAssertEqual((error["traceback"] as? [String])?.first?.hasPrefix("error (line 1, column 10)"), true, "\(error)")
    }

    func testAnExportedNotebookReplaysWithRunLikeAScript() throws {
        XCTAssertEqual(try rappi.run(["run", try write("train.rappi", script).path]).status, 0)
        let target = root.appendingPathComponent("again.ipynb")
        XCTAssertEqual(try rappi.run(["export", "1", "to", target.path]).status, 0)
        let replay = try rappi.run(["run", target.path, "--json", "-D", "unused=1"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertEqual(replay.lines.count, 6)
        XCTAssertTrue(replay.lines[4].contains("\"accuracy\""), replay.lines[4])
        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(try ws.run(2)?.source, target.path)
    }

    func testAnErrorInALaterCellNamesThatCellAndItsLine() throws {
        let nb = try write("three.ipynb", """
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
             "cells": [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": 1, "source": ["echo one\\n", "echo two\\n"], "outputs": []},
                       {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 2, "source": ["echo three\\n", "train rf tress=3"], "outputs": []}]}
            """)
        let result = try rappi.run(["run", nb.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("three.ipynb:cell 2, line 2, column 10: error: unknown option 'tress'"), result.stderr)
        XCTAssertFalse(result.stdout.contains("echo one"), "checked whole before anything ran: \(result.stdout)")
    }

    func testRunRefusesANotebookForAnotherLanguage() throws {
        let python = try write("py.ipynb", """
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
             "cells": [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": null, "source": ["print(1)"], "outputs": []}]}
            """)
        let result = try rappi.run(["run", python.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("is a python notebook"), result.stderr)
    }

    func testKeepGoingRunsEveryCellOfANotebook() throws {
        let nb = try write("two.ipynb", """
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "rappi", "display_name": "rappi", "language": "rappi"}},
             "cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# notes"},
                       {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": null, "source": "set seed -1", "outputs": []},
                       {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": null, "source": ["echo reached\\n", "echo $who"], "outputs": []}]}
            """)
        let result = try rappi.run(["run", nb.path, "--keep-going", "-D", "who=everyone"])
        XCTAssertEqual(result.status, 1)
        // The failure is placed in the notebook: code cell 1, its first line.
        XCTAssertTrue(result.stderr.contains("two.ipynb:cell 1, line 1, column 10: error:"), result.stderr)
        XCTAssertTrue(result.stdout.contains("reached"), result.stdout)
        XCTAssertTrue(result.stdout.contains("everyone"), result.stdout)
    }
}
