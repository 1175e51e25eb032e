import RappiML
import RappiWorkspace

/// Stores a `pipeline NAME(…) { … }` definition in the workspace.
enum PipelineDefining {
    /// What a definition publishes (the statement has no command type to declare it).
    static let published = ["pipeline", "pipeline_version"]

    static func define(_ syntax: PipelineSyntax, in session: Session) throws -> CommandResult {
        let parameters = syntax.parameters.map { PipelineDefinition.Parameter(name: $0.name, defaultValue: $0.defaultValue) }
        let (definition, created) = try session.workspace().definePipeline(
            name: syntax.name, parameters: parameters, body: syntax.body,
            steps: syntax.steps.map { PipelineDefinition.Step(kind: $0.kind, statement: $0.statement) }, baseDirectory: session.baseDirectory.path)
        let steps = syntax.steps.count
        let text = created
            ? "defined pipeline \(definition.signature) v\(definition.version) — \(steps) step\(steps == 1 ? "" : "s"): "
                + syntax.steps.map(\.kind).joined(separator: " → ")
            : "unchanged: pipeline \(definition.name) v\(definition.version) already has this text"
        return CommandResult(text, values: [("pipeline", .string(definition.name)), ("pipeline_version", .int(definition.version))])
    }
}
