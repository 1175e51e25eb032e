import RappiML
import RappiWorkspace

/// `register [as NAME] [tag KEY=VALUE …]` — the current model becomes the next version of NAME.
public enum RegisterCommand: RappiCommand {
    public static let reusableInPipelines = true
    static let name = CommandArgument<String?>("name", kind: .name, help: "the model's name")

    public static let signature = CommandSignature(
        "register", area: "registry",
        summary: "Register the current model as the next version of NAME (default: dataset name + algorithm, e.g. titanic_rf).",
        pattern: [.optional([.keyword("as"), name.spec])],
        publishes: ["model", "model_version", "model_hash"],
        examples: ["register", "register as titanic_forest tag owner=ml stage=candidate"],
        acceptsTags: true)

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        guard var current = context.session.currentModel else {
            throw CommandFailure("register needs a trained model — nothing was trained in this session; train one first, e.g. `train rf`")
        }
        let model = current.model
        let name = try call.value(Self.name) ?? "\(model.lineageValue("dataset") ?? "model")_\(model.algorithm)"
        let (version, text) = try store(model, as: name, tags: try call.tags(), in: context)
        current.registered = version
        context.session.currentModel = current
        context.session.lastRegistered = version
        return CommandResult(text, values: [
            ("model", .string(name)), ("model_version", .int(version.version)), ("model_hash", .string(version.contentHash)),
        ])
    }

    /// `model` as the next version of `name` (or the identical version already there), and the line saying which.
    static func store(_ model: TrainedModel, as name: String, tags: [(key: String, value: String)],
                      in context: CommandContext) throws -> (version: ModelVersion, text: String) {
        let bytes = ModelFile.encode(model)
        let metrics: PublishedValues = model.metrics.map { (name: $0.name, value: Value.double($0.value)) }
        let registration = ModelRegistration(
            name: name, bytes: bytes, algorithm: model.algorithm, dataset: model.lineageValue("dataset"),
            datasetVersion: model.lineageValue("dataset_version").flatMap(Int.init), datasetHash: model.lineageValue("dataset_hash"),
            parametersJSON: JSONText.object(model.parameters.map { ($0.name, JSONText.quote($0.value)) }),
            metricsJSON: metrics.jsonObject, tagsJSON: JSONText.object(tags.map { ($0.key, JSONText.quote($0.value)) }),
            runID: context.session.runID)
        let result = try context.workspace().registerModel(registration)
        let version = result.version
        let accuracy = HeadlineMetric.of(model.metrics).map { String(format: ", %@ %.4f", $0.name, $0.value) } ?? ", not evaluated"
        switch result {
        case .created:
            return (version, "registered \(name) v\(version.version) — \(model.algorithm), sha256 \(version.contentHash.prefix(12)), \(bytes.count) bytes\(accuracy)")
        case .unchanged:
            return (version, "unchanged: identical to \(name) v\(version.version) (sha256 \(version.contentHash.prefix(12))) — nothing registered")
        }
    }
}
