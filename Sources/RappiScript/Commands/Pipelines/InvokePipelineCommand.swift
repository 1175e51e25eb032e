import Foundation
import RappiClient
import RappiML
import RappiWorkspace

/// `invoke pipeline NAME [compute=…] [wait=true] [token=…] [PARAM=VALUE …]` — triggers a published
/// pipeline over REST (libcurl) against the workspace server, as a scheduler or CI job would. With
/// `token=` it presents the pipeline's token like an outside caller; without, the owner's
/// credential of the running server (in the private `server.json`).
public enum InvokePipelineCommand: RappiCommand {
    public static let allowedInPipelines = false
    static let name = CommandArgument<String>("name", kind: .stored(.publishedPipeline), help: "a published pipeline")
    static let compute = CommandOption("compute", default: "local", kind: .stored(.compute), help: "the compute target to run on")
    static let wait = CommandOption("wait", default: false, help: "follow the run until it ends")
    static let token = CommandOption<String?>("token", help: "the pipeline's bearer token (default: the owner's credential of the running server)")
    static let runTimeout = CommandOption<Double?>("run-timeout", .positive, help: "seconds the run may execute before it is stopped (default: 3600)")
    static let timeout = CommandOption("timeout", default: 3600.0, .positive, help: "with wait: give up after this many seconds")

    public static let signature = CommandSignature(
        "invoke pipeline", area: "pipelines",
        summary: "Trigger a published pipeline over HTTP through the workspace server; with wait=true follow it to the end.",
        pattern: [name.spec],
        options: [
            compute.spec, wait.spec, timeout.spec,
            token.spec, runTimeout.spec,
            ClientOptions.ca.spec,
        ],
        publishes: ["run_id", "run_status", "status_url", "steps_reused"],
        examples: ["invoke pipeline titanic_train version=0 wait=true"],
        acceptsParameters: true, publishesRunOutputs: true)

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let name = try call.value(Self.name)
        _ = try workspace.publishedPipeline(name)  // not published: an error with a hint
        guard let server = WorkspaceServerRecord.live(in: workspace.directory) else {
            throw CommandFailure("no workspace server is running for \(workspace.directory.path) — start one with `rappi serve --workspace \(workspace.directory.path)`")
        }
        let parameters = try call.tags().map { (String($0.key), JSONText.quote($0.value)) }
        var fields = [("parameters", JSONText.object(parameters)), ("compute", JSONText.quote(try call.value(compute)))]
        if let runTimeout = try call.value(runTimeout) { fields.append(("timeout_seconds", Value.format(runTimeout))) }
        let body = JSONText.object(fields)
        let client = HTTPClient(trust: try ClientOptions.trust(call))
        guard let token = try call.value(token) ?? server.ownerToken else {
            throw CommandFailure("the workspace server at \(server.baseURL) is from an older rappi — pass the pipeline's token=…")
        }
        let auth = ["Authorization": "Bearer \(token)"]
        let response = try client.post(PublishedAddress.runsURL(server.baseURL, name), json: body, headers: auth)
        guard response.status == 202,
              let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let runID = object["run_id"] as? Int, let statusURL = object["status_url"] as? String else {
            throw CommandFailure(ErrorEnvelope.describe(response, from: "the workspace server"))
        }
        let accepted = String(format: "invoked %@ over REST: 202 Accepted in %.1f ms → run %d, status %@", name, response.seconds * 1000, runID, statusURL)
        guard try call.value(wait) else {
            var result = CommandResult(accepted, values: [("run_id", .int(runID)), ("run_status", .string("queued")), ("status_url", .string(statusURL))])
            result.secrets = [token]  // a token= written in the statement stays out of the run's record
            return result
        }
        context.session.liveOutput?(accepted)
        let progress = RunProgress(emit: context.session.liveOutput)
        let deadline = Date().addingTimeInterval(try call.value(timeout))
        while true {
            let answer = try client.get(statusURL, headers: auth)
            guard answer.status == 200, let json = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
                  let view = RunView(json: json) else {
                throw CommandFailure(ErrorEnvelope.describe(answer, from: "the workspace server"))
            }
            progress.update(view)
            if view.isFinished {
                var result = try RunResult.finish(view)
                result.values.append(("status_url", .string(statusURL)))
                result.secrets = [token]
                return result
            }
            if Interrupt.isRequested || Date() > deadline {
                throw CommandFailure("stopped following run \(runID) (still \(view.status)) — it keeps running; `run wait \(runID)` to follow again")
            }
            usleep(100_000)
        }
    }
}
