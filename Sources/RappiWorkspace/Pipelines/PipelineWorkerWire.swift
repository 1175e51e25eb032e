import Foundation

/// How a remote pipeline worker and the workspace server exchange step records: JSON objects
/// whose fields are the columns of `pipeline_steps`, JSON texts (values, state) kept as strings
/// so the server stores exactly the bytes a local worker would.
extension StepOutcome {
    public var wireObject: [String: Any] {
        var object: [String: Any] = ["status": status, "duration_ms": durationMilliseconds, "values_json": valuesJSON]
        object["fingerprint"] = fingerprint
        object["reused_from"] = reusedFrom
        object["state_json"] = stateJSON
        object["log"] = log
        object["error"] = error
        return object
    }

    public init(wire object: [String: Any]) throws {
        guard let status = object["status"] as? String, ["succeeded", "reused", "failed"].contains(status),
              let duration = (object["duration_ms"] as? NSNumber)?.doubleValue, let values = object["values_json"] as? String else {
            throw WorkspaceError("a step outcome needs \"status\" (succeeded, reused or failed), \"duration_ms\" and \"values_json\"")
        }
        self.init(status: status, fingerprint: object["fingerprint"] as? String, reusedFrom: (object["reused_from"] as? NSNumber)?.intValue,
                  durationMilliseconds: duration, valuesJSON: values, stateJSON: object["state_json"] as? String,
                  log: object["log"] as? String, error: object["error"] as? String)
    }
}

extension PipelineStep {
    public var wireObject: [String: Any] {
        var object: [String: Any] = ["run_id": runID, "step": step, "kind": kind, "statement": statement, "status": status,
                                     "values_json": valuesJSON]
        object["fingerprint"] = fingerprint
        object["reused_from"] = reusedFrom
        object["started_at"] = startedAt
        object["duration_ms"] = durationMilliseconds
        object["state_json"] = stateJSON
        object["log"] = log
        object["error"] = error
        return object
    }

    public init(wire object: [String: Any]) throws {
        guard let runID = (object["run_id"] as? NSNumber)?.intValue, let step = (object["step"] as? NSNumber)?.intValue,
              let kind = object["kind"] as? String, let statement = object["statement"] as? String,
              let status = object["status"] as? String, let values = object["values_json"] as? String else {
            throw WorkspaceError("the workspace server sent a step record this rappi does not understand")
        }
        self.init(runID: runID, step: step, kind: kind, statement: statement, status: status,
                  fingerprint: object["fingerprint"] as? String, reusedFrom: (object["reused_from"] as? NSNumber)?.intValue,
                  startedAt: object["started_at"] as? String, durationMilliseconds: (object["duration_ms"] as? NSNumber)?.doubleValue,
                  valuesJSON: values, stateJSON: object["state_json"] as? String, log: object["log"] as? String,
                  error: object["error"] as? String)
    }
}

extension ModelVersion {
    /// What the server needs to register this version again (its file goes first, by hash).
    public var registrationWire: [String: Any] {
        var object: [String: Any] = ["name": name, "content_hash": contentHash, "algorithm": algorithm,
                                     "parameters_json": parametersJSON, "metrics_json": metricsJSON, "tags_json": tagsJSON]
        object["dataset"] = dataset
        object["dataset_version"] = datasetVersion
        object["dataset_hash"] = datasetHash
        return object
    }
}

extension ModelRegistration {
    /// A registration sent by a remote worker of `runID`, whose file `bytes` it uploaded first.
    public init(wire object: [String: Any], bytes: [UInt8], runID: Int) throws {
        guard let name = object["name"] as? String, let algorithm = object["algorithm"] as? String,
              let parameters = object["parameters_json"] as? String, let metrics = object["metrics_json"] as? String,
              let tags = object["tags_json"] as? String else {
            throw WorkspaceError("a registration needs \"name\", \"content_hash\", \"algorithm\", \"parameters_json\", \"metrics_json\" and \"tags_json\"")
        }
        self.init(name: name, bytes: bytes, algorithm: algorithm, dataset: object["dataset"] as? String,
                  datasetVersion: (object["dataset_version"] as? NSNumber)?.intValue, datasetHash: object["dataset_hash"] as? String,
                  parametersJSON: parameters, metricsJSON: metrics, tagsJSON: tags, runID: runID)
    }
}
