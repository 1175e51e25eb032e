import XCTest
@testable import RappiScript

/// The command table is the single source of parsing, help and completion: these check that what
/// each command declares holds — its examples parse, its defaults are valid values, and what it
/// publishes is what it declares.
final class CommandTableTests: XCTestCase {
    private let table = CommandTable.standard

    func testEveryExampleOfEveryCommandParses() {
        let parser = Parser(table: table)
        for command in table.commands {
            for example in command.signature.examples {
                do {
                    for statement in try parser.parse(example) {
                        if case .failure(let error) = statement.result {
                            XCTFail("\(command.signature.name): example '\(example)' does not parse: \(error.message)")
                        }
                    }
                } catch {
                    XCTFail("\(command.signature.name): example '\(example)' does not lex: \(error)")
                }
            }
        }
    }

    func testEveryDefaultIsAValidValueOfItsOption() {
        for command in table.commands {
            for option in command.signature.options {
                if let value = option.defaultValue, let problem = option.check(value) {
                    XCTFail("\(command.signature.name): option '\(option.name)' default \(value) \(problem)")
                }
            }
            let names = command.signature.options.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "\(command.signature.name) declares an option twice")
        }
    }

    func testACommandPublishesExactlyTheValuesItDeclares() throws {
        // Undeclared values fail the cell in debug builds (Interpreter); here the other direction:
        // every declared value is published by some run of the command.
        let directory = try makeTemporaryDirectory(self)
        let interpreter = Interpreter(session: Session(workspaceDirectory: directory.appendingPathComponent("ws"),
                                                       baseDirectory: scriptsDirectory))
        let cells = try interpreter.run("""
            set seed 7; let n = 3; echo $n
            upload dataset diabetes from data/diabetes/diabetes.csv target=progression; load dataset diabetes
            train ridge; train rf trees=10; evaluate; cv folds=3; predict from data/diabetes/diabetes.csv
            upload dataset titanic from data/titanic/ds_full target=Survived
            datasets; dataset titanic; load dataset titanic; describe; head 2
            split test=0.25 seed=1; preprocess recipe=titanic
            train linsvc; train logreg; train rf trees=10; evaluate; cv folds=3
            predict from data/titanic/ds_half
            predict {"Pclass": 1, "Sex": "female", "Age": 30, "SibSp": 0, "Parch": 0, "Fare": 80, "Embarked": "C", "Name": "Doe, Mrs. Jane", "Cabin": "B5"}
            register; models; model titanic_rf; promote titanic_rf v1 to staging; load model titanic_rf staging
            assert accuracy > 0.5
            compute create small cores=1 memory=64m; compute list; workspace
            """)
        for cell in cells { XCTAssertTrue(cell.ok, "\(cell.statement): \(cell.error?.message ?? "")") }
        var published: [String: Set<String>] = [:]
        let parser = interpreter.parser
        for cell in cells {
            guard let statement = try parser.parse(cell.statement).first, case .success(let bound) = statement.result,
                  case .command(let invocation) = bound.kind else { continue }
            published[invocation.command.signature.name, default: []].formUnion(cell.values.map(\.name))
        }
        XCTAssertGreaterThanOrEqual(published.count, 20)
        for command in table.commands {
            guard let seen = published[command.signature.name] else { continue }
            XCTAssertEqual(Set(command.signature.publishes).subtracting(seen), [],
                           "\(command.signature.name) declares values it did not publish")
        }
    }
}
