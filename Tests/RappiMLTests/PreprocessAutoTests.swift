import XCTest
@testable import RappiML

/// Small hand-made frames for the preprocessing tests.
enum PreprocessFixtures {
    static func num(_ name: String, _ values: [Double?], type: ColumnType = .real) -> Column {
        Column(name: name, type: type, values: values.map { $0 ?? .nan })
    }

    static func text(_ name: String, _ values: [String?]) -> Column {
        Column(name: name, strings: values)
    }

    /// The thrown error's text (fails the test when nothing is thrown).
    static func message(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> String {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    static func column(_ x: FeatureMatrix, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> [Double] {
        guard let j = x.names.firstIndex(of: name) else {
            XCTFail("no feature \(name) in \(x.names)", file: file, line: line)
            return []
        }
        return (0..<x.rows).map { x[$0, j] }
    }
}

final class PreprocessAutoTests: XCTestCase {
    typealias F = PreprocessFixtures

    func testMedianImputationUsesFitRowsOnly() throws {
        // Rows 4 and 5 are not training rows: their large values must not move the median.
        let frame = DataFrame(columns: [
            F.num("x", [1, 2, 3, nil, 100, 200, nil]),
            F.num("y", [0, 1, 0, 1, 0, 1, 0], type: .integer),
        ])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2, 3], target: "y", recipe: .auto, standardize: false)
        XCTAssertEqual(p.featureNames, ["x"])
        let x = try p.transform(frame)
        XCTAssertEqual(F.column(x, "x"), [1, 2, 3, 2, 100, 200, 2])
        XCTAssertTrue(p.notes.contains("filled 1 missing x with the training median 2"), "\(p.notes)")

        // Even number of training values: the mean of the two middle ones.
        let q = try Preprocessor.fit(frame, rows: [0, 1, 2, 4, 6], target: "y", recipe: .auto, standardize: false)
        XCTAssertEqual(try q.transform(frame, rows: [3, 6]).values, [2.5, 2.5])
    }

    func testStandardizationUsesFitRowsMeanAndPopulationStd() throws {
        let frame = DataFrame(columns: [
            F.num("a", [1, 2, 3, 4, 50]),
            F.num("c", [7, 7, 7, 7, 8]),
            F.text("k", ["u", "v", "u", "v", "u"]),
            F.text("t", ["p", "q", "p", "q", "q"]),
        ])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2, 3], target: "t", recipe: .auto, standardize: true)
        XCTAssertEqual(p.featureNames, ["a", "c", "k=u", "k=v"])
        XCTAssertTrue(p.notes.contains("standardized 2 numeric features (training mean and standard deviation)"), "\(p.notes)")
        let x = try p.transform(frame)
        let std = 1.25.squareRoot()   // population std of 1, 2, 3, 4
        let a = F.column(x, "a")
        for (got, raw) in zip(a, [1.0, 2, 3, 4, 50]) { XCTAssertEqual(got, (raw - 2.5) / std, accuracy: 1e-12) }
        // A constant training column has std 0: it is centered and scaled by 1.
        XCTAssertEqual(F.column(x, "c"), [0, 0, 0, 0, 1])
        // One-hot features are left as 0/1.
        XCTAssertEqual(F.column(x, "k=u"), [1, 0, 1, 0, 1])

