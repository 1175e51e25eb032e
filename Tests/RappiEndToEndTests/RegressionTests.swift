import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// Regression through the built binary: the demo script's flow (scripts/regression.rappi), served
/// predictions that are numbers, the task guess and its override, refusals that name what to use,
/// and pipelines and `rappi export` with a regression model.
final class RegressionTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let diabetes = RappiBinary.repository.appendingPathComponent("scripts/data/diabetes/diabetes.csv").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-regression")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws {
        rappi.stopServices()  // never leave a router or a server behind
        try? FileManager.default.removeItem(at: root)
    }

    private func cells(_ result: RappiBinary.Result) throws -> [[String: Any]] {
        try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    private func cell(_ result: RappiBinary.Result, _ statement: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(try cells(result).first { ($0["statement"] as? String)?.hasPrefix(statement) == true },
                      "no cell for \(statement)", file: file, line: line)
    }

    private func values(_ cell: [String: Any]) -> [String: Any] { cell["values"] as? [String: Any] ?? [:] }

    func testTheRegressionDemoTrainsEvaluatesRegistersServesAndTestsNumbers() throws {
        let demo = RappiBinary.repository.appendingPathComponent("scripts/regression.rappi")
        let result = try rappi.run(["run", demo.path, "-D", "target=local", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)

        let preprocess = try cell(result, "preprocess")
        XCTAssertEqual(values(preprocess)["task"] as? String, "regression")
        XCTAssertTrue((preprocess["output"] as? String ?? "").contains("task regression (a number to predict"), "\(preprocess)")

        let evaluate = try cell(result, "evaluate")
        let output = evaluate["output"] as? String ?? ""
        XCTAssertTrue(output.contains("residuals (actual − predicted): 5% "), output)
        XCTAssertTrue(output.contains("learning curve (mean squared error after each round)"), output)
        XCTAssertFalse(output.contains("confusion matrix"), output)
        let metrics = values(evaluate)
        for name in ["rmse", "mae", "r2"] { XCTAssertNotNil(metrics[name] as? Double, "evaluate publishes \(name)") }
        XCTAssertNil(metrics["accuracy"])
        let charts = try XCTUnwrap(evaluate["charts"] as? [String])
        let scatter = try String(contentsOfFile: charts[0], encoding: .utf8)
        XCTAssertTrue(scatter.contains("Predicted vs actual — gbm on diabetes v1"), scatter.prefix(300).description)
        XCTAssertGreaterThan(scatter.components(separatedBy: "<circle").count - 1, 80, "one dot per held-out row")

        let cv = try cell(result, "cv")
        XCTAssertGreaterThan(values(cv)["cv_r2"] as? Double ?? 0, 0.3)

        // The registry stores the regression metrics; `models` heads each with its RMSE.
        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(ws.modelNames(), ["diabetes_gbm", "diabetes_rf", "diabetes_ridge"])
        for name in ws.modelNames() {
            let stored = try ws.modelVersion(name, .version(.latest))
            XCTAssertTrue(stored.metricsJSON.contains("\"rmse\"") && stored.metricsJSON.contains("\"r2\""), stored.metricsJSON)
        }
        let models = try cell(result, "models")
        XCTAssertTrue((models["output"] as? String ?? "").contains("rmse "), "\(models)")

        XCTAssertEqual(values(try cell(result, "test endpoint"))["tests_failed"] as? Int, 0)
        // Through the endpoint and in process: the same number.
        let served = try XCTUnwrap(values(try cell(result, "predict on diabetes-gbm"))["prediction"] as? Double)
        let local = try rappi.run(["-c", #"load model diabetes_gbm; predict {"age": 59, "sex": 2, "bmi": 32.1, "bp": 101, "s1": 157, "s2": 93.2, "s3": 38, "s4": 4, "s5": 4.8598, "s6": 87}"#, "--json"])
        XCTAssertEqual(local.status, 0, local.stderr)
        XCTAssertEqual(values(try cell(local, "predict"))["prediction"] as? Double, served)
    }

    func testAServedRegressionModelAnswersFloatsWithoutProbabilitiesAndItsOpenAPISaysNumber() throws {
        let setup = try rappi.run(["-c", """
            upload dataset diabetes from \(diabetes) target=progression; load dataset diabetes
            train gbm rounds=40; register as d_gbm; deploy d_gbm local as d-open auth=none
            """])
        XCTAssertEqual(setup.status, 0, setup.stderr + setup.stdout)
        let endpoint = try Workspace(directory: rappi.workspace).endpoint("d-open")
        let client = HTTPClient()
        let record = #"{"age": 59, "sex": 2, "bmi": 32.1, "bp": 101, "s1": 157, "s2": 93.2, "s3": 38, "s4": 4, "s5": 4.8598, "s6": 87}"#
        for (route, body) in [("/score", #"{"data": [\#(record), \#(record)]}"#), ("/invocations", #"{"dataframe_records": [\#(record)]}"#)] {
            let response = try client.post(endpoint.url + route, json: body)
            XCTAssertEqual(response.status, 200, route + response.text)
            let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let predictions = try XCTUnwrap(answer["predictions"] as? [NSNumber], response.text)
            XCTAssertTrue(predictions.allSatisfy { $0.doubleValue > 25 && $0.doubleValue < 346 }, response.text)
            XCTAssertTrue(response.text.contains("."), "a fractional number: \(response.text)")
            XCTAssertNil(answer["probabilities"], response.text)
            XCTAssertNil(answer["classes"], response.text)
        }
        let openAPI = try client.get(endpoint.url + "/openapi.json", timeout: 5)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(openAPI.body)) as? [String: Any])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        let response = schemas.values.compactMap { ($0 as? [String: Any])?["properties"] as? [String: Any] }.first { $0["predictions"] != nil }
        let predictions = try XCTUnwrap(response?["predictions"] as? [String: Any], openAPI.text)
        XCTAssertEqual((predictions["items"] as? [String: Any])?["type"] as? String, "number")
        XCTAssertNil(response?["probabilities"])

        // The Open Inference Protocol answers the same numbers, as an FP64 `label` tensor.
        let score = try client.post(endpoint.url + "/score", json: #"{"data": [\#(record)]}"#)
        let scored = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(score.body)) as? [String: Any])?["predictions"] as? [Double])
        let metadata = try client.get(endpoint.url + "/v2/models/d_gbm", timeout: 5)
        XCTAssertTrue(metadata.text.contains(#"{"name":"label","datatype":"FP64","shape":[-1,1]}"#), metadata.text)
        XCTAssertFalse(metadata.text.contains("probabilities"), metadata.text)
        let columns = ["age": 59, "sex": 2, "bmi": 32.1, "bp": 101, "s1": 157, "s2": 93.2, "s3": 38, "s4": 4, "s5": 4.8598, "s6": 87]
        let inputs = columns.keys.sorted().map { name in
            #"{"name": "\#(name)", "datatype": "FP64", "shape": [1, 1], "data": [\#(columns[name]!)]}"#
        }
        let infer = try client.post(endpoint.url + "/v2/models/d_gbm/infer", json: #"{"inputs": [\#(inputs.joined(separator: ","))]}"#)
        XCTAssertEqual(infer.status, 200, infer.text)
        let outputs = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(infer.body)) as? [String: Any])?["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.map { $0["name"] as? String }, ["label"], infer.text)
        XCTAssertEqual(outputs[0]["datatype"] as? String, "FP64")
        XCTAssertEqual(outputs[0]["data"] as? [Double], scored, infer.text)
    }

    func testClassifiersRefuseARegressionTargetNamingItAndWhatToUse() throws {
        let result = try rappi.run(["-c", "upload dataset diabetes from \(diabetes) target=progression; load dataset diabetes; train linsvc"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("train linsvc is a classifier, but target 'progression' is a regression task"), result.stderr)
        XCTAssertTrue(result.stderr.contains("use train ridge, train rf or train gbm"), result.stderr)
        let ridge = try rappi.run(["-c", "upload dataset t from \(RappiBinary.repository.path)/scripts/data/titanic/ds_full target=Survived; load dataset t; train ridge"])
        XCTAssertEqual(ridge.status, 1)
        XCTAssertTrue(ridge.stderr.contains("train ridge predicts numbers, but target 'Survived' is a classification task"), ridge.stderr)
    }

    func testPreprocessTaskOverridesTheGuessBothWays() throws {
        // 30 distinct whole numbers: guessed regression; as classes they train a classifier.
        let csv = "x,y\n" + (0..<120).map { "\($0 % 30 + ($0 / 30) * 100),\($0 % 30)" }.joined(separator: "\n") + "\n"
        let file = try root.writingFile("levels.csv", csv)
        let guessed = try rappi.run(["-c", "upload dataset levels from \(file.path) target=y; load dataset levels; preprocess", "--json"])
        XCTAssertEqual(values(try cell(guessed, "preprocess"))["task"] as? String, "regression")
        let chosen = try rappi.run(["-c", "load dataset levels; preprocess task=classification; split stratify=none; train logreg", "--json"])
        XCTAssertEqual(chosen.status, 0, chosen.stderr)
        XCTAssertEqual(values(try cell(chosen, "preprocess"))["task"] as? String, "classification")
        XCTAssertNotNil(values(try cell(chosen, "train logreg"))["train_accuracy"] as? Double)
        // Text cannot be a number to predict: the error points at the option.
        let text = try rappi.run(["-c", "upload dataset t from \(RappiBinary.repository.path)/scripts/data/titanic/ds_full target=Survived; load dataset t; preprocess target=Sex task=regression"])
        XCTAssertEqual(text.status, 1)
        XCTAssertTrue(text.stderr.contains("target 'Sex' holds text, so it cannot be a regression target"), text.stderr)
    }

    func testAPipelineTrainsAndRegistersARegressionModelAndItsRunExports() throws {
        let definition = try root.writingFile("pipe.rappi", """
            upload dataset diabetes from \(diabetes) target=progression
            pipeline diabetes_train(rounds=50) {
                load dataset diabetes
                train gbm rounds=$rounds objective=l1
                evaluate
                register as diabetes_pipeline
            }
            run pipeline diabetes_train rounds=60
            """)
        let result = try rappi.run(["run", definition.path])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        let ws = try Workspace(directory: rappi.workspace)
        let stored = try ws.modelVersion("diabetes_pipeline", .version(.latest))
        XCTAssertTrue(stored.metricsJSON.contains("\"mae\""), stored.metricsJSON)
        XCTAssertTrue(stored.parametersJSON.contains("l1"), stored.parametersJSON)

        let notebook = root.appendingPathComponent("run.ipynb")
        let export = try rappi.run(["export", "1", "to", notebook.path])
        XCTAssertEqual(export.status, 0, export.stderr)
        let text = try String(contentsOf: notebook, encoding: .utf8)
        XCTAssertTrue(text.contains("run pipeline diabetes_train"), text.prefix(500).description)
    }

    func testARegressionAbtestComparesMeanAbsoluteErrorsWithWelchAndRefusesAnOutcomeThatIsNotANumber() throws {
        let result = try rappi.run(["-c", """
            upload dataset diabetes from \(diabetes) target=progression; load dataset diabetes
            train gbm rounds=60; register as d_gbm; train ridge; register as d_ridge
            deploy d_gbm local as ab-gbm auth=none; deploy d_ridge local as ab-ridge auth=none
            abtest start dia ab-gbm vs ab-ridge auth=none
            abtest simulate dia from dataset diabetes
            abtest report dia
            """, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        let report = try cell(result, "abtest report")
        let output = report["output"] as? String ?? ""
        XCTAssertTrue(output.contains("regression: lower mean absolute error is better"), output)
        XCTAssertTrue(output.contains("Welch t-test      t = "), output)
        let v = values(report)
        let maeA = try XCTUnwrap(v["ab_mae_a"] as? Double), maeB = try XCTUnwrap(v["ab_mae_b"] as? Double)
        XCTAssertTrue(maeA > 10 && maeA < 100 && maeB > 10 && maeB < 100, "\(maeA) \(maeB)")
        XCTAssertEqual(try XCTUnwrap(v["ab_difference"] as? Double), maeB - maeA, accuracy: 1e-9)
        XCTAssertEqual((v["ab_outcomes_a"] as? Int ?? 0) + (v["ab_outcomes_b"] as? Int ?? 0), 442)
        XCTAssertNotNil(v["ab_p_value"] as? Double)
        XCTAssertNil(v["ab_accuracy_a"])

        // An outcome must be the actual number: a word is refused naming the field, nothing stored.
        let router = try XCTUnwrap(try Workspace(directory: rappi.workspace).experiment("dia").url)
        let client = HTTPClient()
        let scored = try client.post(router + "/score", json: #"{"data": [{"age": 59, "sex": 2, "bmi": 32.1, "bp": 101}]}"#)
        XCTAssertEqual(scored.status, 200, scored.text)
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(scored.body)) as? [String: Any])
        XCTAssertTrue(answer["predictions"] is [NSNumber], scored.text)
        let id = try XCTUnwrap(answer["request_id"] as? String)
        let refused = try client.post(router + "/feedback", json: #"{"request_id": "\#(id)", "outcome": "high"}"#)
        XCTAssertEqual(refused.status, 422, refused.text)
        XCTAssertTrue(refused.text.contains("'outcome'") && refused.text.contains("is not a number"), refused.text)
        let accepted = try client.post(router + "/feedback", json: #"{"request_id": "\#(id)", "outcome": 151}"#)
        XCTAssertEqual(accepted.status, 200, accepted.text)
    }
}
