import Foundation
import RappiML

/// `predict from PATH [into OUT.csv]` — the current model, in process, on a CSV of raw records.
public enum PredictCommand: RappiCommand {
    public static let signature = CommandSignature(
        "predict", area: "training",
        summary: "Predict with the current model on a CSV of raw records (with or without the target); print or write the predictions.",
        pattern: [
            .keyword("from"),
            .argument(ArgumentSpec("path", .path, help: "a CSV file of records")),
            .optional([.keyword("into"), .argument(ArgumentSpec("output", .path, help: "where to write records + predictions as CSV"))]),
        ],
        publishes: ["predictions", "accuracy"],
        examples: ["predict from data/titanic/ds_half", "predict from new_passengers.csv into predictions.csv"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        guard let current = context.session.currentModel else {
            throw CommandFailure("predict needs a model — train one (`train rf`) or load one (`load model NAME`)")
        }
        let model = current.model
        let path = try call.path("path")!
        var files = [path]
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory), isDirectory.boolValue {
            files = try FileManager.default.contentsOfDirectory(at: path, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension.lowercased() == "csv" }.sorted { $0.path < $1.path }
            guard !files.isEmpty else { throw call.error("folder \(path.path) has no .csv files", at: "path") }
        }
        var frame = try CSVReader.read(path: files[0].path).frame
        for file in files.dropFirst() { try frame.append(CSVReader.read(path: file.path).frame) }
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
