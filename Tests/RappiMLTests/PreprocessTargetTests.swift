import XCTest
@testable import RappiML

final class PreprocessTargetTests: XCTestCase {
    typealias F = PreprocessFixtures

    func testNumericClassesSortNumerically() throws {
        let frame = DataFrame(columns: [F.num("y", [10, 9, 2, 10, 9], type: .integer)])
        let t = try TargetEncoding.fit(frame, target: "y", rows: [0, 1, 2, 3, 4])
        XCTAssertEqual(t.classes, ["2", "9", "10"])
        XCTAssertEqual(try t.encode(frame, rows: [0, 1, 2, 3, 4]).indices, [2, 1, 0, 2, 1])
        // The same labels as reals or text encode the same way.
        let asReal = DataFrame(columns: [F.num("y", [2, 10])])
        XCTAssertEqual(try t.encode(asReal, rows: [0, 1]).indices, [0, 2])
        let asText = DataFrame(columns: [F.text("y", ["10", "9"])])
        XCTAssertEqual(try t.encode(asText, rows: [0, 1]).indices, [2, 1])
    }

    func testTextClassesSortAsStrings() throws {
        let frame = DataFrame(columns: [F.text("species", ["virginica", "setosa", "versicolor", "setosa"])])
        let t = try TargetEncoding.fit(frame, target: "species", rows: [0, 1, 2, 3])
        XCTAssertEqual(t.classes, ["setosa", "versicolor", "virginica"])
        XCTAssertEqual(try t.encode(frame, rows: [3, 0]), EncodedLabels(classes: t.classes, indices: [0, 2]))
        // Only the fit rows decide the classes.
        let two = try TargetEncoding.fit(frame, target: "species", rows: [0, 1])
        XCTAssertEqual(two.classes, ["setosa", "virginica"])
        XCTAssertEqual(F.message { _ = try two.encode(frame, rows: [2]) },
                       "target 'species' has the value 'versicolor' at data row 3, which was not seen in training (classes: 'setosa', 'virginica') — drop those rows or retrain with them")
    }

    func testMissingTargetColumnSuggestsAName() throws {
        let frame = try CSVReader.read(path: PreprocessTitanicTests.path).frame
        XCTAssertEqual(F.message { _ = try TargetEncoding.fit(frame, target: "Survivd", rows: [0, 1]) },
                       "target column 'Survivd' is not in the data — did you mean 'Survived'?")
        XCTAssertEqual(F.message { _ = try TargetEncoding.fit(frame, target: "survived", rows: [0, 1]) },
                       "target column 'survived' is not in the data — did you mean 'Survived'?")
        let small = DataFrame(columns: [F.num("a", [1]), F.num("b", [2])])
        XCTAssertEqual(F.message { _ = try TargetEncoding.fit(small, target: "label", rows: [0]) },
                       "target column 'label' is not in the data (columns: a, b)")
    }

    func testSingleClassIsAnError() throws {
        let frame = DataFrame(columns: [F.num("Survived", [1, 1, 1, 0], type: .integer)])
        XCTAssertEqual(F.message { _ = try TargetEncoding.fit(frame, target: "Survived", rows: [0, 1, 2]) },
                       "target 'Survived' has only one class ('1') — a classifier needs at least two")
    }

    func testMissingLabelsAreAnError() throws {
        var values: [Double?] = (0..<20).map { Double($0 % 2) }
        values[12] = nil; values[15] = nil; values[19] = nil
        let frame = DataFrame(columns: [F.num("Survived", values, type: .integer)])
        XCTAssertEqual(F.message { _ = try TargetEncoding.fit(frame, target: "Survived", rows: Array(0..<20)) },
                       "target 'Survived' is missing in 3 rows of the data (first at data row 13) — fill or drop them")
        let t = try TargetEncoding.fit(frame, target: "Survived", rows: Array(0..<12))
        XCTAssertEqual(F.message { _ = try t.encode(frame, rows: [19]) },
                       "target 'Survived' is missing in 3 rows of the data (first at data row 13) — fill or drop them")
    }

    func testContinuousTargetIsARegressionTargetAndAsClassesAnErrorThatSaysSo() throws {
        let frame = DataFrame(columns: [F.num("Fare", (0..<100).map { Double($0) * 1.5 })])
        XCTAssertEqual(try TargetEncoding.fit(frame, target: "Fare", rows: Array(0..<100)).task, .regression)
        let message = F.message { _ = try TargetEncoding.fit(frame, target: "Fare", rows: Array(0..<100), task: .classification) }
        XCTAssertTrue(message.hasPrefix("target 'Fare' has 100 distinct values in 100 rows"), message)
        XCTAssertTrue(message.contains("task=regression"), message)
    }

    func testRoundTrip() throws {
        let frame = DataFrame(columns: [F.text("y", ["b", "a", "b"])])
        let t = try TargetEncoding.fit(frame, target: "y", rows: [0, 1, 2])
        var w = BinaryWriter()
        t.encode(to: &w)
        var r = BinaryReader(w.bytes)
        XCTAssertEqual(try TargetEncoding(from: &r), t)
        XCTAssertTrue(r.isAtEnd)
    }
}

final class PreprocessRegressionTargetTests: XCTestCase {
    private func frame(_ values: [Double]) throws -> DataFrame {
        DataFrame(columns: [PreprocessFixtures.num("y", values, type: .real)])
    }

    func testANumericTargetWithManyDistinctValuesIsARegressionTaskAndAFewIsClassification() throws {
        let many = try frame((0..<30).map { Double($0) * 1.5 })
        XCTAssertEqual(try TargetEncoding.fit(many, target: "y", rows: Array(0..<30)).task, .regression)
        let few = try frame((0..<30).map { Double($0 % 3) })
        let classes = try TargetEncoding.fit(few, target: "y", rows: Array(0..<30))
        XCTAssertEqual(classes.task, .classification)
        XCTAssertEqual(classes.classes, ["0", "1", "2"])
        // The choice overrides the guess either way.
        XCTAssertEqual(try TargetEncoding.fit(few, target: "y", rows: Array(0..<30), task: .regression).task, .regression)
        XCTAssertEqual(try TargetEncoding.fit(many, target: "y", rows: Array(0..<30), task: .classification).classes.count, 30)
    }

    func testARegressionTargetGivesItsNumbersAndRoundTripsInTheModelFile() throws {
        let data = try frame([1.5, 2.25, -3])
        let target = TargetEncoding(regressionColumn: "y")
        XCTAssertEqual(try target.values(data, rows: [2, 0]), [-3, 1.5])
        var w = BinaryWriter()
        target.encode(to: &w)
        var r = BinaryReader(w.bytes)
        XCTAssertEqual(try TargetEncoding(from: &r), target)
        XCTAssertTrue(r.isAtEnd)
    }
}
