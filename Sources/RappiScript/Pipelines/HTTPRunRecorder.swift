import Foundation
import RappiWorkspace

/// Records a run on the workspace server, for a worker executing it in a scratch workspace.
/// Before a step's outcome is sent, what the step left behind is carried over: the model
/// versions it registered (file first, then the registration — the server registers them
/// through the same call a local run makes) and the model file its recorded state names.
final class HTTPRunRecorder: PipelineRunRecorder {
    private let connection: WorkerConnection
    private var uploaded: Set<String> = []
    private var registered: Set<String> = []

    init(connection: WorkerConnection) { self.connection = connection }

    var isRemote: Bool { true }

    func markStepRunning(_ step: Int) throws { try connection.send("POST", "/steps/\(step)/start") }

    func reusableStep(fingerprint: String) throws -> PipelineStep? {
        let answer = try connection.object("GET", "/reusable?fingerprint=\(fingerprint)")
        guard let step = answer["step"] as? [String: Any] else { return nil }
        return try PipelineStep(wire: step)
    }

    func finishStep(_ step: Int, _ outcome: StepOutcome, from workspace: Workspace) throws {
        for version in try workspace.modelVersions(registeredByRun: connection.runID) where !registered.contains("\(version.name) v\(version.version)") {
            try upload(version.contentHash, kind: "model", from: workspace)
            let answer = try connection.object("POST", "/models", json: version.registrationWire)
            if let number = answer["version"] as? Int, number != version.version {
                // Another process registered this name meanwhile: the content is the same, the number moved.
                FileHandle.standardError.write(Data("note: \(version.name) was registered as v\(number) (v\(version.version) in this worker)\n".utf8))
            }
            registered.insert("\(version.name) v\(version.version)")
        }
        // A reused step's state names a file the server already holds.
        if outcome.status != "reused", let state = outcome.stateJSON, let model = try SessionState.decode(state).modelHash {
            try upload(model, kind: "model-state", from: workspace)
        }
        try connection.send("POST", "/steps/\(step)/finish", json: outcome.wireObject)
    }

    func finishRun(status: String, error: String?, outputsJSON: String) throws {
        var body: [String: Any] = ["status": status, "outputs_json": outputsJSON]
        body["error"] = error
        try connection.send("POST", "/finish", json: body)
    }

    private func upload(_ hash: String, kind: String, from workspace: Workspace) throws {
        guard !uploaded.contains(hash) else { return }
        try connection.send("PUT", "/artifacts/\(hash)?kind=\(kind)", bytes: [UInt8](try workspace.artifacts.read(hash)))
        uploaded.insert(hash)
    }
}
