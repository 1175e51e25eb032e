import RappiML
import Foundation
import RappiWorkspace

/// Replays a whole script (`rappi run`, `rappi -c`, piped input): checks every statement
/// before running any, runs them in order, stops at the first failure unless told to keep
/// going, and records the run with each cell's values in the workspace.
public struct ScriptRunner {
    public let interpreter: Interpreter
    public let kind: String
    public let sourceName: String
    public let keepGoing: Bool
    /// When it returns a reason, the statement is recorded as a skipped cell instead of run.
    public var skipping: ((ParsedStatement) -> String?)?

    public init(interpreter: Interpreter, kind: String, sourceName: String, keepGoing: Bool = false) {
        self.interpreter = interpreter
        self.kind = kind
        self.sourceName = sourceName
        self.keepGoing = keepGoing
    }

    public struct Outcome {
        public let succeeded: Bool
        public let failures: Int
        public let runID: Int?
    }

    public func run(_ source: String, onCell: (CellResult) -> Void) -> Outcome {
        let session = interpreter.session
        let parameters = session.parameters.keys.sorted().map { ($0, session.parameters[$0]!.json) }
        let workspace: Workspace
        let runID: Int
        do {
            workspace = try session.workspace()
            runID = try workspace.beginRun(kind: kind, source: sourceName, scriptText: source,
                                           parametersJSON: JSONText.object(parameters),
                                           baseDirectory: session.baseDirectory.path)
            session.runID = runID
        } catch {
            onCell(failureCell(String(describing: error), at: SourcePosition(line: 1, column: 1), statement: ""))
            return Outcome(succeeded: false, failures: 1, runID: nil)
        }

        var failures = 0
        func record(_ cell: CellResult) {
            var cell = cell
            cell.chartFiles = (try? workspace.record(cell, run: runID)) ?? []
            onCell(cell)
            if !cell.ok { failures += 1 }
        }
        func finish(_ error: ScriptError?) -> Outcome {
            try? workspace.finishRun(runID, status: failures == 0 ? "succeeded" : "failed",
                                     error: error.map { "\(sourceName):\($0)" })
            return Outcome(succeeded: failures == 0, failures: failures, runID: runID)
        }

        let statements: [ParsedStatement]
        do {
            statements = try interpreter.parser.parse(source)
        } catch {
            let scriptError: ScriptError
            switch error {
            case .error(let e), .incompleteBlock(let e): scriptError = e
            }
            record(failureCell(scriptError.message, at: scriptError.position, statement: line(scriptError.position.line, of: source)))
            return finish(scriptError)
        }

        // Check the whole script first, so a typo on the last line fails before slow work starts.
        if !keepGoing, let bad = statements.firstIndex(where: { if case .failure = $0.result { return true }; return false }),
           case .failure(let error) = statements[bad].result {
            record(CellResult(cell: bad + 1, statement: statements[bad].text, position: statements[bad].position,
                              output: "", values: [], error: error, durationSeconds: 0))
            return finish(error)
        }
        // …and every `$name` it uses, against what is defined above each use.
        let known = Set(session.parameters.keys).union(session.variables.keys).union(session.published.keys)
        if !keepGoing, let error = NameResolver(table: interpreter.table).firstUnresolved(in: statements, known: known) {
            let index = statements.lastIndex { $0.position.line < error.position.line
                || ($0.position.line == error.position.line && $0.position.column <= error.position.column) } ?? 0
            record(CellResult(cell: index + 1, statement: statements[index].text, position: statements[index].position,
                              output: "", values: [], error: error, durationSeconds: 0))
            return finish(error)
        }

        var firstError: ScriptError?
        for statement in statements {
            let cell = skipping?(statement).map { interpreter.skip(statement, because: $0) } ?? interpreter.execute(statement)
            record(cell)
            if let error = cell.error {
                firstError = firstError ?? error
                if !keepGoing { break }
            }
            if Interrupt.isRequested { break }
        }
        return finish(firstError)
    }

    private func failureCell(_ message: String, at position: SourcePosition, statement: String) -> CellResult {
        CellResult(cell: 1, statement: statement, position: position, output: "", values: [],
                   error: ScriptError(message, at: position), durationSeconds: 0)
    }

    private func line(_ number: Int, of source: String) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        return number - 1 < lines.count ? String(lines[number - 1]).trimmingCharacters(in: .whitespaces) : ""
    }
}
