import Foundation
import RappiML
@testable import RappiServe

/// Small models trained in-process, written to temporary model files once per test run.
enum TestModels {
    static let titanicCSV = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/data/titanic/ds_full/titanic.csv").path

    static let titanicFrame: DataFrame = try! CSVReader.read(path: titanicCSV).frame

    /// A 25-tree random forest on the whole Titanic file (titanic recipe, numeric target).
    static let forest: (model: TrainedModel, path: String) = {
        let frame = titanicFrame
        let rows = Array(0..<frame.rowCount)
        let target = try! TargetEncoding.fit(frame, target: "Survived", rows: rows)
        let preprocessor = try! Preprocessor.fit(frame, rows: rows, target: "Survived", recipe: .titanic, standardize: false)
        var parameters = RandomForestParameters()
        parameters.trees = 25
        let estimator = try! RandomForestClassifier.fit(try! preprocessor.transform(frame), try! target.encode(frame, rows: rows),
                                                        parameters: parameters, threads: 0)
        let model = TrainedModel(algorithm: RandomForestClassifier.algorithm, parameters: [("trees", "25")], target: target,
                                 preprocessor: preprocessor, estimator: estimator, metrics: [], lineage: [])
        return (model, write(model, name: "forest"))
    }()

    /// A linear SVC (no probabilities) on a tiny frame with a text target (auto recipe).
    static let svc: (model: TrainedModel, path: String) = {
        let csv = """
            size,colour,kind
            1.0,red,small
            1.5,red,small
            2.0,blue,small
            8.0,blue,large
            9.5,red,large
            10.0,blue,large
            1.2,blue,small
            8.8,red,large
            """
        let frame = Array(csv.utf8).withUnsafeBytes { try! CSVReader.read(bytes: $0, fileName: "tiny.csv").frame }
        let rows = Array(0..<frame.rowCount)
        let target = try! TargetEncoding.fit(frame, target: "kind", rows: rows)
        let preprocessor = try! Preprocessor.fit(frame, rows: rows, target: "kind", recipe: .auto, standardize: true)
        let estimator = try! LinearSVC.fit(try! preprocessor.transform(frame), try! target.encode(frame, rows: rows),
                                           parameters: LinearSVCParameters())
        let model = TrainedModel(algorithm: LinearSVC.algorithm, parameters: [], target: target,
                                 preprocessor: preprocessor, estimator: estimator, metrics: [], lineage: [])
        return (model, write(model, name: "svc"))
    }()

    static func write(_ model: TrainedModel, name: String) -> String {
        let path = temporaryPath("\(name).rappimodel")
        FileManager.default.createFile(atPath: path, contents: Data(ModelFile.encode(model)))
        return path
    }

    static func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-serve-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    /// Titanic passengers as JSON-style records (CSV rows `range` of the training file).
    static func passengers(_ range: Range<Int>) -> [[String: Any]] {
        let frame = titanicFrame
        let names = ["Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Ticket", "Fare", "Cabin", "Embarked"]
        return range.map { r in
            var record: [String: Any] = [:]
            for name in names {
                let column = frame.column(named: name)!
                if column.isMissing(r) { record[name] = NSNull(); continue }
                if column.type.isNumeric { record[name] = column.numericValues[r] } else { record[name] = column.string(r)! }
            }
            return record
        }
    }
}
