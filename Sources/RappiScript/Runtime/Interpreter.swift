import Foundation
import RappiCharts
import RappiML
import RappiWorkspace

/// Executes parsed statements against a session, one cell at a time.
public final class Interpreter {
    public let session: Session
    public let table: CommandTable
    public private(set) var cellCount = 0

    public init(session: Session, table: CommandTable = .standard) {
        self.session = session
        self.table = table
    }

    public var parser: Parser { Parser(table: table) }

    /// Runs one statement (or reports its parse failure) as the next cell.
    public func execute(_ parsed: ParsedStatement) -> CellResult {
        cellCount += 1
        let started = Date()
        var output = ""
        var values: PublishedValues = []
        var secrets: [String] = []
        var charts: [Chart] = []
        var failure: ScriptError?
        do {
            let statement = try parsed.result.get()
            let result = try run(statement)
            output = result.output
            values = result.values
            secrets = result.secrets
            charts = result.charts
            if Interrupt.isRequested { throw ScriptError("interrupted (Ctrl-C)", at: parsed.position) }
            session.publish(values)
        } catch let error as ScriptError {
            failure = error
        } catch {
            let message = Interrupt.isRequested ? "interrupted (Ctrl-C)" : String(describing: error)
            failure = ScriptError(message, at: parsed.position)
        }
        var cell = CellResult(cell: cellCount, statement: parsed.text, position: parsed.position, output: output,
                              values: failure == nil ? values : [], error: failure,
                              durationSeconds: Date().timeIntervalSince(started), secrets: secrets)
        if failure == nil { cell.charts = charts }
        return cell
    }

    /// Counts `parsed` as the next cell without running it (a replay leaving live services
    /// alone): an ok cell that publishes nothing and says why it was skipped.
    public func skip(_ parsed: ParsedStatement, because reason: String) -> CellResult {
        cellCount += 1
        return CellResult(cell: cellCount, statement: parsed.text, position: parsed.position, output: "skipped: \(reason)",
                          values: [], error: nil, durationSeconds: 0)
    }

    private func run(_ statement: Statement) throws -> CommandResult {
        switch statement.kind {
        case .assignment(let name, let token):
            return try assign(name, token)
        case .pipelineDefinition(let syntax):
            return try PipelineDefining.define(syntax, in: session)
        case .command(let invocation):
            let call = BoundCall(invocation: invocation, session: session)
            let result = try invocation.command.execute(call, in: CommandContext(session: session, table: table))
            #if DEBUG
            // `publishes:` is what pipeline bodies and `$name` checks rely on: a value a command
            // publishes without declaring it fails every test that runs the command.
            let declared = Set(invocation.command.signature.publishes)
            if !invocation.command.signature.publishesRunOutputs, let undeclared = result.values.map(\.name).first(where: { !declared.contains($0) }) {
                throw ScriptError("internal error: \(invocation.command.signature.name) published '\(undeclared)' without declaring it in its signature", at: statement.position)
            }
            #endif
            return result
        }
    }

    private func assign(_ name: String, _ token: Token) throws -> CommandResult {
        if let given = session.parameters[name] {
            return CommandResult("\(name) = \(given)  (set by -D \(name)=\(given))")
        }
        let value: Value
        switch token.kind {
        case .variable(let other):
            guard let found = session.lookup(other) else {
                throw ScriptError("$\(other) is not defined — define it with `let \(other) = …` or pass -D \(other)=…", at: token.position)
            }
            value = found
        case .string(let text): value = .string(try session.interpolate(text, at: token.position))
        default: value = Value(literal: token.text)
        }
        session.variables[name] = value
        return CommandResult("\(name) = \(value)")
    }
}
