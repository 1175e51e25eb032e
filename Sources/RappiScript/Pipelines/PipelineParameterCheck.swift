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
        let given = Dictionary(values.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        for use in uses(in: definition, table: table) {
            guard let value = given[use.parameter], let expected = use.kind.check(value) else { continue }
            return Problem(parameter: use.parameter, message: """
                parameter '\(use.parameter)' is '\(value.prefix(80))', but step \(use.step) (`\(use.command)`) uses it as \(use.place), \
                which expects \(expected)
                """)
        }
        return nil
    }

    /// Each parameter's expected kind, from its first use in a place that expects one (the
    /// workspace server's OpenAPI document describes parameters with it). Parameters used only as
    /// free text are absent.
    public static func kinds(in definition: PipelineDefinition, table: CommandTable = .standard) -> [String: ValueKind] {
        var kinds: [String: ValueKind] = [:]
        for use in uses(in: definition, table: table) where kinds[use.parameter] == nil { kinds[use.parameter] = use.kind }
        return kinds
    }

    /// A parameter written where a command expects a kind of value, in body order.
    private struct Use {
        let parameter: String
        let kind: ValueKind
        let place: String
        let step: Int
        let command: String
    }

    private static func uses(in definition: PipelineDefinition, table: CommandTable) -> [Use] {
        guard let statements = try? Parser(table: table).parse(definition.body) else { return [] }
        var shadowed: Set<String> = []
        var found: [Use] = []
        for (index, parsed) in statements.enumerated() {
            guard case .success(let statement) = parsed.result else { continue }
            switch statement.kind {
            case .assignment(let name, _): shadowed.insert(name)
            case .pipelineDefinition: continue
            case .command(let invocation):
                let signature = invocation.command.signature
                var places: [(place: String, kind: ValueKind?, token: Token)] = []
                for (name, token) in invocation.arguments {
                    places.append((name.uppercased(), signature.arguments.first(where: { $0.name == name })?.kind, token))
                }
                for (name, token) in invocation.options { places.append(("option '\(name)'", signature.option(named: name)?.kind, token)) }
                for place in places.sorted(by: { $0.token.start < $1.token.start }) {
                    guard case .variable(let name) = place.token.kind, !shadowed.contains(name), let kind = place.kind else { continue }
                    found.append(Use(parameter: name, kind: kind, place: place.place, step: index + 1, command: signature.name))
                }
            }
        }
        return found
    }
}
