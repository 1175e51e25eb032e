import Foundation
import RappiML
import RappiWorkspace

/// The workspace server's OpenAPI 3.0 document, made per request from what is published now:
/// one trigger operation per published pipeline (`POST /api/pipelines/NAME/runs`) with that
/// pipeline's parameters and the workspace's compute targets, the run status and the listing —
/// all behind the bearer token — and the open health and document routes.
enum WorkspaceOpenAPIDocument {
    static func make(_ workspace: Workspace, parameterSchemas: (PipelineDefinition) -> [String: [String: Any]]) throws -> [UInt8] {
        let computeNames = try workspace.computeTargets().map(\.name)
        var paths: [String: Any] = [
            "/health/live": open("the process is up", schema: statusSchema),
            "/health/ready": open("the server accepts requests", schema: statusSchema),
            "/openapi.json": open("this document", schema: ["type": "object"]),
            "/api/pipelines": ["get": operation("the published pipelines", success: ("200", "PipelineList"), errors: ["401"])],
            "/api/runs/{id}": ["get": operation("a pipeline run's status, steps and outputs", success: ("200", "PipelineRun"),
                                                errors: ["401", "404"],
                                                parameters: [["name": "id", "in": "path", "required": true,
                                                              "schema": ["type": "integer", "minimum": 1, "maximum": Int32.max]] as [String: Any]])],
        ]
        for published in try workspace.publishedPipelines() {
            let definition = try workspace.pipeline(published.name, version: published.pipelineVersion)
            var trigger = operation("queue a run of '\(published.name)'", success: ("202", "Queued"),
                                    errors: ["400", "401", "413", "415", "422", "503"])
            trigger["requestBody"] = [
                "required": false,
                "content": ["application/json": ["schema": triggerSchema(definition, parameters: parameterSchemas(definition), compute: computeNames)]],
            ] as [String: Any]
            paths["/api/pipelines/\(published.name)/runs"] = ["post": trigger]
        }
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": [
                "title": "rappi workspace server",
                "version": "1",
                "description": "Published pipelines of this workspace: trigger runs and follow them. Every /api route takes the bearer token `publish pipeline NAME` printed.",
            ],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer",
                                                   "description": "a published pipeline's token: Authorization: Bearer <token>"]],
            ] as [String: Any],
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }

    /// `{"parameters": {…}, "compute": "…", "timeout_seconds": N}`, every key optional, nothing else.
    private static func triggerSchema(_ definition: PipelineDefinition, parameters: [String: [String: Any]], compute: [String]) -> [String: Any] {
        [
            "type": "object",
            "additionalProperties": false,
            "properties": [
                "parameters": ["type": "object", "additionalProperties": false, "properties": parameters,
                               "description": "values for the pipeline's parameters; the others keep their defaults"] as [String: Any],
                "compute": ["type": "string", "enum": compute, "description": "the compute target (default local)"] as [String: Any],
                "timeout_seconds": ["type": "number", "minimum": 0, "exclusiveMinimum": true,
                                    "description": "the run fails when it takes longer"] as [String: Any],
            ] as [String: Any],
            "example": ["parameters": Dictionary(uniqueKeysWithValues: definition.parameters.map { ($0.name, $0.defaultValue) }),
                        "compute": "local"] as [String: Any],
        ]
    }

    private static var statusSchema: [String: Any] { ["type": "object", "properties": ["status": ["type": "string"]]] }

    private static func open(_ summary: String, schema: [String: Any]) -> [String: Any] {
        ["get": ["summary": summary, "security": [] as [Any],
                 "responses": ["200": ["description": summary, "content": ["application/json": ["schema": schema]]]]] as [String: Any]]
    }

    private static let errorDescriptions = [
        "400": "malformed JSON", "401": "missing or invalid bearer token", "404": "no such run",
        "413": "body larger than the limit", "415": "body not sent as application/json",
        "422": "an unknown field, parameter or compute target, or a value of the wrong type",
        "503": "too many bodies being read; retry after a second",
    ]

    private static func operation(_ summary: String, success: (status: String, schema: String), errors: [String],
                                  parameters: [[String: Any]] = []) -> [String: Any] {
        var responses: [String: Any] = [success.status: ["description": summary, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(success.schema)"]]]]]
        for status in errors {
            responses[status] = ["description": errorDescriptions[status] ?? "error",
                                 "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        }
        var operation: [String: Any] = ["summary": summary, "security": [["bearerAuth": [String]()]], "responses": responses]
        if !parameters.isEmpty { operation["parameters"] = parameters }
        return operation
    }

    private static var schemas: [String: Any] {
        let text: [String: Any] = ["type": "string"]
        let nullableText: [String: Any] = ["type": "string", "nullable": true]
        let integer: [String: Any] = ["type": "integer"]
        let object: [String: Any] = ["type": "object"]
        return [
            "Error": OpenAPIDocument.errorSchema,
            "Queued": ["type": "object", "required": ["run_id", "status", "status_url"],
                       "properties": ["run_id": integer, "status": ["type": "string", "enum": ["queued"]], "status_url": text]] as [String: Any],
            "PipelineList": ["type": "object", "required": ["pipelines"], "properties": ["pipelines": [
                "type": "array", "items": ["type": "object", "required": ["id", "name", "pipeline_version", "parameters", "runs_url", "published_at"],
                                           "properties": ["id": text, "name": text, "pipeline_version": integer,
                                                          "parameters": ["type": "object", "additionalProperties": text] as [String: Any],
                                                          "runs_url": text, "published_at": text]] as [String: Any],
            ] as [String: Any]]] as [String: Any],
            "PipelineRun": ["type": "object",
                            "required": ["id", "pipeline", "pipeline_version", "compute", "status", "attempt", "trigger", "parameters", "queued_at", "steps", "outputs"],
                            "properties": [
                                "id": integer, "pipeline": text, "pipeline_version": integer, "compute": text, "status": text,
                                "error": nullableText, "attempt": integer, "trigger": text,
                                "parameters": ["type": "object", "additionalProperties": text] as [String: Any],
                                "queued_at": text, "started_at": nullableText, "ended_at": nullableText,
                                "steps": ["type": "array", "items": ["type": "object", "properties": [
                                    "step": integer, "kind": text, "statement": text, "status": text,
                                    "duration_ms": ["type": "number", "nullable": true], "reused_from": ["type": "integer", "nullable": true],
                                    "values": object, "error": nullableText,
                                ] as [String: Any]] as [String: Any]] as [String: Any],
                                "outputs": object,
                            ] as [String: Any]] as [String: Any],
        ]
    }
}
