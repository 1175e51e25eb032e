import RappiML

/// The answers of the Open Inference Protocol routes, written by hand like `/score`'s.
enum InferenceResponse {
    /// One batch's outputs: `labels` as the JSON tokens `/score` writes, probabilities row-major
    /// (`rows × classCount`) when the model has them, and the values of the signature's extra
    /// BYTES outputs (the router's variant and request id), in signature order.
    struct Values {
        var labels: [String]
        var probabilities: [Double]?
        var classCount: Int
        var extra: [[String]] = []
    }

    /// `{"model_name", "model_version", "id", "outputs": [{"name", "datatype", "shape", "data"}, …]}`.
    static func infer(_ values: Values, signature: InferenceSignature, id: String?, requested: [String]?) -> String {
        let n = values.labels.count
        var w = JSONWriter(capacity: 128 + n * (values.probabilities == nil ? 8 : 24 + 10 * values.classCount))
        w.raw("{\"model_name\":")
        w.string(signature.name)
        if let version = signature.version {
            w.raw(",\"model_version\":")
            w.string(version)
        }
        if let id {
            w.raw(",\"id\":")
            w.string(id)
        }
        w.raw(",\"outputs\":[")
        var first = true
        let extraStart = signature.outputs.count - values.extra.count
        for (index, tensor) in signature.outputs.enumerated() where requested?.contains(tensor.name) ?? true {
            if tensor.name == InferenceSignature.probabilitiesOutput && values.probabilities == nil { continue }
            if !first { w.raw(",") }
            first = false
            w.raw("{\"name\":")
            w.string(tensor.name)
            w.raw(",\"datatype\":\"")
            w.raw(tensor.datatype)
            w.raw("\",\"shape\":[")
            w.number(n)
            w.raw(",")
            w.number(tensor.name == InferenceSignature.probabilitiesOutput ? values.classCount : 1)
            w.raw("]")
            if tensor.name == InferenceSignature.probabilitiesOutput {
                // The order of each row, as /score's "classes" gives it.
                w.raw(",\"parameters\":{\"classes\":")
                w.raw(signature.classesParameter)
                w.raw("}")
            }
            w.raw(",\"data\":[")
            switch tensor.name {
            case InferenceSignature.labelOutput:
                for (i, token) in values.labels.enumerated() {
                    if i > 0 { w.raw(",") }
                    w.raw(token)
                }
            case InferenceSignature.probabilitiesOutput:
                for (i, p) in values.probabilities!.enumerated() {
                    if i > 0 { w.raw(",") }
                    w.number(p)
                }
            default:
                for (i, s) in values.extra[index - extraStart].enumerated() {
                    if i > 0 { w.raw(",") }
                    w.string(s)
                }
            }
            w.raw("]}")
        }
        w.raw("]}")
        return w.text
    }

    /// `GET /v2`: the server metadata.
    static func server(version: String) -> String {
        var w = JSONWriter()
        w.raw("{\"name\":\"rappi\",\"version\":")
        w.string(version)
        w.raw(",\"extensions\":[]}")
        return w.text
    }

    /// `GET /v2/models/NAME`: the model metadata (the protocol's fields, plus `parameters` with
    /// the classes and the target).
    static func metadata(_ signature: InferenceSignature, target: String) -> String {
        var w = JSONWriter(capacity: 256 + signature.inputs.count * 48)
        w.raw("{\"name\":")
        w.string(signature.name)
        w.raw(",\"versions\":[")
        if let version = signature.version { w.string(version) }
        w.raw("],\"platform\":")
        w.string(signature.platform)
        w.raw(",\"inputs\":")
        tensors(signature.inputTensors, into: &w)
        w.raw(",\"outputs\":")
        tensors(signature.outputs, into: &w)
        w.raw(",\"parameters\":{\"target\":")
        w.string(target)
        w.raw(",\"classes\":")
        w.raw(signature.classesParameter)
        w.raw("}}")
        return w.text
    }

    /// `GET /v2/models/NAME/ready`.
    static func modelReady(_ signature: InferenceSignature) -> String {
        var w = JSONWriter()
        w.raw("{\"name\":")
        w.string(signature.name)
        w.raw(",\"ready\":true}")
        return w.text
    }

    /// The protocol's error body `{"error": "…"}`: the message, then each field-level detail.
    static func error(_ error: APIError) -> String {
        var message = error.message
        if error.details.count > 1 {
            message += " — " + error.details.prefix(10).map { d in
                d.field.isEmpty ? "row \(d.row): \(d.problem)" : "row \(d.row), input '\(d.field)': \(d.problem)"
            }.joined(separator: "; ")
        }
        var w = JSONWriter(capacity: message.utf8.count + 16)
        w.raw("{\"error\":")
        w.string(message)
        w.raw("}")
        return w.text
    }

    private static func tensors(_ list: [InferenceSignature.Tensor], into w: inout JSONWriter) {
        w.raw("[")
        for (i, t) in list.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"name\":")
            w.string(t.name)
            w.raw(",\"datatype\":\"")
            w.raw(t.datatype)
            w.raw("\",\"shape\":[")
            w.raw(t.shape.map(String.init).joined(separator: ","))
            w.raw("]}")
        }
        w.raw("]")
    }
}
