import RappiML
import RappiWorkspace

/// The REST API's JSON for runs and published pipelines (keys in a fixed order).
enum PipelineRunJSON {
    static func run(_ run: PipelineRun, steps: [PipelineStep]) -> String {
        JSONText.object([
            ("id", String(run.id)), ("pipeline", JSONText.quote(run.pipeline)), ("pipeline_version", String(run.pipelineVersion)),
            ("compute", JSONText.quote(run.compute)), ("status", JSONText.quote(run.status)), ("error", optional(run.error)),
            ("attempt", String(run.attempt)), ("trigger", JSONText.quote(run.trigger)),
            ("parameters", JSONText.object(run.parameters.map { ($0.name, JSONText.quote($0.value)) })),
            ("queued_at", JSONText.quote(run.queuedAt)), ("started_at", optional(run.startedAt)), ("ended_at", optional(run.endedAt)),
            ("steps", JSONText.array(steps.map(step))), ("outputs", run.outputsJSON),
        ])
    }

    static func step(_ step: PipelineStep) -> String {
        JSONText.object([
            ("step", String(step.step)), ("kind", JSONText.quote(step.kind)), ("statement", JSONText.quote(step.statement)),
            ("status", JSONText.quote(step.status)),
            ("duration_ms", step.durationMilliseconds.map { String(format: "%.3f", $0) } ?? "null"),
            ("reused_from", step.reusedFrom.map(String.init) ?? "null"), ("values", step.valuesJSON), ("error", optional(step.error)),
        ])
    }

    static func published(_ item: PublishedPipeline, definition: PipelineDefinition?, baseURL: String) -> String {
        JSONText.object([
            ("id", JSONText.quote(item.id)), ("name", JSONText.quote(item.name)), ("pipeline_version", String(item.pipelineVersion)),
            ("parameters", JSONText.object((definition?.parameters ?? []).map { ($0.name, JSONText.quote($0.defaultValue)) })),
            ("runs_url", JSONText.quote("\(baseURL)/api/pipelines/\(item.name)/runs")),
            ("published_at", JSONText.quote(item.createdAt)),
        ])
    }

    private static func optional(_ text: String?) -> String { text.map(JSONText.quote) ?? "null" }
}
