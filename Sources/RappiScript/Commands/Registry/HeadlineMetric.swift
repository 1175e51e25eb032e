/// The one metric a listing shows for a model: accuracy for a classifier, RMSE for a regression
/// model (the metric in the target's own units people compare first).
enum HeadlineMetric {
    static let names = ["accuracy", "rmse"]

    static func of(_ metrics: [(name: String, value: Double)]) -> (name: String, value: Double)? {
        names.lazy.compactMap { name in metrics.first { $0.name == name } }.first
    }
}
