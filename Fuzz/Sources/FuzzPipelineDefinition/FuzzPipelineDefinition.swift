import FuzzSupport
import Foundation
@testable import RappiScript
@testable import RappiWorkspace

/// `pipeline NAME(p=default, …) { body }`: the definition as parsed, stored (parameters and steps
/// as JSON text) and read back, checked against given values, and described for the workspace
/// server's OpenAPI document. The stored form must read back to what was written.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipelineDefinition(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let text = FuzzInput(data, size).text,
          let statements = try? Parser(table: .standard).parse(text) else { return 0 }
    for parsed in statements {
        guard case .success(let statement) = parsed.result, case .pipelineDefinition(let syntax) = statement.kind else { continue }
        let parameters = syntax.parameters.map { PipelineDefinition.Parameter(name: $0.name, defaultValue: $0.defaultValue) }
        let steps = syntax.steps.map { PipelineDefinition.Step(kind: $0.kind, statement: $0.statement) }
        let storedParameters = PipelineDefinition.encodeParameters(parameters)
        let storedSteps = PipelineDefinition.encodeSteps(steps)
        guard PipelineDefinition.decodeParameters(storedParameters) == parameters else {
            fatalError("parameters do not read back: \(storedParameters)")
        }
        guard PipelineDefinition.decodeSteps(storedSteps) == steps else {
            fatalError("steps do not read back: \(storedSteps)")
        }
        let definition = PipelineDefinition(name: syntax.name, version: 1, parameters: parameters, body: syntax.body, steps: steps,
                                            textHash: "", baseDirectory: nil, createdAt: "")
        _ = PipelineParameterCheck.problem(in: definition, values: parameters.map { ($0.name, $0.defaultValue) })
        let schema = ParameterSchema.properties(of: definition)
        guard JSONSerialization.isValidJSONObject(schema) else { fatalError("parameter schema is not JSON: \(schema)") }
        _ = try? Parser(table: .standard).parse(syntax.body)
    }
    return 0
}