        let plain = try Preprocessor.fit(frame, rows: [0, 1, 2, 3], target: "t", recipe: .auto, standardize: false)
        XCTAssertEqual(F.column(try plain.transform(frame), "a"), [1, 2, 3, 4, 50])
        XCTAssertFalse(plain.notes.contains { $0.hasPrefix("standardized") })
    }

    func testOneHotSortedCategoriesUnseenIsZerosMissingIsMostFrequent() throws {
        let frame = DataFrame(columns: [
            F.text("color", ["red", "blue", "red", nil, "green", "blue"]),
            F.num("y", [0, 1, 0, 1, 0, 1], type: .integer),
        ])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2, 3], target: "y", recipe: .auto, standardize: true)
        XCTAssertEqual(p.featureNames, ["color=blue", "color=red"])   // sorted; green never seen in training
        let x = try p.transform(frame)
        XCTAssertEqual(x.values, [0, 1,   1, 0,   0, 1,   0, 1,   0, 0,   1, 0])
        XCTAssertTrue(p.notes.contains("filled 1 missing color with the most frequent value 'red'"), "\(p.notes)")
        XCTAssertEqual(p.inputs, [InputColumn(name: "color", type: .text, completeInTraining: false)])
    }

    func testMostFrequentTieGoesToFirstSeenTrainingValue() throws {
        let frame = DataFrame(columns: [
            F.text("k", ["a", "b", "b", "a", "a", nil]),
            F.num("y", [0, 1, 0, 1, 0, 1]),
        ])
        // Training rows 1…4 hold b, b, a, a: a tie, and b is seen first.
        let p = try Preprocessor.fit(frame, rows: [1, 2, 3, 4], target: "y", recipe: .auto, standardize: false)
        XCTAssertEqual(try p.transform(frame, rows: [5]).values, [0, 1])
    }

    func testIDLikeAndHighCardinalityColumnsAreDroppedWithNotes() throws {
        let n = 120
        let frame = DataFrame(columns: [
            F.num("PassengerId", (0..<n).map { Double($0 + 1) }, type: .integer),
            F.text("Name", (0..<n).map { "person \($0)" }),
            F.text("Ticket", (0..<n).map { "T\($0 % 70)" }),            // 70 distinct in 120 rows
            F.num("Income", (0..<n).map { Double(1000 + 37 * $0) }, type: .integer),  // unique but not dense
            F.text("Port", (0..<n).map { ["S", "C", "Q"][$0 % 3] }),
            F.num("y", (0..<n).map { Double($0 % 2) }, type: .integer),
        ])
        let p = try Preprocessor.fit(frame, rows: Array(0..<100), target: "y", recipe: .auto, standardize: false)
        XCTAssertEqual(p.featureNames, ["Income", "Port=C", "Port=Q", "Port=S"])
        XCTAssertEqual(p.inputs.map(\.name), ["Income", "Port"])
        XCTAssertTrue(p.notes.contains("dropped ID-like column PassengerId (unique per row)"), "\(p.notes)")
        XCTAssertTrue(p.notes.contains("dropped ID-like column Name (unique per row)"), "\(p.notes)")
        XCTAssertTrue(p.notes.contains("dropped high-cardinality text column Ticket (70 distinct values in 100 rows)"), "\(p.notes)")

        // In a tiny table distinct values are not enough to call a column an ID, but an ID name is.
        let small = DataFrame(columns: [
            F.num("id", [10, 11, 12, 13], type: .integer),
            F.num("rooms", [1, 2, 3, 4], type: .integer),
            F.text("city", ["a", "b", "c", "d"]),
            F.num("y", [0, 1, 0, 1], type: .integer),
        ])
        let q = try Preprocessor.fit(small, rows: [0, 1, 2, 3], target: "y", recipe: .auto, standardize: false)
        XCTAssertEqual(q.featureNames, ["rooms", "city=a", "city=b", "city=c", "city=d"])
        XCTAssertTrue(q.notes.contains("dropped ID-like column id (unique per row)"), "\(q.notes)")
    }

    func testTransformWithoutTargetAndWithExtraColumns() throws {
        let frame = DataFrame(columns: [
            F.num("a", [1, nil, 3, 4]),
            F.text("k", ["x", "y", "x", nil]),
            F.num("y", [0, 1, 0, 1], type: .integer),
        ])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2, 3], target: "y", recipe: .auto, standardize: true)
        XCTAssertEqual(p.target, "y")
        XCTAssertEqual(p.inputs, [InputColumn(name: "a", type: .real, completeInTraining: false),
                                  InputColumn(name: "k", type: .text, completeInTraining: false)])
        // Columns in another order, no target, an extra column.
        let serving = DataFrame(columns: [
            F.text("extra", ["e", "e", "e", "e"]),
            F.text("k", ["x", "y", "x", nil]),
            F.num("a", [1, nil, 3, 4]),
        ])
        XCTAssertEqual(try p.transform(serving), try p.transform(frame))
        XCTAssertEqual(try p.transform(serving, rows: [2, 0]), try p.transform(frame).selecting(rows: [2, 0]))
    }

    func testAnAbsentColumnIsImputedEvenWhenEveryTrainingRowHadIt() throws {
        let frame = DataFrame(columns: [
            F.num("Age", [20, 30, 40]), F.text("Sex", ["m", "f", "m"]), F.num("y", [0, 1, 1]),
        ])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2], target: "y", recipe: .auto, standardize: false)
        XCTAssertEqual(p.inputs.map(\.completeInTraining), [true, true])
        // Features: Age (median 30), Sex=f, Sex=m (most frequent: m).
        XCTAssertEqual(try p.transform(DataFrame(columns: [F.text("Sex", ["f"])])).values, [30, 1, 0])
        XCTAssertEqual(try p.transform(DataFrame(columns: [F.num("z", [1])])).values, [30, 0, 1])
        // The same as a missing value in a column that is there.
        XCTAssertEqual(try p.transform(DataFrame(columns: [F.num("Age", [nil]), F.text("Sex", [nil])])).values, [30, 0, 1])
    }

    func testAbsentOptionalColumnIsImputed() throws {
        let frame = DataFrame(columns: [F.num("a", [1, nil, 5]), F.num("b", [1, 2, 3]), F.num("y", [0, 1, 1])])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2], target: "y", recipe: .auto, standardize: false)
        let x = try p.transform(DataFrame(columns: [F.num("b", [9])]))
        XCTAssertEqual(x.values, [3, 9])
    }

    func testNumbersArrivingAsText() throws {
        let frame = DataFrame(columns: [F.num("Age", [20, 30, 40]), F.text("k", ["a", "b", "a"]), F.num("y", [0, 1, 1])])
        let p = try Preprocessor.fit(frame, rows: [0, 1, 2], target: "y", recipe: .auto, standardize: false)
        // Text that spells numbers is accepted; a numeric column for a text input uses its display text.
        let ok = DataFrame(columns: [F.text("Age", ["22", " 7.5", nil]), F.num("k", [1, 2, 3], type: .integer)])
        XCTAssertEqual(try p.transform(ok).values, [22, 0, 0,   7.5, 0, 0,   30, 0, 0])
        let bad = DataFrame(columns: [F.text("Age", ["22", "abc", "x"]), F.text("k", ["a", "a", "a"])])
        XCTAssertEqual(F.message { _ = try p.transform(bad) },
                       "column 'Age' must hold numbers (real), but row 1 has 'abc' — fix or remove that value")
        // Rows are reported as the caller's row indices.
        XCTAssertTrue(F.message { _ = try p.transform(bad, rows: [0, 2]) }.contains("row 2 has 'x'"))
    }

    func testFitErrors() throws {
        let frame = DataFrame(columns: [F.num("y", [0, 1, 1]), F.num("a", [1, 2, 3])])
        XCTAssertEqual(F.message { _ = try Preprocessor.fit(frame, rows: [0, 1], target: "Y2", recipe: .auto, standardize: false) },
                       "target column 'Y2' is not in the data — did you mean 'y'?")
        XCTAssertEqual(F.message { _ = try Preprocessor.fit(frame, rows: [0, 5], target: "y", recipe: .auto, standardize: false) },
                       "row 5 is out of range: the data has 3 rows")
        let onlyTarget = DataFrame(columns: [F.num("y", [0, 1, 1]), F.num("empty", [nil, nil, nil])])
        XCTAssertTrue(F.message { _ = try Preprocessor.fit(onlyTarget, rows: [0, 1, 2], target: "y", recipe: .auto, standardize: false) }
            .hasPrefix("no usable feature columns besides the target 'y' (dropped column empty (no values in the training rows))"))
        XCTAssertEqual(F.message { _ = try Preprocessor.fit(frame, rows: [0, 1], target: "y", recipe: .titanic, standardize: false) },
                       "the titanic recipe needs columns 'Pclass', 'Name', 'Sex', 'Age', 'SibSp', 'Parch', 'Fare', 'Cabin', 'Embarked', which are not in the data — use recipe=auto for other data")
    }

    func testFeaturesDoNotDependOnRowOrder() throws {
        let a = DataFrame(columns: [F.text("k", ["q", "p", "r", "p"]), F.num("v", [4, 3, 2, 1]), F.num("y", [0, 1, 0, 1])])
        let b = DataFrame(columns: [F.text("k", ["p", "r", "p", "q"]), F.num("v", [1, 2, 3, 4]), F.num("y", [1, 0, 1, 0])])
        let pa = try Preprocessor.fit(a, rows: [0, 1, 2, 3], target: "y", recipe: .auto, standardize: true)
        let pb = try Preprocessor.fit(b, rows: [0, 1, 2, 3], target: "y", recipe: .auto, standardize: true)
        XCTAssertEqual(pa.featureNames, ["k=p", "k=q", "k=r", "v"])
        XCTAssertEqual(pa.featureNames, pb.featureNames)
        XCTAssertEqual(try pa.transform(a), try pb.transform(a))
    }
}
