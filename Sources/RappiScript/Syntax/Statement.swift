/// One parsed statement: `let NAME = VALUE`, or a command bound to its declaration.
public struct Statement: Sendable {
    public enum Kind: Sendable {
        case assignment(name: String, value: Token)
        case command(Invocation)
        /// `pipeline NAME(param=default, …) { statements }`
        case pipelineDefinition(PipelineSyntax)
    }
    public let kind: Kind
    /// The statement as written (for cells, `.save` and run records).
    public let text: String
    public let position: SourcePosition
}

/// A command with its words bound to the declaration's arguments and options.
/// Values stay tokens until execution, because `$variables` resolve then.
public struct Invocation: Sendable {
    public let command: any RappiCommand.Type
    public let arguments: [String: Token]
    public let options: [String: Token]
    public let optionNamePositions: [String: SourcePosition]
    public let rest: [Token]
    /// `tag KEY=VALUE …` pairs, in the order written.
    public let tags: [(key: String, value: Token)]
    public let endPosition: SourcePosition
}

/// A statement that could not be parsed: kept in place so `--keep-going` can report it
/// as a failed cell and carry on with the next.
public struct ParsedStatement: Sendable {
    public let text: String
    public let position: SourcePosition
    public let result: Result<Statement, ScriptError>
}

/// A pipeline definition as written: parameters with default values and a body of statements,
/// already checked to parse.
public struct PipelineSyntax: Sendable {
    public let name: String
    public let parameters: [(name: String, defaultValue: String)]
    public let body: String
    /// The body's statements, one per step.
    public let steps: [(kind: String, statement: String)]
}
