/// The Open Inference Protocol part of `/openapi.json`: the v2 paths for the served model (its
/// name and version spelled out) and their schemas, merged into the document by `OpenAPIDocument`.
enum InferenceOpenAPI {
    static func paths(_ signature: InferenceSignature, authenticated: Bool) -> [String: Any] {
        let json = "application/json"
        func error(_ description: String) -> [String: Any] {
            ["description": description, "content": [json: ["schema": ["$ref": "#/components/schemas/InferenceError"]]]]
        }
        func openGet(_ summary: String, _ schema: [String: Any]) -> [String: Any] {
            ["get": ["summary": summary, "security": [] as [Any],
                     "responses": ["200": ["description": summary, "content": [json: ["schema": schema]]],
                                   "404": error("no such model or version")] as [String: Any]] as [String: Any]]
        }
        var infer: [String: Any] = [
            "summary": "Predict (Open Inference Protocol): one tensor per input column, shape [n, 1]",
            "requestBody": ["required": true, "content": [json: ["schema": ["$ref": "#/components/schemas/InferenceRequest"]]]],
            "responses": [
                "200": ["description": "the output tensors", "content": [json: ["schema": ["$ref": "#/components/schemas/InferenceResponse"]]]],
                "400": error("a malformed request or an input the model cannot take; the message names the input"),
                "401": error("missing or invalid API key"),
                "404": error("no such model or version"),
                "413": error("body larger than the limit"),
                "503": error("too many requests in flight; retry after a second"),
            ] as [String: Any],
        ]
        if authenticated { infer["security"] = [["bearerAuth": [String]()]] }

        let name = signature.name
        let metadata: [String: Any] = ["$ref": "#/components/schemas/InferenceModelMetadata"]
        let ready: [String: Any] = ["type": "object", "required": ["ready"], "properties": ["ready": ["type": "boolean"]]]
        var paths: [String: Any] = [
            "/v2": openGet("server metadata", ["type": "object", "required": ["name", "version", "extensions"],
                                            "properties": ["name": ["type": "string"], "version": ["type": "string"],
                                                           "extensions": ["type": "array", "items": ["type": "string"]]]]),
            "/v2/health/live": openGet("the process is up", ["type": "object", "required": ["live"], "properties": ["live": ["type": "boolean"]]]),
            "/v2/health/ready": openGet("the model is loaded", ready),
        ]
        var prefixes = ["/v2/models/\(name)"]
        if let version = signature.version { prefixes.append("/v2/models/\(name)/versions/\(version)") }
        for prefix in prefixes {
            paths[prefix] = openGet("model metadata: input and output tensors", metadata)
            paths[prefix + "/ready"] = openGet("the model is ready", ready)
            paths[prefix + "/infer"] = ["post": infer]
        }
        return paths
    }

    static func schemas(_ signature: InferenceSignature) -> [String: Any] {
        let tensorMetadata: [String: Any] = [
            "type": "object", "required": ["name", "datatype", "shape"],
            "properties": ["name": ["type": "string"], "datatype": ["type": "string"],
                           "shape": ["type": "array", "items": ["type": "integer"]]] as [String: Any],
        ]
        let inputTensors: [[String: Any]] = signature.inputTensors.map { t in
            let values: [String: Any] = t.datatype == "BYTES" ? ["type": "string", "nullable": true] : ["type": "number", "nullable": true]
            return [
                "type": "object", "required": ["name", "shape", "datatype", "data"],
                "properties": [
                    "name": ["type": "string", "enum": [t.name]],
                    "shape": ["type": "array", "minItems": 1, "maxItems": 2, "items": ["type": "integer", "minimum": 0]],
                    "datatype": t.datatype == "BYTES" ? ["type": "string", "enum": ["BYTES"]] as [String: Any]
                        : ["type": "string", "enum": InferenceRequest.numericDatatypes.sorted()] as [String: Any],
                    "data": ["type": "array", "items": ["oneOf": [values, ["type": "array", "items": values]]]],
                    "parameters": ["type": "object"],
                ] as [String: Any],
            ]
        }
        let names = signature.inputs.map(\.name)
        return [
            "InferenceRequest": [
                "type": "object", "required": ["inputs"],
                "properties": [
                    "id": ["type": "string"],
                    "parameters": ["type": "object"],
                    "inputs": ["type": "array", "minItems": names.count, "maxItems": names.count,
                               "description": "one tensor per input, each [n, 1] (or [n]): \(names.joined(separator: ", "))",
                               "items": ["oneOf": inputTensors]] as [String: Any],
                    "outputs": ["type": "array", "items": [
                        "type": "object", "required": ["name"],
                        "properties": ["name": ["type": "string", "enum": signature.outputs.map(\.name)],
                                       "parameters": ["type": "object"]] as [String: Any],
                    ] as [String: Any]] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
            "InferenceResponse": [
                "type": "object", "required": ["model_name", "outputs"],
                "properties": [
                    "model_name": ["type": "string"], "model_version": ["type": "string"], "id": ["type": "string"],
                    "outputs": ["type": "array", "items": [
                        "type": "object", "required": ["name", "datatype", "shape", "data"],
                        "properties": ["name": ["type": "string", "enum": signature.outputs.map(\.name)],
                                       "datatype": ["type": "string"],
                                       "shape": ["type": "array", "items": ["type": "integer"]],
                                       "parameters": ["type": "object"],
                                       "data": ["type": "array", "items": [:] as [String: Any]]] as [String: Any],
                    ] as [String: Any]] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
            "InferenceModelMetadata": [
                "type": "object", "required": ["name", "versions", "platform", "inputs", "outputs"],
                "properties": [
                    "name": ["type": "string"], "platform": ["type": "string"],
                    "versions": ["type": "array", "items": ["type": "string"]],
                    "inputs": ["type": "array", "items": tensorMetadata], "outputs": ["type": "array", "items": tensorMetadata],
                    "parameters": ["type": "object"],
                ] as [String: Any],
            ] as [String: Any],
            "InferenceError": [
                "type": "object", "required": ["error"], "properties": ["error": ["type": "string"]],
            ] as [String: Any],
        ]
    }
}
