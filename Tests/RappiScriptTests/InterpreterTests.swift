import XCTest
@testable import RappiScript

final class InterpreterTests: XCTestCase {
    private func interpreter(parameters: [String: Value] = [:]) throws -> Interpreter {
        let directory = try makeTemporaryDirectory(self)
        return Interpreter(session: Session(workspaceDirectory: directory.appendingPathComponent("ws"),
                                            baseDirectory: scriptsDirectory, parameters: parameters))
    }

    func testLoadPublishesValuesThatAssertChecks() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("""
            upload dataset titanic from data/titanic/ds_half target=Survived
            upload dataset titanic from data/titanic/ds_full target=Survived
            load dataset titanic v2
            assert rows == 891
            assert columns >= 12
            """)
        XCTAssertTrue(cells.allSatisfy(\.ok), cells.compactMap(\.error).map(\.description).joined())
        XCTAssertEqual(cells[0].output.prefix(16), "created titanic ")
        let published = Dictionary(uniqueKeysWithValues: cells[2].values.map { ($0.name, $0.value) })
        XCTAssertEqual(published["rows"], .int(891))
        XCTAssertEqual(published["version"], .int(2))
        XCTAssertEqual(published["dataset"], .string("titanic"))
        XCTAssertEqual(published["hash"]?.description.count, 64)
    }

    func testFailedAssertionSaysWhatTheValueWas() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("upload dataset t from data/titanic/ds_half\nload dataset t\nassert rows > 500")
        XCTAssertEqual(cells[2].error?.message, "assertion failed: rows > 500 (rows is 446)")
        XCTAssertEqual(cells[2].error?.position, SourcePosition(line: 3, column: 8))
    }

    func testAssertOnUnknownNameSuggests() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("set seed 3; assert sed == 3")
        XCTAssertEqual(cells[1].error?.message, "no value named 'sed' — did you mean 'seed'?")
    }

    func testLetVariablesAndParameters() throws {
        let rappi = try interpreter(parameters: ["version": .int(1)])
        let cells = try rappi.run("""
            upload dataset t from data/titanic/ds_half
            upload dataset t from data/titanic/ds_full
            let version = 2
            load dataset t $version
            let label = "rows:"
            echo $label $rows "${dataset}"
            """)
        XCTAssertTrue(cells.allSatisfy(\.ok), cells.compactMap(\.error).map(\.description).joined())
        XCTAssertTrue(cells[2].output.contains("set by -D"), cells[2].output)
        XCTAssertTrue(cells[3].output.hasPrefix("loaded t v1"), cells[3].output)
        XCTAssertEqual(cells[5].output, "rows: 446 t")
    }

    func testUndefinedVariableSuggests() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("let version = 2; load dataset t $verison")
        XCTAssertEqual(cells[1].error?.message, "$verison is not defined — did you mean $version?")
        XCTAssertEqual(cells[1].error?.position, SourcePosition(line: 1, column: 33))
    }

    func testVariableOfTheWrongKindIsReportedAtItsPosition() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("let n = many; head $n")
        XCTAssertEqual(cells[1].error?.message, "COUNT expects an integer, but $n is 'many'")
    }

    func testTypedArgumentsReadVariablesAndSayWhatTheyExpect() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("let stage = staging; let bad = sometime; let run = x1; promote m v1 to $stage; promote m $bad to $stage; replay $run")
        XCTAssertEqual(cells[3].error?.message.hasPrefix("no model named 'm'"), true, cells[3].error?.message ?? "ran")
        XCTAssertEqual(cells[4].error?.message, "VERSION expects a version such as v2, 2 or latest, but $bad is 'sometime'")
        XCTAssertEqual(cells[5].error?.message, "RUN expects an integer, but $run is 'x1'")
    }

    func testCommandsThatNeedADatasetSayHowToLoadOne() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("describe")
        XCTAssertEqual(cells[0].error?.message, "describe needs a current dataset — load one first with `load dataset NAME [vN]`")
    }

    func testDescribeAndHead() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("upload dataset t from data/titanic/ds_full; load dataset t; describe; head 2")
        XCTAssertTrue(cells.allSatisfy(\.ok))
        let describe = cells[2].output
        XCTAssertTrue(describe.contains("Age"), describe)
        XCTAssertTrue(describe.contains("177"), "Age has 177 missing values:\n\(describe)")
        XCTAssertTrue(describe.contains("male (577)"), describe)
        let head = cells[3].output.split(separator: "\n")
        XCTAssertEqual(head.count, 4)  // header, rule, 2 rows
        XCTAssertTrue(head[2].contains("Braund"), String(head[2]))
    }

    func testHeadShowsControlCharactersInTheDataEscapedSoTheyNeverReachTheTerminal() throws {
        let directory = try makeTemporaryDirectory(self)
        let csv = directory.appendingPathComponent("evil.csv")
        try "name,x\n\u{1B}]0;owned\u{07}\u{1B}[2J,1\n\"tab\there\",2\nplain,3\n".write(to: csv, atomically: true, encoding: .utf8)
        let rappi = try interpreter()
        let cells = try rappi.run("upload dataset evil from \(csv.path); load dataset evil; head")
        XCTAssertTrue(cells.allSatisfy(\.ok), cells.compactMap(\.error).map(\.description).joined())
        let head = cells[2].output
        XCTAssertFalse(head.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, head)
        XCTAssertTrue(head.contains(#"\e]0;owned\x07\e[2J"#), head)
        XCTAssertTrue(head.contains(#"tab\there"#), head)
        XCTAssertTrue(head.contains("plain"), head)
    }

    func testHelpIsGeneratedFromTheTable() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("help; help upload dataset; help uplod")
        XCTAssertTrue(cells[0].output.contains("upload dataset"))
        XCTAssertTrue(cells[1].output.contains("target=NAME"), cells[1].output)
        XCTAssertTrue(cells[1].output.contains("publishes: dataset, version"), cells[1].output)
        XCTAssertEqual(cells[2].error?.message, "no command named 'uplod' — did you mean 'upload dataset'?")
    }

    func testUnknownDatasetAndVersion() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("load dataset nothing; upload dataset titanic from data/titanic/ds_half; load dataset titnic; load dataset titanic v7")
        XCTAssertTrue(cells[0].error!.message.contains("this workspace has no datasets yet"), cells[0].error!.message)
        XCTAssertEqual(cells[2].error?.message, "no dataset named 'titnic' — did you mean 'titanic'?")
        XCTAssertEqual(cells[3].error?.message, "dataset 'titanic' has no version v7 — it has v1")
    }

    func testJSONLineHasTheDocumentedShape() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("set seed 5\nassert seed == 6")
        let ok = try JSONSerialization.jsonObject(with: Data(cells[0].jsonLine.utf8)) as! [String: Any]
        XCTAssertEqual(ok["cell"] as? Int, 1)
        XCTAssertEqual(ok["ok"] as? Bool, true)
        XCTAssertEqual((ok["values"] as? [String: Any])?["seed"] as? Int, 5)
        XCTAssertTrue(cells[0].jsonLine.hasPrefix(#"{"cell":1,"line":1,"statement":"set seed 5","ok":true,"values":{"seed":5},"output":"#))
        let failed = try JSONSerialization.jsonObject(with: Data(cells[1].jsonLine.utf8)) as! [String: Any]
        let error = failed["error"] as! [String: Any]
        XCTAssertEqual(error["line"] as? Int, 2)
        XCTAssertEqual(error["column"] as? Int, 8)
    }

    func testStringsFollowShellRules() throws {
        let rappi = try interpreter()
        let cells = try rappi.run("""
            let trees = 200
            echo "t=$trees, ${trees}s, $5, \\$trees" 'and $trees literally'
            echo trees=$trees
            let label = "n=$trees"
            echo $label
            echo "missing $tres"
            """)
        XCTAssertEqual(cells[1].output, "t=200, 200s, $5, $trees and $trees literally")
        XCTAssertEqual(cells[2].output, "trees=200")
        XCTAssertEqual(cells[4].output, "n=200")
        XCTAssertEqual(cells[5].error?.message, "$tres is not defined — did you mean $trees? (write \\$ for a literal dollar)")
    }

    func testHelpForAFirstWordShowsEveryCommandStartingWithIt() throws {
        let cells = try interpreter().run("help train")
        let usages = cells[0].output.split(separator: "\n").filter { $0.hasPrefix("train ") }.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        XCTAssertEqual(usages, ["train rf", "train gbm", "train linsvc", "train logreg", "train ridge"])
    }
}
