import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// `train gbm` through the built binary: evaluate, cv, register, predict, the learning curve,
/// determinism across thread counts and processes, and clear errors.
final class GradientBoostingTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-gbm")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws {
        rappi.stopServices()  // never leave a router or a server behind
        try? FileManager.default.removeItem(at: root)
    }

    private func write(_ name: String, _ text: String) throws -> URL { try root.writingFile(name, text) }

    private func cell(_ result: RappiBinary.Result, _ statement: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let cells = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return try XCTUnwrap(cells.first { ($0["statement"] as? String)?.hasPrefix(statement) == true },
                             "no cell for \(statement)", file: file, line: line)
    }

    private var script: String {
        """
        upload dataset titanic from \(data)/ds_full target=Survived
        load dataset titanic
        split test=0.2 seed=42
        preprocess recipe=titanic
        train gbm rounds=200 learning_rate=0.05 early_stopping=15
        evaluate
        cv folds=5
        register
        """
    }

    func testTrainGbmThenEvaluateCvRegisterAndPredictWorkUnchanged() throws {
        let file = try write("gbm.rappi", script)
        let result = try rappi.run(["run", file.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)

        let train = try cell(result, "train gbm")
        let output = train["output"] as? String ?? ""
        XCTAssertTrue(output.contains("trained gbm (rounds=200, learning_rate=0.05, leaves=31"), output)
        XCTAssertTrue(output.contains("early stopping: best round "), output)
        let trainValues = train["values"] as! [String: Any]
        let bestRound = try XCTUnwrap(trainValues["best_round"] as? Int)
        XCTAssertTrue(bestRound >= 1 && bestRound < 200, "best round \(bestRound)")

        let evaluate = try cell(result, "evaluate")
        let evaluation = evaluate["output"] as? String ?? ""
        XCTAssertTrue(evaluation.contains("feature importances (share of the loss reduction by splits)"), evaluation)
        XCTAssertTrue(evaluation.contains("learning curve (mean log loss after each round)"), evaluation)
        XCTAssertTrue(evaluation.contains("validation"), evaluation)
        XCTAssertTrue(evaluation.contains("early stopping kept \(bestRound) of "), evaluation)
        let accuracy = try XCTUnwrap((evaluate["values"] as! [String: Any])["accuracy"] as? Double)
        XCTAssertGreaterThan(accuracy, 0.78)

        let cv = try cell(result, "cv")
        let cvAccuracy = try XCTUnwrap((cv["values"] as! [String: Any])["cv_accuracy"] as? Double)
        XCTAssertGreaterThan(cvAccuracy, 0.78)

        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(ws.modelNames(), ["titanic_gbm"])
        let stored = try ws.modelVersion("titanic_gbm", .version(.latest))
        XCTAssertTrue(stored.metricsJSON.contains("\"accuracy\""), stored.metricsJSON)

        // A new process loads the registered model and predicts from a file.
        let predictions = root.appendingPathComponent("predictions.csv")
        let predicted = try rappi.run(["-c", "load model titanic_gbm; predict from \(data)/ds_half into \(predictions.path)"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        XCTAssertTrue(predicted.stdout.contains("wrote 446 predictions"), predicted.stdout)
        let lines = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 447)
        XCTAssertTrue(lines[0].hasSuffix("prediction,probability_0,probability_1"), String(lines[0]))
        // One record, as a user types it.
        let record = #"{"Pclass": 1, "Name": "Doe, Mrs. Jane", "Sex": "female", "Age": 30, "SibSp": 0, "Parch": 0, "Fare": 80, "Embarked": "S"}"#
        let one = try rappi.run(["-c", "load model titanic_gbm; predict \(record)"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("1 prediction (gbm, in process)"), one.stdout)
        // A first-class woman survives: prediction 1, p(1) well above one half.
        let row = one.lines.last!.split(separator: " ")
        XCTAssertEqual(row[row.count - 3], "1", one.stdout)
        XCTAssertGreaterThan(Double(row[row.count - 1]) ?? 0, 0.8, one.stdout)

        let shown = try rappi.run(["-c", "model titanic_gbm"])
        XCTAssertTrue(shown.stdout.contains("early_stopping=15"), shown.stdout)
    }

    func testTheModelFileIsTheSameWhateverTheThreadCountOrProcess() throws {
        let file = try write("gbm.rappi", """
            upload dataset titanic from \(data)/ds_full target=Survived
            load dataset titanic
            train gbm rounds=60 subsample=0.8 colsample=0.7 early_stopping=10
            evaluate
            register
            """)
        let one = RappiBinary(workspace: root.appendingPathComponent("ws-one-thread"))
        XCTAssertEqual(try rappi.run(["run", file.path]).status, 0)
        XCTAssertEqual(try one.run(["run", file.path], environment: ["RAPPI_THREADS": "1"]).status, 0)
        let a = try Workspace(directory: rappi.workspace).modelVersion("titanic_gbm", .version(.latest))
        let b = try Workspace(directory: one.workspace).modelVersion("titanic_gbm", .version(.latest))
        XCTAssertEqual(a.contentHash, b.contentHash)
        XCTAssertEqual(a.metricsJSON, b.metricsJSON)
        let again = try rappi.run(["run", file.path], environment: ["RAPPI_THREADS": "3"])
        XCTAssertTrue(again.stdout.contains("unchanged: identical to titanic_gbm v1"), again.stdout)
    }

    func testAGbmModelServesOverHTTPAndRunsAsAPipelineStep() throws {
        let setup = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived
            pipeline gbm_train(rounds=40) { load dataset titanic; train gbm rounds=$rounds leaves=15; evaluate; register }
            run pipeline gbm_train
            deploy titanic_gbm local as titanic-gbm auth=none
            test endpoint titanic-gbm
            """])
        XCTAssertEqual(setup.status, 0, setup.stderr + setup.stdout)
        XCTAssertTrue(setup.stdout.contains("deployed titanic_gbm v1 as titanic-gbm (local, pid"), setup.stdout)
        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertTrue(try ws.modelVersion("titanic_gbm", .version(.latest)).metricsJSON.contains("\"accuracy\""))

        let endpoint = try ws.endpoint("titanic-gbm")
        let body = #"{"data": [{"Pclass": 1, "Name": "Doe, Mrs. Jane", "Sex": "female", "Age": 30, "SibSp": 0, "Parch": 0, "Fare": 80, "Embarked": "S"}, {"Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": "S"}]}"#
        let response = try HTTPClient().post(endpoint.url + "/score", json: body)
        XCTAssertEqual(response.status, 200)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        XCTAssertEqual((json["predictions"] as? [Any])?.map { "\($0)" }, ["1", "0"], response.text)
        XCTAssertNotNil(json["probabilities"])
    }

    func testBadOptionsNameTheOptionAndNothingIsStored() throws {
        let setup = "upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic"
        func failure(_ statement: String) throws -> String {
            let result = try rappi.run(["-c", setup + "; " + statement + "; register"])
            XCTAssertEqual(result.status, 1, statement)
            return result.stderr
        }
        XCTAssertTrue(try failure("train gbm leaves=1").contains("option 'leaves' must be between 2 and 65536, got 1"))
        XCTAssertTrue(try failure("train gbm subsample=1.5").contains("option 'subsample' must be in (0, 1], got 1.5"))
        XCTAssertTrue(try failure("train gbm learning_rate=0").contains("option 'learning_rate' must be greater than 0"))
        XCTAssertTrue(try failure("train gbm bins=300").contains("option 'bins' must be between 2 and 255"))
        XCTAssertTrue(try failure("train gbm round=5").contains("did you mean 'rounds'?"))
        XCTAssertEqual(try Workspace(directory: rappi.workspace).modelNames(), [])
    }
}
