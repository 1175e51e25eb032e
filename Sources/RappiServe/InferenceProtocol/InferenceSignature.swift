import RappiML

/// What a served model looks like through the Open Inference Protocol: one input tensor per raw
/// column and the output tensors, derived from what the model answers on `/score` (a label
/// always; probabilities only when the model has them).
struct InferenceSignature: Sendable {
    struct Tensor: Sendable, Equatable {
        let name: String
        let datatype: String
        /// `-1` for the batch dimension.
        let shape: [Int]
    }

    let name: String
    /// nil for the A/B router, which serves an experiment rather than a model version.
    let version: String?
    let platform: String
    let inputs: [InputColumn]
    let outputs: [Tensor]
    /// The classes in the order of each probabilities row (the `classes` of a `/score` answer).
    let classes: [String]
    /// `classes` as the protocol's string parameters carry them — a JSON string holding the JSON
    /// list, `"[\"0\",\"1\"]"` — written once, not in every answer.
    let classesParameter: String

    static let labelOutput = "label"
    static let probabilitiesOutput = "probabilities"

    /// The signature of `runtime`'s model, served as `name` (version `version`, nil for none),
    /// with `extraOutputs` (BYTES, one per row) after the model's own; `probabilities` says
    /// whether every answer has them (the router's two models must both), default the model's.
    init(runtime: ModelRuntime, name: String, version: String?, platform: String, probabilities: Bool? = nil,
         extraOutputs: [String] = []) {
        // A regression model's `label` is its predicted number (FP64), as `/score` answers it.
        let labelType = runtime.output.isNumber ? "FP64" : Self.datatype(ofJSON: runtime.labelJSON)
        var outputs = [Tensor(name: Self.labelOutput, datatype: labelType, shape: [-1, 1])]
        if probabilities ?? runtime.hasProbabilities {
            outputs.append(Tensor(name: Self.probabilitiesOutput, datatype: "FP64", shape: [-1, runtime.model.classes.count]))
        }
        outputs += extraOutputs.map { Tensor(name: $0, datatype: "BYTES", shape: [-1, 1]) }
        self.init(name: name, version: version, platform: platform, inputs: runtime.inputs, outputs: outputs, classes: runtime.model.classes)
    }

    /// A signature given field by field (the request-decoding fuzz harness has no model file).
    init(name: String, version: String?, platform: String, inputs: [InputColumn], outputs: [Tensor], classes: [String]) {
        self.name = name
        self.version = version
        self.platform = platform
        self.inputs = inputs
        self.outputs = outputs
        self.classes = classes
        classesParameter = JSONText.quote("[" + classes.map { JSONText.quote($0) }.joined(separator: ",") + "]")
    }

    /// The input tensors: BYTES for text, INT64 for integer and FP64 for real columns, `[-1, 1]`.
    var inputTensors: [Tensor] {
        inputs.map { Tensor(name: $0.name, datatype: Self.datatype(of: $0.type), shape: [-1, 1]) }
    }

    static func datatype(of type: ColumnType) -> String {
        switch type {
        case .integer: return "INT64"
        case .real: return "FP64"
        case .text: return "BYTES"
        }
    }

    /// The datatype of output values as the JSON answers write them: INT64 when every value is a
    /// JSON integer, FP64 when every value is a JSON number, BYTES otherwise (quoted strings).
    static func datatype(ofJSON values: [String]) -> String {
        guard values.allSatisfy(\.isJSONNumber) else { return "BYTES" }
        return values.allSatisfy { !$0.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) } ? "INT64" : "FP64"
    }
}
