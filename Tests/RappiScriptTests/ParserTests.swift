import XCTest
@testable import RappiScript

final class ParserTests: XCTestCase {
    private let parser = Parser()

    private func statement(_ source: String) throws -> Statement {
        let parsed = try parser.parse(source)
        XCTAssertEqual(parsed.count, 1)
        return try parsed[0].result.get()
    }

    private func error(_ source: String) throws -> ScriptError {
        let parsed = try parser.parse(source)
        guard case .failure(let error) = parsed[0].result else {
            XCTFail("expected \(source) to fail"); throw ScriptError("", at: .init(line: 0, column: 0))
        }
        return error
    }

    private func invocation(_ source: String) throws -> Invocation {
        guard case .command(let invocation) = try statement(source).kind else { throw ScriptError("not a command", at: .init(line: 0, column: 0)) }
        return invocation
    }

    func testSplitsStatementsAndKeepsTheirText() throws {
        let parsed = try parser.parse("datasets; echo hi\n\n  head 3 # first rows\n")
        XCTAssertEqual(parsed.map(\.text), ["datasets", "echo hi", "head 3"])
        XCTAssertEqual(parsed.map(\.position.line), [1, 1, 3])
        XCTAssertEqual(parsed[2].position.column, 3)
    }

    func testLongestCommandNameWins() throws {
        let call = try invocation("load dataset titanic v2")
        XCTAssertEqual(call.command.signature.name, "load dataset")
        XCTAssertEqual(call.arguments["name"]?.text, "titanic")
        XCTAssertEqual(call.arguments["version"]?.text, "v2")
    }

    func testOptionalVersionMayBeLeftOut() throws {
        let call = try invocation("load dataset titanic")
        XCTAssertNil(call.arguments["version"])
    }

    func testKeywordsArgumentsAndOptions() throws {
        let call = try invocation("upload dataset titanic from data/x.csv target=Survived description=\"all rows\"")
        XCTAssertEqual(call.arguments["path"]?.text, "data/x.csv")
        XCTAssertEqual(call.options["target"]?.text, "Survived")
        XCTAssertEqual(call.options["description"]?.text, "all rows")
    }

    func testOptionsMayComeBeforeArguments() throws {
        let call = try invocation("upload dataset titanic target=Survived from data/x.csv")
        XCTAssertEqual(call.arguments["path"]?.text, "data/x.csv")
    }

    func testUnknownOptionSuggestsTheNearest() throws {
        let e = try error("upload dataset t from x.csv tragte=Survived")
        XCTAssertEqual(e.message, "unknown option 'tragte' — did you mean 'target'?")
        XCTAssertEqual(e.position, SourcePosition(line: 1, column: 29))
    }

    func testUnknownCommandSuggestsTheNearest() throws {
        XCTAssertEqual(try error("lod dataset titanic").message, "unknown command 'lod' — did you mean 'load dataset'?")
        XCTAssertEqual(try error("upload datset t from x").message, "unknown command 'upload datset' — did you mean 'upload dataset'?")
        XCTAssertTrue(try error("frobnicate").message.contains("type `help`"))
    }

    func testMissingArgumentShowsUsage() throws {
        let e = try error("upload dataset titanic from")
        XCTAssertTrue(e.message.contains("missing PATH"), e.message)
        XCTAssertTrue(e.message.contains("usage: upload dataset NAME from PATH"), e.message)
    }

    func testMisplacedKeyword() throws {
        let e = try error("upload dataset titanic form x.csv")
        XCTAssertEqual(e.message, "expected 'from', found 'form' — usage: upload dataset NAME from PATH [target=COLUMN] [description=TEXT]")
        XCTAssertEqual(e.position.column, 24)
    }

    func testLiteralTypesAreCheckedBeforeRunning() throws {
        let e = try error("head lots")
        XCTAssertTrue(e.message.contains("unexpected 'lots'"), e.message)
        let e2 = try error("set seed abc")
        XCTAssertEqual(e2.message, "SEED expects an integer, got 'abc'")
        let e3 = try error("runs limit=ten")
        XCTAssertEqual(e3.message, "option 'limit' expects an integer, got 'ten'")
        XCTAssertEqual(e3.position.column, 12)
    }

    func testTooManyWords() throws {
        let e = try error("datasets extra")
        XCTAssertTrue(e.message.hasPrefix("unexpected 'extra'"), e.message)
        XCTAssertEqual(e.position.column, 10)
    }

