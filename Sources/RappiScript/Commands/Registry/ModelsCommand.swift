import Foundation
import RappiCharts
import RappiWorkspace

/// `models` — every registered model with its latest version, and a picture comparing their
/// held-out metric (each model's versions on one line).
public enum ModelsCommand: RappiCommand {
    public static let signature = CommandSignature(
        "models", area: "registry", summary: "List registered models: versions, latest, algorithm, accuracy, stages.",
        publishes: ["models"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let names = workspace.modelNames()
        guard !names.isEmpty else {
            return CommandResult("no models registered yet — train one and `register` it", values: [("models", .int(0))])
        }
        var table = TextTable(["name", "versions", "latest", "algorithm", "accuracy", "dataset", "production", "staging", "created"])
        var comparison: [ModelComparisonChart.Row] = []
        for name in names {
            let versions = try workspace.modelVersions(name)
            guard let latest = versions.last else { continue }
            let stageHolder = { (stage: ModelStage) in versions.last { $0.stage == stage.rawValue }.map { "v\($0.version)" } ?? "" }
            table.add([name, String(versions.count), "v\(latest.version)", latest.algorithm,
                       ModelJSON.number(latest.metricsJSON, "accuracy").map { String(format: "%.4f", $0) } ?? "",
                       latest.dataset.map { "\($0) v\(latest.datasetVersion ?? 0)" } ?? "",
                       stageHolder(.production), stageHolder(.staging), Timestamp.short(latest.createdAt)])
            if let accuracy = ModelJSON.number(latest.metricsJSON, "accuracy") {
                let earlier = versions.dropLast().compactMap { ModelJSON.number($0.metricsJSON, "accuracy") }
                comparison.append(ModelComparisonChart.Row(label: name, latest: accuracy, earlier: earlier))
            }
        }
        let charts = comparison.isEmpty ? [] : [ModelComparisonChart.render(
            comparison, metric: "accuracy", higherIsBetter: true, title: "Registered models — accuracy on held-out rows")]
        return CommandResult(table.render(), values: [("models", .int(names.count))], charts: charts)
    }
}

/// Reads the small JSON objects the registry stores (parameters, metrics, tags).
enum ModelJSON {
    static func object(_ json: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    static func number(_ json: String, _ key: String) -> Double? {
        (object(json)[key] as? NSNumber)?.doubleValue
    }

    /// `key=value` pairs, sorted by key, for display; `rounded` shows numbers to four decimals (metrics).
    static func pairs(_ json: String, rounded: Bool = false) -> String {
        let values = object(json)
        return values.keys.sorted().map { key in
            let value = values[key]!
            if let n = value as? NSNumber {
                return "\(key)=\(rounded ? Value.rounded(n.doubleValue) : Value.format(n.doubleValue))"
            }
            return "\(key)=\(value)"
        }.joined(separator: ", ")
    }
}
