import Foundation
import RappiML

/// Records to predict on: a CSV file or a folder of them, or a `{json}` block — as a frame of
/// the records as given (the model's own coercion happens in `TrainedModel.predict`).
enum PredictionInput {
    /// The records of `predict … {json}` or `predict … from PATH`: as a table, and as JSON
    /// records when they came as JSON.
    static func records(_ call: BoundCall, needsRecordsMessage: String) throws -> (frame: DataFrame, json: [[String: Any?]]?) {
        if let block = try call.value(PredictCommand.record) {
            let records = try RecordJSON.records(fromBlock: block).map { $0.mapValues { Optional.some($0) } }
            return (try RecordFrame.make(records: records), records)
        }
        guard let path = try call.path(PredictCommand.path) else { throw call.error(needsRecordsMessage, at: "path") }
        return (try frame(from: path, call: call), nil)
    }

    static func frame(from path: URL, call: BoundCall) throws -> DataFrame {
        var files = [path]
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory), isDirectory.boolValue {
            files = try FileManager.default.contentsOfDirectory(at: path, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension.lowercased() == "csv" }.sorted { $0.path < $1.path }
            guard !files.isEmpty else { throw call.error("folder \(path.path) has no .csv files", at: "path") }
        }
        var frame = try CSVReader.read(path: files[0].path).frame
        for file in files.dropFirst() { try frame.append(CSVReader.read(path: file.path).frame) }
        return frame
    }

    /// A missing value in a row is imputed, but a model input absent from a whole CSV file is
    /// almost always the wrong file or a renamed column: say so rather than imputing every row.
    static func checkColumns(_ frame: DataFrame, inputs: [InputColumn], call: BoundCall) throws {
        guard !call.has("record"), let path = try call.path(PredictCommand.path) else { return }
        let absent = inputs.filter { frame.column(named: $0.name) == nil }
        guard !absent.isEmpty else { return }
        let names = absent.map { "'\($0.name)' (\($0.type.rawValue))" }.joined(separator: ", ")
        let hints = absent.compactMap { input in NameSuggestion.closest(to: input.name, in: frame.columnNames).map { "'\($0)' → '\(input.name)'" } }
        throw call.error("the model needs column\(absent.count == 1 ? "" : "s") \(names), not in \(path.lastPathComponent) — add \(absent.count == 1 ? "it" : "them") (empty values are fine)"
                         + (hints.isEmpty ? "" : "; did you mean to rename \(hints.joined(separator: ", "))?"), at: "path")
    }
}
