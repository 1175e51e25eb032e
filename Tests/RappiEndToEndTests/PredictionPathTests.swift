import Foundation
import RappiClient
import RappiWorkspace
import XCTest

/// One prediction path: the same records, however they arrive — a CSV file or JSON in process,
/// `/score` and `/invocations` of a deployed endpoint over real HTTP, the A/B router — get the
/// same predictions and probabilities, missing values imputed rather than refused.
final class PredictionPathTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let data = RappiBinary.repository.appendingPathComponent("scripts/data/titanic").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-predict")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
    }

    override func tearDownWithError() throws {
        rappi.stopServices()  // never leave a router or a server behind
        try? FileManager.default.removeItem(at: root)
    }

    /// The same eight passengers as CSV and as JSON: a missing Fare (empty, null, absent), absent
    /// Age, `3` vs `3.0`, numbers sent as strings, unknown categories, odd spacing and case, and
    /// extra columns. The training rows (passengers 1–446) have no missing Fare.
    static let csv = """
        PassengerId,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked,Comment
        1001,3,"Kelly, Mr. James",male,34.5,0,0,330911,7.8292,,Q,
        1002,3,"Wilkes, Mrs. James (Ellen Needs)",female,47,1,0,363272,,,S,no fare
        1003,2,"Myles, Mr. Thomas Francis",male,,0,0,240276,,,Q,
        1004,3.0,"Wirz, Mr. Albert",male,27,0,0,315154,8.6625,,S,
        1005,1,"Hirvonen, Mrs. Alexander (Helga E Lindqvist)",Female,22,1,1,3101298,12.2875,Z99,X,unknown deck and port
        1006,3,"Spector, Mr. Woolf",male,,0,0,A.5. 3236,8.05,,s,
        1007,1,"Oliva y Ocana, Dona. Fermina",female,39,0,0,PC 17758,108.9,C105,C,rare title
        1008,3,"Saether, Mr. Simon Sivertsen",male,38.5,0,0,SOTON/O.Q. 3101262,7.25,,S,

        """
    static let json = #"""
        [
          {"PassengerId": 1001, "Pclass": 3, "Name": "Kelly, Mr. James", "Sex": "male", "Age": 34.5, "SibSp": 0, "Parch": 0, "Ticket": "330911", "Fare": 7.8292, "Cabin": null, "Embarked": "Q"},
          {"PassengerId": 1002, "Pclass": 3, "Name": "Wilkes, Mrs. James (Ellen Needs)", "Sex": "female", "Age": 47, "SibSp": 1, "Parch": 0, "Ticket": "363272", "Fare": null, "Embarked": "S", "Comment": "no fare"},
          {"PassengerId": 1003, "Pclass": 2, "Name": "Myles, Mr. Thomas Francis", "Sex": "male", "SibSp": 0, "Parch": 0, "Ticket": "240276", "Fare": "", "Embarked": "Q"},
          {"PassengerId": 1004, "Pclass": 3.0, "Name": "Wirz, Mr. Albert", "Sex": "male", "Age": 27.0, "SibSp": "0", "Parch": 0, "Ticket": "315154", "Fare": "8.6625", "Embarked": "S"},
          {"PassengerId": 1005, "Pclass": 1, "Name": "Hirvonen, Mrs. Alexander (Helga E Lindqvist)", "Sex": "Female", "Age": 22, "SibSp": 1, "Parch": 1, "Ticket": 3101298, "Fare": 12.2875, "Cabin": "Z99", "Embarked": "X", "Comment": "unknown deck and port"},
          {"PassengerId": 1006, "Pclass": 3, "Name": "Spector, Mr. Woolf", "Sex": "male", "Age": null, "SibSp": 0, "Parch": 0, "Ticket": "A.5. 3236", "Fare": 8.05, "Embarked": "s"},
          {"PassengerId": 1007, "Pclass": 1, "Name": "Oliva y Ocana, Dona. Fermina", "Sex": "female", "Age": 39, "SibSp": 0, "Parch": 0, "Ticket": "PC 17758", "Fare": 108.9, "Cabin": "C105", "Embarked": "C", "Comment": "rare title"},
          {"PassengerId": 1008, "Pclass": 3, "Name": "Saether, Mr. Simon Sivertsen", "Sex": "male", "Age": 38.5, "SibSp": 0, "Parch": 0, "Ticket": "SOTON/O.Q. 3101262", "Fare": 7.25, "Embarked": "S", "Extra": {"ignored": true}}
        ]
        """#

    /// Prediction and probabilities of each row of a file `predict … into` wrote (its last three
    /// fields: the titanic target has two classes).
    private func answers(_ written: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [[String]] {
        let text = try String(contentsOf: written, encoding: .utf8)
        let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).suffix(3).map(String.init) }
        XCTAssertEqual(rows.first, ["prediction", "probability_0", "probability_1"], file: file, line: line)
        return Array(rows.dropFirst())
    }

    /// The same from a JSON answer: predictions and probabilities, as numbers.
    private func answers(_ response: HTTPResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [[Double]] {
        XCTAssertEqual(response.status, 200, response.text, file: file, line: line)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], file: file, line: line)
        let predictions = try XCTUnwrap(object["predictions"] as? [Double], response.text, file: file, line: line)
        let probabilities = try XCTUnwrap(object["probabilities"] as? [[Double]], response.text, file: file, line: line)
        return zip(predictions, probabilities).map { [$0] + $1 }
    }

    func testTheSameRecordsGetTheSamePredictionsAndProbabilitiesOnEveryPath() throws {
        let records = root.appendingPathComponent("records.csv")
        try Self.csv.write(to: records, atomically: true, encoding: .utf8)
        let file = { (name: String) in self.root.appendingPathComponent(name) }
        let result = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_half target=Survived; load dataset titanic
            train rf trees=60; register; deploy titanic_rf local as titanic auth=none
            abtest start parity titanic vs titanic_rf split=50/50 unit=PassengerId auth=none
            predict from \(records.path) into \(file("in_process_csv.csv").path)
            predict {"data": \(Self.json)} into \(file("in_process_json.csv").path)
            predict on titanic from \(records.path) into \(file("endpoint_csv.csv").path)
            predict on titanic {"data": \(Self.json)} into \(file("endpoint_json.csv").path)
            """, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)

        // In process and through the endpoint, `into` writes the very same file.
        XCTAssertEqual(try Data(contentsOf: file("in_process_csv.csv")), try Data(contentsOf: file("endpoint_csv.csv")))
        XCTAssertEqual(try Data(contentsOf: file("in_process_json.csv")), try Data(contentsOf: file("endpoint_json.csv")))
        // CSV and JSON records give the same answers.
        let expected = try answers(file("in_process_csv.csv"))
        XCTAssertEqual(expected.count, 8)
        XCTAssertEqual(try answers(file("in_process_json.csv")), expected)
        // Imputed, not refused — and said so, the same for both: every row has probabilities that sum to 1.
        let filled = "10 missing values, filled as preprocessing learned from the training rows: Age 2, Fare 2, Cabin 6"
        XCTAssertEqual(result.stdout.components(separatedBy: filled).count - 1, 2, result.stdout)
        for row in expected { XCTAssertEqual(Double(row[1])! + Double(row[2])!, 1, accuracy: 1e-5, "\(row)") }

        // Over HTTP: /score and /invocations of the endpoint, and the A/B router.
        let workspace = try Workspace(directory: rappi.workspace)
        let endpoint = try workspace.endpoint("titanic").url
        let router = try XCTUnwrap(try workspace.experiment("parity").url)
        let client = HTTPClient()
        let numbers = expected.map { $0.map { Double($0)! } }
        XCTAssertEqual(try answers(client.post(endpoint + "/score", json: #"{"data": \#(Self.json)}"#)), numbers)
        XCTAssertEqual(try answers(client.post(endpoint + "/invocations", json: #"{"dataframe_records": \#(Self.json)}"#)), numbers)
        let routed = try client.post(router + "/score", json: #"{"data": \#(Self.json)}"#)
        XCTAssertEqual(try answers(routed), numbers)
        let variants = (try JSONSerialization.jsonObject(with: Data(routed.body)) as? [String: Any])?["variants"] as? [String] ?? []
        XCTAssertEqual(Set(variants), ["A", "B"], "both variants answered: \(variants)")

        // Only a value of the wrong type is refused — on every path, naming the row and field.
        let wrongType = #"{"data": [{"Pclass": "first", "Sex": "male"}]}"#
        let served = try client.post(endpoint + "/score", json: wrongType)
        XCTAssertEqual(served.status, 422, served.text)
        XCTAssertTrue(served.text.contains(#""field":"Pclass""#), served.text)
        XCTAssertEqual(try client.post(router + "/invocations", json: #"{"dataframe_records": [{"Pclass": "first"}]}"#).status, 422)
        let inProcess = try rappi.run(["-c", "load model titanic_rf; predict \(wrongType)"])
        XCTAssertEqual(inProcess.status, 1)
        XCTAssertTrue(inProcess.stderr.contains(#"row 0, field 'Pclass': expected an integer, got "first""#), inProcess.stderr)
    }

    func testPredictOnAnEndpointFromAFileIntoAFileWritesWhatTheInProcessPredictWrites() throws {
        let output = root.appendingPathComponent("served.csv"), local = root.appendingPathComponent("local.csv")
        let result = try rappi.run(["-c", """
            upload dataset titanic from \(data)/ds_full target=Survived; load dataset titanic
            train linsvc; register; deploy titanic_linsvc local as svc
            predict on svc from \(data)/ds_half into \(output.path)
            predict from \(data)/ds_half into \(local.path)
            """, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        XCTAssertTrue(result.stdout.contains("wrote 446 predictions to \(output.path) (titanic_linsvc v1 at http://"), result.stdout)
        XCTAssertTrue(result.stdout.contains(#""accuracy":"#), result.stdout)
        let written = try String(contentsOf: output, encoding: .utf8)
        let lines = written.split(separator: "\n")
        XCTAssertEqual(lines.count, 447)
        // A model without probabilities: the records, then the prediction.
        XCTAssertTrue(lines[0].hasSuffix(",Embarked,prediction"), String(lines[0]))
        XCTAssertEqual(written, try String(contentsOf: local, encoding: .utf8))

        let nowhere = root.appendingPathComponent("missing/out.csv").path
        let unwritable = try rappi.run(["-c", "predict on svc from \(data)/ds_half into \(nowhere)"])
        XCTAssertEqual(unwritable.status, 1)
        XCTAssertTrue(unwritable.stderr.contains("cannot write \(nowhere): there is no folder \(root.path)/missing — create it or write elsewhere"), unwritable.stderr)

        // A file without a column the model reads is refused alike, before any request.
        let noAge = root.appendingPathComponent("no_age.csv")
        try "PassengerId,Pclass,Name,Sex,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n1,3,\"Doe, Mr. John\",male,0,0,X,7.25,,S\n"
            .write(to: noAge, atomically: true, encoding: .utf8)
        for statement in ["predict on svc from \(noAge.path)", "load model titanic_linsvc; predict from \(noAge.path)"] {
            let refused = try rappi.run(["-c", statement])
            XCTAssertEqual(refused.status, 1, statement)
            XCTAssertTrue(refused.stderr.contains("the model needs column 'Age' (real), not in no_age.csv — add it (empty values are fine)"), refused.stderr)
        }
    }
}
