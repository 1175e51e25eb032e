import Foundation
import RappiML

/// What `predict` shows, or writes `into` a CSV file, for a batch of predictions — the same for
/// the current model in process and for an endpoint over HTTP, for records from a CSV file or a
/// `{json}` block.
struct PredictionReport {
    /// The records as given (every column of the CSV, or every field of the JSON records).
    let records: DataFrame
    let classIndices: [Int]
    let classes: [String]
    /// `rows × classes.count`, row-major, when the model has probabilities.
    let probabilities: [Double]?
    /// Full-precision ranking scores for the CSV (`predict … scores=true`), else nil.
    var scores: [Double]? = nil
    /// The model's target: when the records have that column, accuracy (RMSE for a regression
    /// model) against it is reported.
    let targetColumn: String
    /// A regression model's predicted numbers. Its rows are then reported through the same
    /// label path as classes: row `i` has the "class" `i`, whose label is the number's text
    /// (`ModelOutput.numberText`), so the CSV and the table read the same way.
    let numbers: [Double]?

    /// Inputs some records lacked, with how many (imputed); known in process only (an endpoint's
    /// answer does not say).
    let imputed: [(column: String, count: Int)]?

    init(records: DataFrame, predictions: Predictions, targetColumn: String) {
        if let values = predictions.values {
            self.init(records: records, values: values, targetColumn: targetColumn, imputed: predictions.imputed)
            return
        }
        self.init(records: records, classIndices: predictions.indices, classes: predictions.classes,
                  probabilities: predictions.probabilities, targetColumn: targetColumn, imputed: predictions.imputed)
    }

    init(records: DataFrame, classIndices: [Int], classes: [String], probabilities: [Double]?, targetColumn: String,
         imputed: [(column: String, count: Int)]? = nil, numbers: [Double]? = nil) {
        self.records = records
        self.classIndices = classIndices
        self.classes = classes
        self.probabilities = probabilities
        self.targetColumn = targetColumn
        self.imputed = imputed
        self.numbers = numbers
    }

    /// A regression model's predictions.
    init(records: DataFrame, values: [Double], targetColumn: String, imputed: [(column: String, count: Int)]? = nil) {
        self.init(records: records, classIndices: Array(values.indices), classes: values.map(ModelOutput.numberText),
                  probabilities: nil, targetColumn: targetColumn, imputed: imputed, numbers: values)
    }

    /// Writes `output` (PredictionCSV) when given, else shows up to 20 rows. `source` says which
    /// model answered ("rf, in process", "titanic_rf v1 at http://…, 3.1 ms").
    func result(output: URL?, source: String, call: BoundCall) throws -> CommandResult {
        let n = records.rowCount
        var values: PublishedValues = [("predictions", .int(n))]
        if let first = numbers?.first {
            values.append(("prediction", .double(first)))
        } else if let first = classIndices.first {
            values.append(("prediction", .string(classes[first])))
        }
        var accuracyNote = ""
        if let truth = records.column(named: targetColumn), let numbers {
            // Rows whose target is missing or not a number are left out of the RMSE.
            let known = (0..<n).compactMap { row in truth.string(row).flatMap { Double($0) }.map { (row: row, value: $0) } }
            let rmse = RegressionMetrics.compute(truth: known.map(\.value), predicted: known.map { numbers[$0.row] }).rmse
            values.append(("rmse", .double(rmse)))
            accuracyNote = String(format: "; RMSE against its %@ column: %.4f", targetColumn, rmse)
        } else if let truth = records.column(named: targetColumn) {
            var matches = 0
            for row in 0..<n where truth.string(row) == classes[classIndices[row]] { matches += 1 }
            let accuracy = Double(matches) / Double(max(n, 1))
            values.append(("accuracy", .double(accuracy)))
            accuracyNote = String(format: "; accuracy against its %@ column: %.4f", targetColumn, accuracy)
        }
        let noun = "\(n) prediction\(n == 1 ? "" : "s")"
        var imputedNote = ""
        if let imputed {
            let total = imputed.reduce(0) { $0 + $1.count }
            values.append(("imputed", .int(total)))
            if total > 0 {
                imputedNote = "\n\(total) missing value\(total == 1 ? "" : "s"), filled as preprocessing learned from the training rows: "
                    + imputed.map { "\($0.column) \($0.count)" }.joined(separator: ", ")
            }
        }
        if let output {
            do {
                try PredictionCSV.write(records: records, classIndices: classIndices, classes: classes, probabilities: probabilities,
                                         scores: scores, to: output)
            } catch {
                throw call.error("\(error)", at: "output")
            }
            return CommandResult("wrote \(noun) to \(output.path) (\(source))\(accuracyNote)\(imputedNote)", values: values)
        }
        let shown = min(n, 20)
        let keep = Array(records.columns.prefix(3))
        let probabilityHeader = probabilities == nil ? [] : classes.map { "probability_\($0)" }
        var table = TextTable(["row"] + keep.map(\.name) + ["prediction"] + probabilityHeader)
        let k = classes.count
        for row in 0..<shown {
            var cells = [String(row)] + keep.map { $0.string(row) ?? "" } + [classes[classIndices[row]]]
            if let p = probabilities { cells += (0..<k).map { String(format: "%.4f", p[row * k + $0]) } }
            table.add(cells)
        }
        var lines = ["\(noun) (\(source))\(accuracyNote)\(imputedNote)", table.render()]
        if shown < n { lines.append("… \(n - shown) more (write them all with `into FILE.csv`)") }
        return CommandResult(lines.joined(separator: "\n"), values: values)
    }
}
