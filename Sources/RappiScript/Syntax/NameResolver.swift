import RappiML

/// One pass over a script's parsed statements before any of them runs: every `$name` (and
/// `${name}` inside a string) must be a `-D` parameter, a `let` above it, or a value that an
/// earlier statement declares it publishes. A misspelt `$verison` on the last line then fails
/// before the slow work on the first, as a misspelt option does.
public struct NameResolver {
    public let table: CommandTable

    public init(table: CommandTable = .standard) { self.table = table }

    /// The first reference that cannot resolve, or nil. `known` holds the names defined before the
    /// script starts (parameters, variables and values of the session).
    public func firstUnresolved(in statements: [ParsedStatement], known initial: Set<String>) -> ScriptError? {
        var known = initial
        for parsed in statements {
            guard case .success(let statement) = parsed.result else { continue }
            for (name, position) in references(in: parsed) where !known.contains(name) {
                let hint = NameSuggestion.closest(to: name, in: known.sorted()).map { " — did you mean $\($0)?" }
                    ?? " — define it with `let \(name) = …` above this line or pass -D \(name)=…"
                return ScriptError("$\(name) is not defined at this point\(hint)", at: position)
            }
            switch statement.kind {
            case .assignment(let name, _):
                known.insert(name)
            case .command(let invocation):
                // A pipeline run passes on whatever its steps published: nothing after it can be checked.
                if invocation.command.signature.publishesRunOutputs { return nil }
                known.formUnion(invocation.command.signature.publishes)
            case .pipelineDefinition:
                known.formUnion(PipelineDefining.published)
            }
        }
        return nil
    }

    /// `$name` tokens and `${name}` inside strings, with their positions in the script.
    private func references(in parsed: ParsedStatement) -> [(String, SourcePosition)] {
        // A pipeline's body is checked against its parameters when it is defined, not here.
        if case .success(let statement) = parsed.result, case .pipelineDefinition = statement.kind { return [] }
        guard let tokens = try? Lexer.tokenize(parsed.text) else { return [] }
        var found: [(String, SourcePosition)] = []
        for token in tokens {
            let position = absolute(token.position, from: parsed.position)
            switch token.kind {
            case .variable(let name): found.append((name, position))
            case .string(let text): found += StringInterpolation.names(in: text).map { ($0, position) }
            default: break
            }
        }
        return found
    }

    private func absolute(_ position: SourcePosition, from start: SourcePosition) -> SourcePosition {
        position.line == 1
            ? SourcePosition(line: start.line, column: start.column + position.column - 1)
            : SourcePosition(line: start.line + position.line - 1, column: position.column)
    }
}
