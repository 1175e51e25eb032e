import Foundation
import RappiCharts
import RappiWorkspace

/// `models` — every registered model with its latest version, and a picture comparing their
/// held-out metric (each model's versions on one line).
public enum ModelsCommand: RappiCommand {
    public static let signature = CommandSignature(
        "models", area: "registry", summary: "List registered models: versions, latest, algorithm, headline metric (accuracy, or RMSE for regression), stages.",
        publishes: ["models"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let workspace = try context.workspace()
        let names = workspace.modelNames()
        guard !names.isEmpty else {
            return CommandResult("no models registered yet — train one and `register` it", values: [("models", .int(0))])
        }
        var table = TextTable(["name", "versions", "latest", "algorithm", "metric", "dataset", "production", "staging", "created"])
        var comparison: [String: [ModelComparisonChart.Row]] = [:]
        for name in names {
            let versions = try workspace.modelVersions(name)
            guard let latest = versions.last else { continue }
            let stageHolder = { (stage: ModelStage) in versions.last { $0.stage == stage.rawValue }.map { "v\($0.version)" } ?? "" }
            table.add([name, String(versions.count), "v\(latest.version)", latest.algorithm,
                       ModelJSON.headline(latest.metricsJSON).map { String(format: "%@ %.4f", $0.name, $0.value) } ?? "",
                       latest.dataset.map { "\($0) v\(latest.datasetVersion ?? 0)" } ?? "",
                       stageHolder(.production), stageHolder(.staging), Timestamp.short(latest.createdAt)])
            if let headline = ModelJSON.headline(latest.metricsJSON) {
                let earlier = versions.dropLast().compactMap { ModelJSON.number($0.metricsJSON, headline.name) }
                comparison[headline.name, default: []].append(ModelComparisonChart.Row(label: name, latest: headline.value, earlier: earlier))
            }
        }
        // One picture per headline metric: classifiers on accuracy, regression models on RMSE.
        let charts = HeadlineMetric.names.compactMap { metric in
            comparison[metric].map { rows in
                ModelComparisonChart.render(rows, metric: metric == "rmse" ? "RMSE" : metric, higherIsBetter: metric != "rmse",
                                            title: "Registered models — \(metric == "rmse" ? "RMSE" : metric) on held-out rows")
            }
        }
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

    /// The metric that sums a model up: accuracy for a classifier, RMSE for a regression model.
    static func headline(_ json: String) -> (name: String, value: Double)? {
        HeadlineMetric.names.lazy.compactMap { name in number(json, name).map { (name, $0) } }.first
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
