import RappiWorkspace

/// A published pipeline's parameters as JSON Schema (OpenAPI 3.0) properties, for the workspace
/// server's `/openapi.json`: what `POST /api/pipelines/NAME/runs` accepts in `"parameters"`.
/// The types follow how the body uses each parameter (`PipelineParameterCheck`), so a value the
/// document allows is one the server queues, and one it forbids is answered 422.
public enum ParameterSchema {
    public static func properties(of definition: PipelineDefinition, table: CommandTable = .standard) -> [String: [String: Any]] {
        let kinds = PipelineParameterCheck.kinds(in: definition, table: table)
        var properties: [String: [String: Any]] = [:]
        for parameter in definition.parameters {
            var schema = schema(for: kinds[parameter.name])
            schema["description"] = "default \(parameter.defaultValue)" + (kinds[parameter.name].map { "; used as \($0.expectation)" } ?? "")
            properties[parameter.name] = schema
        }
        return properties
    }


    /// The JSON values whose text (`3`, `2.5`, `true`, the string itself) the kind accepts; an
    /// integer parameter is read as a 64-bit integer, so the bounds are Int64's.
    static func schema(for kind: ValueKind?) -> [String: Any] {
        let scalar: [String: Any] = ["anyOf": [["type": "string"], ["type": "number"], ["type": "boolean"]]]
        guard let kind else { return scalar }
        switch kind {
        case .integer:
            return ["anyOf": [["type": "integer", "minimum": Int64.min, "maximum": Int64.max] as [String: Any],
                              ["type": "string", "pattern": "^[+-]?[0-9]{1,18}$"]]]
        case .number:
            return ["anyOf": [["type": "number"], ["type": "string", "pattern": "^[+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"]]]
        case .boolean:
            return ["anyOf": [["type": "boolean"], ["type": "string", "enum": ["true", "false", "yes", "no", "on", "off"]]]]
        case .version:
            return ["anyOf": [["type": "integer", "minimum": 0, "maximum": Int64.max] as [String: Any],
                              ["type": "string", "pattern": "^([vV]?[0-9]{1,18}|latest)$"]]]
        case .choice(let options):
            return ["type": "string", "enum": options]
        case .name, .stored, .publishedValue:
            return ["type": "string", "pattern": "^[A-Za-z_]"]
        case .path, .text:
            return scalar
        case .comparison:
            return ["type": "string", "enum": ["==", "!=", "<", "<=", ">", ">="]]
        case .json:
            return ["not": [:] as [String: Any]]
        case .size:
            return ["type": "string", "pattern": "^[1-9][0-9]{0,8}(\\.[0-9]{1,3})?([kKmMgG]([iI]?[bB])?|[bB])?$"]
        }
    }
}