    func testDuplicateOption() throws {
        XCTAssertEqual(try error("runs limit=1 limit=2").message, "option 'limit' is given twice — keep one")
    }

    func testOptionWithoutValue() throws {
        XCTAssertTrue(try error("runs limit=").message.contains("needs a value"))
    }

    func testLetAssignment() throws {
        guard case .assignment(let name, let value) = try statement("let trees = 200").kind else { return XCTFail() }
        XCTAssertEqual(name, "trees")
        XCTAssertEqual(value.text, "200")
        XCTAssertTrue(try error("let = 3").message.contains("let NAME = VALUE"))
    }

    func testVariablesAreAcceptedWhereLiteralsAreChecked() throws {
        let call = try invocation("load dataset titanic $version")
        XCTAssertEqual(call.arguments["version"]?.kind, .variable("version"))
    }

    func testEveryCommandUsageMentionsItsOptions() {
        for command in CommandTable.standard.commands {
            for option in command.signature.options {
                XCTAssertTrue(command.signature.usage.contains("\(option.name)="), command.signature.usage)
            }
        }
    }

    func testCommandNamesAreUnique() {
        let names = CommandTable.standard.commands.map { $0.signature.name }
        XCTAssertEqual(names.count, Set(names).count)
    }
}

final class PipelineDefinitionParsingTests: XCTestCase {
    private func parse(_ source: String) throws -> Statement {
        let statements = try Parser().parse(source)
        XCTAssertEqual(statements.count, 1)
        return try statements[0].result.get()
    }

    private func error(_ source: String) -> ScriptError? {
        do { _ = try parse(source); return nil } catch let error as ScriptError { return error } catch { return nil }
    }

    func testParametersAndStepsAreRead() throws {
        let statement = try parse("pipeline train(version=latest, trees=200) {\n  load dataset titanic $version\n  train rf trees=$trees; register\n}")
        guard case .pipelineDefinition(let syntax) = statement.kind else { return XCTFail("not a definition") }
        XCTAssertEqual(syntax.name, "train")
        XCTAssertEqual(syntax.parameters.map(\.name), ["version", "trees"])
        XCTAssertEqual(syntax.parameters.map(\.defaultValue), ["latest", "200"])
        XCTAssertEqual(syntax.steps.map(\.kind), ["load dataset", "train rf", "register"])
    }

    func testNoParameterListAndPublishedValuesAreFine() throws {
        let statement = try parse("pipeline check { evaluate; assert accuracy > 0.5; echo $accuracy }")
        guard case .pipelineDefinition(let syntax) = statement.kind else { return XCTFail() }
        XCTAssertTrue(syntax.parameters.isEmpty)
        XCTAssertEqual(syntax.steps.count, 3)
    }

    func testMistakesPointAtTheirPlaceInsideTheBody() {
        let unknown = error("pipeline p(a=1) {\n  train rf trees=$b\n}")
        XCTAssertEqual(unknown?.position.line, 2)
        XCTAssertTrue(unknown?.message.contains("$b is not a parameter") ?? false, unknown?.message ?? "")
        let typo = error("pipeline p {\n  trian rf\n}")
        XCTAssertEqual(typo?.position.line, 2)
        XCTAssertTrue(typo?.message.contains("did you mean") ?? false, typo?.message ?? "")
        XCTAssertTrue(error("pipeline p(a) { echo }")?.message.contains("needs a default") ?? false)
        XCTAssertTrue(error("pipeline p(a=1, a=2) { echo }")?.message.contains("given twice") ?? false)
        XCTAssertTrue(error("pipeline p { pipeline q { echo } }")?.message.contains("cannot define another pipeline") ?? false)
        XCTAssertTrue(error("pipeline p { }")?.message.contains("no statements") ?? false)
    }

    func testFreeParametersAreCollectedForRunPipeline() throws {
        let statement = try parse("run pipeline train on cluster trees=300 version=0 reuse=false")
        guard case .command(let invocation) = statement.kind else { return XCTFail() }
        XCTAssertEqual(invocation.tags.map(\.key), ["trees", "version"])
        XCTAssertNotNil(invocation.options["reuse"])
        XCTAssertEqual(invocation.arguments["compute"]?.text, "cluster")
    }
}
