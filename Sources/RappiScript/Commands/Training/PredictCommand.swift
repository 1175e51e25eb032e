import Foundation
import RappiML

/// `predict [on NAME] {json} | from PATH [into OUT.csv]` — the current model in process, or a
/// deployed endpoint over HTTP, on one record, a list of records, or a CSV of raw records.
public enum PredictCommand: RappiCommand {
    static let scores = CommandOption("scores", default: false,
                                      help: "with `into`: add score_CLASS columns, the model's probabilities or decision values at full precision (in process only)")
    static let endpoint = CommandArgument<String?>("endpoint", kind: .stored(.endpoint), help: "a deployed endpoint")
    static let path = CommandArgument<String?>("path", kind: .path, help: "a CSV file (or folder) of records")
    static let output = CommandArgument<String?>("output", kind: .path, help: "where to write records + prediction + probabilities as CSV")
    static let record = CommandArgument<String?>("record", kind: .json, help: "a JSON record, or {\"data\": [records]}")

    public static let signature = CommandSignature(
        "predict", area: "training",
        summary: "Predict on a {json} record or a CSV of raw records — in process with the current model, or `on` an endpoint over HTTP.",
        pattern: [
            .optional([.keyword("on"), endpoint.spec]),
            .optional([record.spec]),
            .optional([.keyword("from"), path.spec]),
            .optional([.keyword("into"), output.spec]),
        ],
        options: [scores.spec, ClientOptions.ca.spec],
        publishes: ["predictions", "prediction", "accuracy", "rmse", "imputed"],
        examples: ["predict from data/titanic/ds_half", "predict on titanic_rf {\"Pclass\": 3, \"Sex\": \"male\", \"Age\": 22}",
                   "predict on titanic_rf from new_passengers.csv into predictions.csv"])

    static let needsRecords = "predict needs records: a {json} record or `from PATH`"

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let withScores = try call.value(scores)
        if withScores, call.has("endpoint") {
            throw call.error("scores=true works with the model in process only — an endpoint answers with rounded probabilities", at: "scores")
        }
        if withScores, !call.has("output") {
            throw call.error("scores=true adds columns to the CSV written `into FILE.csv` — add one", at: "scores")
        }
        if let endpoint = try call.value(Self.endpoint) { return try EndpointPrediction.execute(endpoint, call, in: context) }
        guard let current = context.session.currentModel else {
            throw CommandFailure("predict needs a model — train one (`train rf`), load one (`load model NAME`), or use `predict on ENDPOINT`")
        }
        let model = current.model
        let (records, json) = try PredictionInput.records(call, needsRecordsMessage: needsRecords)
        try PredictionInput.checkColumns(records, inputs: model.preprocessor.inputs, call: call)
        // JSON records are read field by field exactly as the model server reads a request body.
        let predictions = try model.predict(json.map { try RecordFrame.make(records: $0, inputs: model.preprocessor.inputs) } ?? records)
        var report = PredictionReport(records: records, predictions: predictions, targetColumn: model.target.column)
        if withScores { report.scores = predictions.scores }
        return try report.result(output: try call.path(Self.output), source: "\(model.algorithm), in process", call: call)
    }
}
