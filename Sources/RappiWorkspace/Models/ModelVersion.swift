/// One registered version of a model.
public struct ModelVersion: Sendable, Equatable {
    public let name: String
    public let version: Int
    public let contentHash: String
    public let algorithm: String
    public let dataset: String?
    public let datasetVersion: Int?
    public let datasetHash: String?
    public let parametersJSON: String
    public let metricsJSON: String
    public let tagsJSON: String
    public let stage: String
    public let runID: Int?
    public let createdAt: String
}

/// A registry stage. A stage is held by at most one version of a model at a time.
public enum ModelStage: String, CaseIterable, Sendable {
    case none, staging, production, archived
}

/// What to register: the encoded model file and what the registry indexes about it.
public struct ModelRegistration: Sendable {
    public var name: String
    public var bytes: [UInt8]
    public var algorithm: String
    public var dataset: String?
    public var datasetVersion: Int?
    public var datasetHash: String?
    public var parametersJSON: String
    public var metricsJSON: String
    public var tagsJSON: String
    public var runID: Int?

    public init(name: String, bytes: [UInt8], algorithm: String, dataset: String?, datasetVersion: Int?, datasetHash: String?,
                parametersJSON: String, metricsJSON: String, tagsJSON: String, runID: Int?) {
        self.name = name; self.bytes = bytes; self.algorithm = algorithm; self.dataset = dataset
        self.datasetVersion = datasetVersion; self.datasetHash = datasetHash; self.parametersJSON = parametersJSON
        self.metricsJSON = metricsJSON; self.tagsJSON = tagsJSON; self.runID = runID
    }
}

public enum ModelRegistrationResult: Sendable {
    case created(ModelVersion)
    case unchanged(ModelVersion)

    public var version: ModelVersion {
        switch self {
        case .created(let v), .unchanged(let v): return v
        }
    }
}

/// Which registered version a statement asks for: a number, the latest, or a stage.
public enum ModelSelector: Equatable, Sendable, CustomStringConvertible {
    case version(VersionSelector)
    case stage(ModelStage)

    public init?(_ text: String) {
        if let stage = ModelStage(rawValue: text.lowercased()), stage == .staging || stage == .production {
            self = .stage(stage)
        } else if let version = VersionSelector(text) {
            self = .version(version)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .version(let v): return v.description
        case .stage(let s): return s.rawValue
        }
    }
}
