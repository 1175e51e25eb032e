import Foundation
import XCTest
@testable import RappiML

final class TitanicTests: XCTestCase {
    /// scripts/data/titanic/ds_full/titanic.csv in the repository, found from this source file.
    static var titanicPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/data/titanic/ds_full/titanic.csv").path
    }

    func testReadsTitanic() throws {
        let t = try CSVReader.read(path: Self.titanicPath)
        let f = t.frame
        XCTAssertEqual(f.rowCount, 891)
        XCTAssertEqual(f.columnNames, ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp",
                                       "Parch", "Ticket", "Fare", "Cabin", "Embarked"])
        XCTAssertEqual(f.columns.map(\.type), [.integer, .integer, .integer, .text, .text, .real, .integer,
                                               .integer, .text, .real, .text, .text])
        let missing = Dictionary(uniqueKeysWithValues: f.describe().map { ($0.name, $0.missing) })
        XCTAssertEqual(missing["Age"], 177)
        XCTAssertEqual(missing["Cabin"], 687)
        XCTAssertEqual(missing["Embarked"], 2)
        XCTAssertEqual(missing["Name"], 0)
        XCTAssertEqual(t.headerByteCount, "PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n".utf8.count)
        XCTAssertEqual(f.head(1)[0], ["1", "0", "3", "Braund, Mr. Owen Harris", "male", "22.0", "1", "0",
                                      "A/5 21171", "7.25", nil, "S"])
    }

    func testTitanicDescribeMatchesPandas() throws {
        let d = Dictionary(uniqueKeysWithValues: try CSVReader.read(path: Self.titanicPath).frame.describe().map { ($0.name, $0) })
        let age = d["Age"]!
        XCTAssertEqual(age.count, 714)
        XCTAssertEqual(age.mean!, 29.699118, accuracy: 1e-6)
        XCTAssertEqual(age.std!, 14.526497, accuracy: 1e-6)
        XCTAssertEqual(age.min, 0.42)
        XCTAssertEqual(age.max, 80)
        let fare = d["Fare"]!
        XCTAssertEqual(fare.mean!, 32.204208, accuracy: 1e-6)
        XCTAssertEqual(fare.std!, 49.693429, accuracy: 1e-6)
        XCTAssertEqual(d["Sex"]!.top.first?.value, "male")
        XCTAssertEqual(d["Sex"]!.top.first?.count, 577)
        XCTAssertEqual(d["Embarked"]!.top.map(\.value), ["S", "C", "Q"])
        XCTAssertEqual(d["Embarked"]!.top.map(\.count), [644, 168, 77])
        XCTAssertEqual(d["Name"]!.unique, 891)
        XCTAssertEqual(d["Ticket"]!.unique, 681)
        XCTAssertEqual(d["Cabin"]!.unique, 147)
    }

    func testTitanicChunkingIdentical() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.titanicPath)))
        let one = try parseCSV(bytes: bytes, chunks: 1)
        for chunks in [2, 5, 13, 100] { assertIdentical(one.frame, try parseCSV(bytes: bytes, chunks: chunks).frame) }
    }
}
