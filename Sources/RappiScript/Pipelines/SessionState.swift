import Foundation
import Crypto
import RappiML
import RappiWorkspace

/// What a pipeline step leaves in the session, by content: the current dataset version, the
/// split and preprocessing choices, the current model (as a stored artifact) and the last
/// registration. A step's fingerprint includes the state before it; a reused step restores the
/// state recorded after it, so the steps that follow see exactly what they would have seen.
struct SessionState: Codable, Equatable {
    struct DatasetRef: Codable, Equatable { let name: String; let version: Int; let hash: String }
    struct SplitRef: Codable, Equatable { let testFraction: Double; let seed: UInt64; let stratify: String?; let datasetHash: String }
    struct PreprocessRef: Codable, Equatable { let recipe: String; let target: String; var task: String? = nil }
    struct ModelRef: Codable, Equatable { let name: String; let version: Int; let hash: String }

    var seed: UInt64
    var dataset: DatasetRef?
    var split: SplitRef?
    var preprocessing: PreprocessRef?
    /// The current model's file, stored in the artifact store by this hash.
    var modelHash: String?
    var registered: ModelRef?

    /// The session's state now; stores the current model's file so a later run can restore it.
    static func capture(_ session: Session, in workspace: Workspace) throws -> SessionState {
        var modelHash: String?
        if let model = session.currentModel?.model {
            let bytes = ModelFile.encode(model)
            modelHash = try workspace.storeArtifact(bytes, kind: "model-state")
        }
        return SessionState(
            seed: session.seed,
            dataset: session.currentDataset.map { DatasetRef(name: $0.version.name, version: $0.version.version, hash: $0.version.contentHash) },
            split: session.split.map { SplitRef(testFraction: $0.testFraction, seed: $0.seed, stratify: $0.stratify, datasetHash: $0.datasetHash) },
            preprocessing: session.preprocessing.map { PreprocessRef(recipe: $0.recipe.rawValue, target: $0.target, task: $0.task?.rawValue) },
            modelHash: modelHash,
            registered: session.lastRegistered.map { ModelRef(name: $0.name, version: $0.version, hash: $0.contentHash) })
    }

    /// Puts this state into `session`, loading only what differs from what it holds.
    func restore(into session: Session, from workspace: Workspace) throws {
        session.seed = seed
        if let dataset {
            if session.currentDataset?.version.contentHash != dataset.hash || session.currentDataset?.version.version != dataset.version {
                let version = try workspace.datasetVersion(dataset.name, .number(dataset.version))
                session.currentDataset = LoadedDataset(version: version, frame: try workspace.loadFrame(version))
            }
        } else {
            session.currentDataset = nil
        }
        if let split, let loaded = session.currentDataset {
            session.split = try Trainer.makeSplit(loaded, testFraction: split.testFraction, seed: split.seed, stratify: split.stratify)
        } else {
            session.split = nil
        }
        session.preprocessing = try preprocessing.map { ref in
            guard let recipe = Recipe(rawValue: ref.recipe) else { throw CommandFailure("recorded recipe '\(ref.recipe)' is unknown to this rappi") }
            return PreprocessPlan(recipe: recipe, target: ref.target, task: ref.task.flatMap(LearningTask.init(rawValue:)))
        }
        session.lastRegistered = try registered.map { try workspace.modelVersion($0.name, .version(.number($0.version))) }
        if let modelHash {
            let model = try ModelFile.decode([UInt8](try workspace.artifacts.read(modelHash)))
            let registration = session.lastRegistered?.contentHash == modelHash ? session.lastRegistered : nil
            let choice = EstimatorChoices.recorded(algorithm: model.algorithm, parameters: model.parameters, threads: session.threads)
            session.currentModel = CurrentModel(model: model, choice: choice, dataset: session.currentDataset?.version,
                                                split: session.split, evaluation: nil, registered: registration)
        } else {
            session.currentModel = nil
        }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> SessionState {
        try JSONDecoder().decode(SessionState.self, from: Data(json.utf8))
    }

    /// SHA-256 of the canonical JSON: the step inputs' content hashes in one value.
    var digest: String { SHA256.hash(data: Data(json.utf8)).map { String(format: "%02x", $0) }.joined() }
}
