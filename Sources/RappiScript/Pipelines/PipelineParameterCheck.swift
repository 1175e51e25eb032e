import RappiWorkspace

/// Checks the values given for a pipeline's parameters against how its body uses them: a
/// parameter written where a command expects an integer (`train rf trees=$trees`) must be one.
/// Used before a run is queued — by `run pipeline` and by the workspace server, which answers 422
/// — so a mistyped value fails at once rather than at its step, minutes later.
public enum PipelineParameterCheck {
    public struct Problem: Error, Sendable, Equatable {
        public let parameter: String
        public let message: String
    }

    /// The first value that does not fit a place the body uses it, if any.
    public static func problem(in definition: PipelineDefinition, values: [(name: String, value: String)],
                               table: CommandTable = .standard) -> Problem? {
        guard let statements = try? Parser(table: table).parse(definition.body) else { return nil }
        let given = Dictionary(values.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        var shadowed: Set<String> = []
        for (index, parsed) in statements.enumerated() {
            guard case .success(let statement) = parsed.result else { continue }
            switch statement.kind {
            case .assignment(let name, _): shadowed.insert(name)
            case .pipelineDefinition: continue
            case .command(let invocation):
                let signature = invocation.command.signature
                var uses: [(place: String, kind: ValueKind?, token: Token)] = []
                for (name, token) in invocation.arguments {
                    uses.append((name.uppercased(), signature.arguments.first(where: { $0.name == name })?.kind, token))
                }
                for (name, token) in invocation.options { uses.append(("option '\(name)'", signature.option(named: name)?.kind, token)) }
                for use in uses.sorted(by: { $0.token.start < $1.token.start }) {
                    guard case .variable(let name) = use.token.kind, !shadowed.contains(name),
                          let value = given[name], let kind = use.kind, let expected = kind.check(value) else { continue }
                    return Problem(parameter: name, message: """
                        parameter '\(name)' is '\(value.prefix(80))', but step \(index + 1) (`\(signature.name)`) uses it as \(use.place), \
                        which expects \(expected)
                        """)
                }
            }
        }
        return nil
    }
}
