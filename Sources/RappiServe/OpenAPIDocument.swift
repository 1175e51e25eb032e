import Foundation
import RappiML

/// The OpenAPI 3.0 document for one served model, generated once at start-up from its inputs:
/// request and response schemas for /score and /invocations, field types (every field may be
/// absent, null or empty: it is then imputed), an example record, the error envelope, and the bearer scheme when keys are set.
enum OpenAPIDocument {
    /// `experiment` names an A/B router's experiment: its answers carry variants and request ids
    /// instead of model and version, and it takes `POST /feedback`.
    static func make(runtime: ModelRuntime, inference: InferenceSignature, authenticated: Bool, experiment: String? = nil) -> [UInt8] {
        let model = runtime.model
        let inputs = runtime.inputs
        let example = exampleRecord(inputs, recipe: model.preprocessor.recipe)
        let output = runtime.output
        let hasProbabilities = runtime.hasProbabilities

        var properties: [String: Any] = [:]
        for input in inputs {
            var p = fieldSchema(input.type)
            p["description"] = "\(input.type.rawValue) field; absent, null or empty: imputed as the training rows taught"
                + (input.completeInTraining ? " (every training row had it)" : "")
            properties[input.name] = p
        }
        // A record must name at least one of the model's fields (the server refuses a record
        // with none: almost surely a client bug); other keys are ignored.
        var record: [String: Any] = [
            "type": "object",
            "properties": properties,
            "additionalProperties": true,
            "example": example,
        ]
        if !inputs.isEmpty { record["anyOf"] = inputs.map { ["required": [$0.name]] } }
        let recordRef: [String: Any] = ["$ref": "#/components/schemas/Record"]
        let recordList: [String: Any] = ["type": "array", "minItems": 1, "items": recordRef]
        let names = inputs.map(\.name)

        let labelSchema: [String: Any] = model.target.isNumeric && model.classes.allSatisfy(\.isJSONNumber)
            ? ["type": "number", "enum": model.classes.compactMap { Double($0) }]
            : ["type": "string", "enum": model.classes]
        let predictions: [String: Any] = output.isNumber
            ? ["type": "array", "items": ["type": "number"] as [String: Any],
               "description": "one predicted \(model.target.column) per record (a number), in request order"]
            : ["type": "array", "items": labelSchema, "description": "one predicted class per record, in request order"]
        var responseProperties: [String: Any] = [
            "predictions": predictions,
            "model": ["type": "string", "example": runtime.name],
            "version": ["type": "integer", "example": runtime.version],
        ]
        var required = ["predictions", "model", "version"]
        if let experiment {
            // The router's answer (ExperimentResponder.encode): which variant answered each record,
            // and the request id to send its outcome to /feedback with.
            responseProperties = [
                "predictions": responseProperties["predictions"]!,
                "variants": ["type": "array", "items": ["type": "string", "enum": ["A", "B"]]],
                "request_ids": ["type": "array", "items": ["type": "string"]],
                "variant": ["type": "string", "enum": ["A", "B"], "description": "for a single record"],
                "request_id": ["type": "string", "description": "for a single record"],
                "experiment": ["type": "string", "example": experiment],
            ]
            required = ["predictions", "variants", "request_ids", "experiment"]
        }
        // A router's variant without probabilities (a linear SVC) has null for its records.
        if hasProbabilities || experiment != nil {
            responseProperties["probabilities"] = [
                "type": "array",
                "description": "per record, the probability of each class in the order \(model.classes)",
                "items": ["type": "array", "minItems": model.classes.count, "maxItems": model.classes.count, "nullable": experiment != nil,
                          "items": ["type": "number", "minimum": 0, "maximum": 1]],
            ] as [String: Any]
            responseProperties["classes"] = [
                "type": "array", "items": labelSchema,
                "description": "the classes in the order of each probabilities list",
            ] as [String: Any]
        }

        var schemas: [String: Any] = [
            "Record": record,
            "ScoreRequest": [
                "type": "object", "required": ["data"],
                "properties": ["data": ["oneOf": [recordList, recordRef]]],
                "example": ["data": [example]],
            ] as [String: Any],
            // The positional forms — {"dataframe_split": {"columns": […], "data": [[…]]}} and
            // {"instances": [[…]]} — are accepted too but described only in words: OpenAPI 3.0
            // cannot say that a row has as many values as there are columns, nor give a value's
            // type by its position, so any schema for them would let through requests the
            // server must refuse.
            "InvocationsRequest": [
                "oneOf": [
                    ["type": "object", "required": ["dataframe_records"],
                     "properties": ["dataframe_records": recordList]] as [String: Any],
                    ["type": "object", "required": ["instances"],
                     "properties": ["instances": recordList]] as [String: Any],
                ],
                "description": """
                    MLflow's forms. Besides these, the server accepts {"dataframe_split": {"columns": [names], "data": [[values], …]}} \
                    (at least one column, no column twice, every row as long as the columns) and {"instances": [[values], …]} \
                    with the values in input-column order: \(names.joined(separator: ", ")).
                    """,
                "example": ["dataframe_records": [example]],
            ] as [String: Any],
            "PredictionResponse": [
                "type": "object", "required": required,
                "properties": responseProperties,
            ] as [String: Any],
            "Error": errorSchema.merging(["example": ["error": ["code": "invalid_input", "message": "the input has 1 problem",
                                                               "details": [["row": 0, "field": inputs.first?.name ?? "field",
                                                                            "problem": "expected a number, got \"abc\""]]]]]) { $1 },
        ]

        func predictOperation(_ summary: String, request: String) -> [String: Any] {
            var op: [String: Any] = [
                "summary": summary,
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(request)"]]]],
                "responses": [
                    "200": ["description": "predictions", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/PredictionResponse"]]]],
                    "400": errorResponse("malformed JSON"),
                    "401": errorResponse("missing or invalid API key"),
                    "413": errorResponse("body larger than the limit"),
                    "415": errorResponse("body not sent as application/json"),
                    "422": errorResponse("wrong shape or a field of the wrong type"),
                    "503": errorResponse("too many requests in flight; retry after a second"),
                ] as [String: Any],
            ]
            if authenticated { op["security"] = [["bearerAuth": [String]()]] }
            return op
        }
        func errorResponse(_ description: String) -> [String: Any] {
            ["description": description, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        }
        func getOperation(_ summary: String, type: String, schema: [String: Any]) -> [String: Any] {
            ["get": ["summary": summary, "security": [] as [Any],
                     "responses": ["200": ["description": summary, "content": [type: ["schema": schema]]]]] as [String: Any]]
        }

        schemas.merge(InferenceOpenAPI.schemas(inference)) { mine, _ in mine }
        var components: [String: Any] = ["schemas": schemas]
        if authenticated {
            components["securitySchemes"] = ["bearerAuth": ["type": "http", "scheme": "bearer",
                                                            "description": "an API key: Authorization: Bearer <key>"]]
        }
        var paths: [String: Any] = [
            "/score": ["post": predictOperation("Predict (Azure ML style)", request: "ScoreRequest")],
            "/invocations": ["post": predictOperation("Predict (MLflow style)", request: "InvocationsRequest")],
            "/health/live": getOperation("the process is up", type: "application/json",
                                         schema: ["type": "object", "properties": ["status": ["type": "string"]]]),
            "/health/ready": getOperation("the model is loaded", type: "application/json",
                                          schema: ["type": "object", "properties": ["status": ["type": "string"], "model": ["type": "string"], "version": ["type": "integer"]]]),
            "/metrics": getOperation("Prometheus metrics", type: "text/plain", schema: ["type": "string"]),
            "/openapi.json": getOperation("this document", type: "application/json", schema: ["type": "object"]),
        ]
        if experiment != nil {
            var schemas = components["schemas"] as! [String: Any]
            let item: [String: Any] = ["type": "object", "required": ["request_id", "outcome"],
                                       "properties": ["request_id": ["type": "string", "minLength": 1], "outcome": labelSchema] as [String: Any]]
            let items: [String: Any] = ["type": "array", "minItems": 1, "items": item]
            schemas["FeedbackRequest"] = ["oneOf": [item, ["type": "object", "required": ["feedback"], "properties": ["feedback": items]] as [String: Any], items],
                                          "description": "the true outcome of answered records, by the request_id each answer carried"] as [String: Any]
            schemas["FeedbackResponse"] = ["type": "object", "required": ["recorded"], "properties": ["recorded": ["type": "integer"]]] as [String: Any]
            components["schemas"] = schemas
            var feedback = predictOperation("Record outcomes for the experiment's report", request: "FeedbackRequest")
            var responses = feedback["responses"] as! [String: Any]
            responses["200"] = ["description": "outcomes stored", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/FeedbackResponse"]]]]
            responses["404"] = errorResponse("a request id no prediction of this experiment answered with; nothing stored")
            responses["409"] = errorResponse("a request id that already has an outcome; nothing stored")
            feedback["responses"] = responses
            paths["/feedback"] = ["post": feedback]
        }
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": [
                "title": experiment.map { "rappi A/B experiment \($0)" } ?? "rappi model \(runtime.name)",
                "version": String(runtime.version),
                "description": "\(model.algorithm) classifier predicting '\(model.target.column)' (classes: \(model.classes.joined(separator: ", "))).",
            ],
            // The Open Inference Protocol routes beside rappi's own (rappi's win a name clash).
            "paths": InferenceOpenAPI.paths(inference, authenticated: authenticated).merging(paths) { _, mine in mine },
            "components": components,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return [UInt8](data)
    }

    /// The error envelope every rappi server answers with (ARCHITECTURE.md §7).
    static var errorSchema: [String: Any] { [
        "type": "object", "required": ["error"],
        "properties": ["error": [
            "type": "object", "required": ["code", "message", "details"],
            "properties": [
                "code": ["type": "string", "enum": ["invalid_json", "invalid_request", "unauthorized", "not_found",
                                                    "method_not_allowed", "payload_too_large", "unsupported_media_type",
                                                    "invalid_input", "overloaded", "internal_error",
                                                    "unknown_request_id", "outcome_already_recorded"]],
                "message": ["type": "string"],
                "details": ["type": "array", "items": [
                    "type": "object",
                    "properties": ["row": ["type": "integer"], "field": ["type": "string"], "problem": ["type": "string"]],
                ] as [String: Any]],
            ] as [String: Any],
        ] as [String: Any]],
    ] }

    /// What a field takes: a number of its type or text spelling one (numeric fields), a string,
    /// number or boolean (text fields; numbers become their text), null, or "" (missing).
    static func fieldSchema(_ type: ColumnType) -> [String: Any] {
        switch type {
        case .integer:
            return ["anyOf": [["type": "integer", "nullable": true] as [String: Any], ["type": "string", "pattern": NumberText.integerPattern]]]
        case .real:
            return ["anyOf": [["type": "number", "nullable": true] as [String: Any], ["type": "string", "pattern": NumberText.decimalPattern]]]
        case .text:
            return ["anyOf": [["type": "string", "nullable": true] as [String: Any], ["type": "number"], ["type": "boolean"]]]
        }
    }

    /// A realistic record for the titanic recipe (the first training passenger), typed
    /// placeholders otherwise.
    static func exampleRecord(_ inputs: [InputColumn], recipe: Recipe) -> [String: Any] {
        let titanic: [String: Any] = [
            "Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0,
            "Ticket": "A/5 21171", "Fare": 7.25, "Cabin": NSNull(), "Embarked": "S",
        ]
        var out: [String: Any] = [:]
        for input in inputs {
            if recipe == .titanic, let v = titanic[input.name] { out[input.name] = v; continue }
            switch input.type {
            case .integer: out[input.name] = 0
            case .real: out[input.name] = 0.5
            case .text: out[input.name] = "text"
            }
        }
        return out
    }
}
