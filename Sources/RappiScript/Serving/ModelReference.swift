import RappiML
import RappiWorkspace

/// `MODEL`, `MODEL:v2`, `MODEL:production` — or nothing, meaning the model just registered.
enum ModelReference {
    static func resolve(_ text: String?, in context: CommandContext, for command: String) throws -> ModelVersion {
        guard let text else {
            // The model just registered in this session, else the workspace's latest registration.
            guard let last = try context.session.lastRegistered ?? context.workspace().latestRegisteredModel() else {
                throw CommandFailure("\(command) needs a model — register one first (`register`), or name it: \(command) MODEL[:vN]")
            }
            return last
        }
        let (name, selector) = try parse(text)
        return try context.workspace().modelVersion(name, selector ?? .version(.latest))
    }

    /// Splits `MODEL:v2` into the name and the selector after the colon (nil when there is none).
    static func parse(_ text: String) throws -> (name: String, selector: ModelSelector?) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return (text, nil) }
        guard let selector = ModelSelector(parts[1]) else {
            throw CommandFailure("'\(parts[1])' after ':' is not a version — write MODEL:v2, MODEL:latest, MODEL:staging or MODEL:production")
        }
        return (parts[0], selector)
    }

    /// What a reference follows when it can move on — `latest`, `staging` or `production` — or
    /// nil when it pins one version (`MODEL:v2`, or no reference: the model just registered).
    static func follows(_ text: String?) throws -> String? {
        guard let text else { return nil }
        switch try parse(text).selector ?? .version(.latest) {
        case .version(.latest): return "latest"
        case .version(.number): return nil
        case .stage(let stage): return stage.rawValue
        }
    }

    static func load(_ version: ModelVersion, in context: CommandContext) throws -> TrainedModel {
        try ModelFile.decode(try context.workspace().loadModelBytes(version))
    }
}
