import Foundation
import RappiML

/// `predict [on NAME] {json} | from PATH [into OUT.csv]` — the current model in process, or a
/// deployed endpoint over HTTP, on one record, a list of records, or a CSV of raw records.
public enum PredictCommand: RappiCommand {
    public static let signature = CommandSignature(
        "predict", area: "training",
        summary: "Predict on a {json} record or a CSV of raw records — in process with the current model, or `on` an endpoint over HTTP.",
        pattern: [
            .optional([.keyword("on"), .argument(ArgumentSpec("endpoint", .stored(.endpoint), help: "a deployed endpoint"))]),
            .optional([.argument(ArgumentSpec("record", .json, help: "a JSON record, or {\"data\": [records]}"))]),
            .optional([.keyword("from"), .argument(ArgumentSpec("path", .path, help: "a CSV file (or folder) of records"))]),
            .optional([.keyword("into"), .argument(ArgumentSpec("output", .path, help: "where to write records + predictions as CSV"))]),
        ],
        publishes: ["predictions", "prediction", "accuracy"],
        examples: ["predict from data/titanic/ds_half", "predict on titanic_rf {\"Pclass\": 3, \"Sex\": \"male\", \"Age\": 22}",
                   "predict on titanic_rf from new_passengers.csv into predictions.csv"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        if call.has("endpoint") { return try EndpointPrediction.execute(call, in: context) }
        guard let current = context.session.currentModel else {
            throw CommandFailure("predict needs a model — train one (`train rf`), load one (`load model NAME`), or use `predict on ENDPOINT`")
        }
        let model = current.model
        if call.has("record") {
            let records = try RecordJSON.records(fromBlock: try call.string("record")!)
            let frame = try RecordFrame.make(records: records, inputs: model.preprocessor.inputs)
            let predictions = try model.predict(frame)
            return PredictionTable.result(records: records, labels: predictions.labels,
                                          probabilities: (0..<records.count).map { predictions.probabilities(row: $0).map(Array.init) },
                                          classes: model.classes, source: "\(model.algorithm), in process")
        }
        guard let path = try call.path("path") else {
            throw call.error("predict needs records: a {json} record or `from PATH`", at: "path")
        }
        let frame = try PredictionInput.frame(from: path, call: call)
        // Per-row missing values are imputed, but a column absent from the whole file is almost
        // always the wrong file or a renamed column: say so rather than imputing every row.
        let absent = model.preprocessor.inputs.filter { frame.column(named: $0.name) == nil }
        if !absent.isEmpty {
            let names = absent.map { "'\($0.name)' (\($0.type.rawValue))" }.joined(separator: ", ")
            let hints = absent.compactMap { input in NameSuggestion.closest(to: input.name, in: frame.columnNames).map { "'\($0)' → '\(input.name)'" } }
            throw call.error("the model needs column\(absent.count == 1 ? "" : "s") \(names), not in \(path.lastPathComponent) — add \(absent.count == 1 ? "it" : "them") (empty values are fine)"
                             + (hints.isEmpty ? "" : "; did you mean to rename \(hints.joined(separator: ", "))?"), at: "path")
        }
        let predictions = try model.predict(frame)

        var header = frame.columnNames + ["prediction"]
        if predictions.probabilities != nil { header += model.classes.map { "probability_\($0)" } }
        var values: PublishedValues = [("predictions", .int(frame.rowCount))]
        var lines: [String] = []
        var accuracyNote = ""
        if let truthColumn = frame.column(named: model.target.column) {
            let matches = (0..<frame.rowCount).filter { truthColumn.string($0) == predictions.labels[$0] }.count
            let accuracy = Double(matches) / Double(max(frame.rowCount, 1))
            values.append(("accuracy", .double(accuracy)))
            accuracyNote = String(format: "; accuracy against its %@ column: %.4f", model.target.column, accuracy)
        }
        func row(_ r: Int) -> [String?] {
            var fields = frame.columns.map { $0.string(r) }
            fields.append(predictions.labels[r])
            if let p = predictions.probabilities(row: r) { fields += p.map { String(format: "%.4f", $0) } }
            return fields
        }
        if let output = try call.path("output") {
            var writer = CSVWriter(header: header)
            for r in 0..<frame.rowCount { writer.append(row(r)) }
            do { try writer.text.write(to: output, atomically: true, encoding: .utf8) } catch {
                throw call.error("cannot write \(output.path): \(error.localizedDescription)", at: "output")
            }
            lines.append("wrote \(frame.rowCount) predictions to \(output.path)\(accuracyNote)")
        } else {
            let shown = min(frame.rowCount, 20)
            let keep = Array(frame.columnNames.prefix(3))
            var table = TextTable(keep + Array(header.suffix(from: frame.columnNames.count)))
            for r in 0..<shown {
                let full = row(r)
                table.add((Array(full.prefix(keep.count)) + Array(full.suffix(from: frame.columnNames.count))).map { $0 ?? "" })
            }
            lines.append("\(frame.rowCount) predictions with \(model.algorithm)\(accuracyNote)")
            lines.append(table.render())
            if shown < frame.rowCount { lines.append("… \(frame.rowCount - shown) more (write them all with `into FILE.csv`)") }
        }
        return CommandResult(lines.joined(separator: "\n"), values: values)
    }
}
