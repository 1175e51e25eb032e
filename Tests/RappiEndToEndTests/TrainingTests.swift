import Foundation
import RappiWorkspace
import XCTest

/// Training, evaluation, the registry and replay, through the built binary.
final class TrainingTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-train")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func write(_ name: String, _ text: String) throws -> URL { try root.writingFile(name, text) }

    private func jsonCells(_ result: RappiBinary.Result) throws -> [[String: Any]] {
        try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    private var trainingScript: String {
        """
        upload dataset titanic from \(data)/ds_full target=Survived
        load dataset titanic
        split test=0.2 seed=42
        preprocess recipe=titanic
        train rf trees=50
        evaluate
        register
        train logreg
        evaluate
        register
        """
    }

    func testTrainEvaluateRegisterPublishesMetricsAndStoresModels() throws {
        let script = try write("train.rappi", trainingScript)
        let result = try rappi.run(["run", script.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        let cells = try jsonCells(result)
        let evaluations = cells.filter { ($0["statement"] as? String) == "evaluate" }
        XCTAssertEqual(evaluations.count, 2)
        for cell in evaluations {
            let values = cell["values"] as! [String: Any]
            for name in ["accuracy", "precision", "recall", "f1", "auc"] {
                let value = try XCTUnwrap(values[name] as? Double, name)
                XCTAssertTrue(value > 0.5 && value <= 1, "\(name) = \(value)")
            }
            XCTAssertEqual(values["test_rows"] as? Int, 178)  // 20% of each class, rounded per class
        }
        XCTAssertNotNil((evaluations[1]["values"] as! [String: Any])["log_loss"] as? Double)
        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(ws.modelNames(), ["titanic_logreg", "titanic_rf"])
        let rf = try ws.modelVersion("titanic_rf", .version(.latest))
        XCTAssertEqual(rf.version, 1)
        XCTAssertEqual(rf.datasetVersion, 1)
        XCTAssertTrue(rf.metricsJSON.contains("\"accuracy\""), rf.metricsJSON)
        XCTAssertTrue(ws.artifacts.contains(rf.contentHash))

        let shown = try rappi.run(["-c", "model titanic_rf"])
        XCTAssertTrue(shown.stdout.contains(rf.contentHash), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("dataset_hash="), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("trees=50"), shown.stdout)
    }

    func testSameScriptSameBytesWhateverTheThreadCount() throws {
        let script = try write("train.rappi", trainingScript)
        let other = RappiBinary(workspace: root.appendingPathComponent("ws-one-thread"))
        XCTAssertEqual(try rappi.run(["run", script.path]).status, 0)
        XCTAssertEqual(try other.run(["run", script.path], environment: ["RAPPI_THREADS": "1"]).status, 0)
        let a = try Workspace(directory: rappi.workspace), b = try Workspace(directory: other.workspace)
        for name in ["titanic_rf", "titanic_logreg"] {
            let va = try a.modelVersion(name, .version(.latest)), vb = try b.modelVersion(name, .version(.latest))
            XCTAssertEqual(va.contentHash, vb.contentHash, name)
            XCTAssertEqual(va.metricsJSON, vb.metricsJSON, name)
        }
        // The same script again in the same workspace registers nothing new.
        let again = try rappi.run(["run", script.path])
        XCTAssertTrue(again.stdout.contains("unchanged: identical to titanic_rf v1"), again.stdout)
    }

    func testReplayUsesTheRecordedDatasetVersionEvenAfterLatestMoved() throws {
        let script = try write("train.rappi", trainingScript)
        XCTAssertEqual(try rappi.run(["run", script.path]).status, 0)
        // latest moves to a new version.
        XCTAssertEqual(try rappi.run(["-c", "upload dataset titanic from \(data)/ds_half target=Survived"]).status, 0)
        let runs = try Workspace(directory: rappi.workspace).runs()
        let replay = try rappi.run(["replay", String(runs[0].id)])
        XCTAssertEqual(replay.status, 0, replay.stderr + replay.stdout)
        XCTAssertTrue(replay.stdout.contains("model titanic_rf: identical"), replay.stdout)
        XCTAssertTrue(replay.stdout.contains("0 different"), replay.stdout)
    }

    func testPredictFromAFileIntoAFile() throws {
        let output = root.appendingPathComponent("predictions.csv")
        let result = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic; train rf trees=30; \
            predict from \(data)/ds_half into \(output.path)
            """])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("wrote 446 predictions"), result.stdout)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 447)
        XCTAssertTrue(lines[0].hasSuffix("prediction,probability_0,probability_1"), String(lines[0]))
    }

    func testBadInputIsAClearErrorAndTheRegistryIsUnchanged() throws {
        let setup = "upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic"
        XCTAssertEqual(try rappi.run(["-c", setup + "; train rf trees=20; register"]).status, 0)

        func failure(_ statements: String) throws -> String {
            let result = try rappi.run(["-c", setup + "; " + statements])
            XCTAssertEqual(result.status, 1, statements)
            return result.stderr
        }
        XCTAssertTrue(try failure("train rf trees=0").contains("option 'trees' must be at least 1, got 0"))
        XCTAssertTrue(try failure("train linsvc C=-1").contains("option 'C' must be greater than 0, got -1"))
        XCTAssertTrue(try failure("train rf tress=10").contains("unknown option 'tress' — did you mean 'trees'?"))
        XCTAssertTrue(try failure("evaluate").contains("evaluate needs a trained model"))
        XCTAssertTrue(try failure("register").contains("register needs a trained model"))
        XCTAssertTrue(try failure("preprocess target=Survivd").contains("did you mean 'Survived'?"))

        _ = try write("one_class.csv", "a,b,y\n1,2,1\n3,4,1\n5,6,1\n")
        let single = try rappi.run(["-c", "upload dataset one from one_class.csv target=y; load dataset one; train rf"], in: root)
        XCTAssertEqual(single.status, 1)
        XCTAssertTrue(single.stderr.contains("only one class"), single.stderr)

        _ = try write("no_age.csv", "PassengerId,Pclass,Name,Sex,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n1,3,\"Doe, Mr. John\",male,0,0,X,7.25,,S\n")
        let missingColumn = try rappi.run(["-c", setup + "; train rf trees=10; predict from \(root.path)/no_age.csv"])
        XCTAssertEqual(missingColumn.status, 1)
        XCTAssertTrue(missingColumn.stderr.contains("'Age'"), missingColumn.stderr)

        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(ws.modelNames(), ["titanic_rf"])
        XCTAssertEqual(try ws.modelVersions("titanic_rf").count, 1)
    }

    func testPromoteAndLoadModel() throws {
        let result = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train rf trees=10; register; train rf trees=20; register
            promote titanic_rf v1 to production; promote titanic_rf v2 to production
            load model titanic_rf production; predict from \(data)/ds_half; models
            """])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("titanic_rf v2 is now in production (v1 moved from production to archived)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("loaded model titanic_rf v2"), result.stdout)
        let ws = try Workspace(directory: rappi.workspace)
        XCTAssertEqual(try ws.modelVersions("titanic_rf").map(\.stage), ["archived", "production"])
    }

    func testModelTakesTheNameColonVersionFormThatDeployTakesAndRoundsMetricsForPeople() throws {
        let result = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train rf trees=10; evaluate; register; train rf trees=20; register
            model titanic_rf:v1; load model titanic_rf:v1
            """])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("titanic_rf v1  (no stage)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("loaded model titanic_rf v1"), result.stdout)
        let metrics = try XCTUnwrap(result.lines.first { $0.contains("metrics ") })
        XCTAssertNotNil(metrics.range(of: #"accuracy=0\.\d{1,4}(,|$)"#, options: .regularExpression), metrics)

        let twice = try rappi.run(["-c", "model titanic_rf:v1 v2"])
        XCTAssertEqual(twice.status, 1)
        XCTAssertTrue(twice.stderr.contains("the version is given twice — write titanic_rf:v2 or titanic_rf v2, not both"), twice.stderr)
    }

    func testAHeaderOnlyFileIsRefusedWithWhatWasSeen() throws {
        let file = try write("header_only.csv", "PassengerId,Survived\n")
        let result = try rappi.run(["-c", "upload dataset empty from \(file.path)"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("header_only.csv has a header (PassengerId, Survived) but no data rows"), result.stderr)
        XCTAssertEqual(try Workspace(directory: rappi.workspace).datasetNames(), [])
    }

    func testMissingTargetsAreCountedAndNumberedInTheWholeFile() throws {
        // Blank the target in 60 data rows, the first at data row 10.
        var lines = try String(contentsOfFile: "\(data)/ds_full/titanic.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let blanked = [10] + (0..<59).map { 200 + 10 * $0 }
        for row in blanked {
            var fields = lines[row].split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            fields[1] = ""  // PassengerId,Survived,…
            lines[row] = fields.joined(separator: ",")
        }
        let file = try write("blanks.csv", lines.joined(separator: "\n"))
        let result = try rappi.run(["-c", "upload dataset blanks from \(file.path) target=Survived; load dataset blanks; train rf trees=5"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("target 'Survived' is missing in 60 rows of the data (first at data row 10) — fill or drop them"), result.stderr)
    }

    func testEvaluateWithNoHeldOutRowsIsAnErrorNotZeroAccuracy() throws {
        let file = try write("tiny.csv", "x,y\n1,a\n2,b\n")
        let result = try rappi.run(["-c", "upload dataset tiny from \(file.path) target=y; load dataset tiny; preprocess recipe=auto; train logreg; evaluate"])
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stderr.contains("evaluate has no held-out rows: the split kept all 2 rows of tiny v1 for training"), result.stderr)
        XCTAssertFalse(result.stdout.contains("accuracy  0.0000"), result.stdout)
    }

    func testARegisteredModelIsEvaluatedOnItsOwnHeldOutRowsOrOnAllRowsOfOtherData() throws {
        let trained = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; upload dataset half from \(data)/ds_half target=Survived
            load dataset titanic; train rf trees=20; evaluate; register
            """, "--json"])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let inSession = try XCTUnwrap(trained.stdout.range(of: #""accuracy":[0-9.]+"#, options: .regularExpression).map { String(trained.stdout[$0]) })

        // Either order of `load`, in a new process: the same held-out rows, the same accuracy.
        for script in ["load dataset titanic; load model titanic_rf v1; evaluate", "load model titanic_rf:v1; load dataset titanic; evaluate"] {
            let result = try rappi.run(["-c", script, "--json"])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertTrue(result.stdout.contains("rf on 178 held-out rows of titanic v1 (the split it was trained with)"), result.stdout)
            XCTAssertTrue(result.stdout.contains(inSession), "\(inSession) expected in \(result.stdout)")
        }
        let other = try rappi.run(["-c", "load model titanic_rf; load dataset half; evaluate"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertTrue(other.stdout.contains("rf on all 446 rows of half v1 (not the data it was trained on"), other.stdout)

        let noData = try rappi.run(["-c", "load model titanic_rf; evaluate"])
        XCTAssertEqual(noData.status, 1)
        XCTAssertTrue(noData.stderr.contains("evaluate needs data: load the dataset to evaluate on"), noData.stderr)
    }

    func testANewVersionWithOtherColumnsIsWarnedAboutAndATargetChangeOnIdenticalContentIsRecorded() throws {
        let other = try write("other.csv", "PassengerId,Survived,Age,Height\n1,0,22.5,180\n2,1,38,165\n")
        let result = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived
            upload dataset titanic from \(other.path)
            upload dataset titanic from \(data)/ds_full target=Pclass
            load dataset titanic v1
            """])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("warning: the columns differ from v1: added Height; removed Pclass, Name, Sex, SibSp, Parch, Ticket, Fare, Cabin, Embarked — models trained on v1 may not accept this data"), result.stdout)
        XCTAssertTrue(result.stdout.contains("unchanged content: identical to titanic v1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("its target is now Pclass (was Survived)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("loaded titanic v1 — 891 rows × 12 columns, target Pclass"), result.stdout)
    }
}
