import Foundation
import XCTest
@testable import RappiML

final class PreprocessTitanicTests: XCTestCase {
    typealias F = PreprocessFixtures

    /// scripts/data/titanic/ds_full/titanic.csv in the repository, found from this source file.
    static var path: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/data/titanic/ds_full/titanic.csv").path
    }

    static let expectedFeatures = [
        "Pclass", "Sex=female", "Sex=male", "Age", "SibSp", "Parch", "FamilySize", "IsAlone", "log1p(Fare)",
        "Title=Master", "Title=Miss", "Title=Mr", "Title=Mrs", "Title=Rare",
        "Embarked=C", "Embarked=Q", "Embarked=S", "CabinKnown", "Deck=ABC", "Deck=DE", "Deck=FG", "Deck=U",
    ]

    func titanic() throws -> DataFrame { try CSVReader.read(path: Self.path).frame }

    func testFeatureNamesInputsAndNoMissingValues() throws {
        let frame = try titanic()
        let p = try Preprocessor.fit(frame, rows: Array(0..<frame.rowCount), target: "Survived", recipe: .titanic, standardize: false)
        XCTAssertEqual(p.featureNames, Self.expectedFeatures)
        XCTAssertEqual(p.inputs, [
            InputColumn(name: "Pclass", type: .integer, completeInTraining: true), InputColumn(name: "Name", type: .text, completeInTraining: true),
            InputColumn(name: "Sex", type: .text, completeInTraining: true), InputColumn(name: "Age", type: .real, completeInTraining: false),
            InputColumn(name: "SibSp", type: .integer, completeInTraining: true), InputColumn(name: "Parch", type: .integer, completeInTraining: true),
            InputColumn(name: "Fare", type: .real, completeInTraining: true), InputColumn(name: "Cabin", type: .text, completeInTraining: false),
            InputColumn(name: "Embarked", type: .text, completeInTraining: false),
        ])
        XCTAssertEqual(p.notes.first, "ignored columns PassengerId, Ticket (not used by the titanic recipe)")
        let x = try p.transform(frame)
        XCTAssertEqual(x.rows, 891)
        XCTAssertFalse(x.values.contains { !$0.isFinite })

        // First passenger: "Braund, Mr. Owen Harris", male, 22, 1, 0, 7.25, no cabin, S.
        let row0 = (0..<x.columns).map { x[0, $0] }
        XCTAssertEqual(row0, [3, 0, 1, 22, 1, 0, 2, 0, log1p(7.25), 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        // Second: Mrs, 1st class, cabin C85, embarked C.
        XCTAssertEqual(F.column(x, "Title=Mrs")[1], 1)
        XCTAssertEqual(F.column(x, "Deck=ABC")[1], 1)
        XCTAssertEqual(F.column(x, "CabinKnown")[1], 1)
        XCTAssertEqual(F.column(x, "Embarked=C")[1], 1)
        // Each one-hot group sums to 1 on every row (no unseen categories in the training data).
        for prefix in ["Sex=", "Title=", "Embarked=", "Deck="] {
            let js = x.names.indices.filter { x.names[$0].hasPrefix(prefix) }
            for r in 0..<x.rows { XCTAssertEqual(js.reduce(0) { $0 + x[r, $1] }, 1, "\(prefix) row \(r)") }
        }
        // The two passengers without Embarked get the most frequent port, S.
        XCTAssertTrue(p.notes.contains("filled 2 missing Embarked with the most frequent value 'S'"))
    }

    func testTitleExtraction() {
        let cases: [(String, String?)] = [
            ("Braund, Mr. Owen Harris", "Mr"),
            ("Cumings, Mrs. John Bradley (Florence Briggs Thayer)", "Mrs"),
            ("Heikkinen, Miss. Laina", "Miss"),
            ("Palsson, Master. Gosta Leonard", "Master"),
            ("Sagesser, Mlle. Emma", "Miss"),
            ("Reynaldo, Ms. Encarnacion", "Miss"),
            ("Aubart, Mme. Leontine Pauline", "Mrs"),
            ("Uruchurtu, Don. Manuel E", "Rare"),
            ("Rothes, the Countess. of (Lucy Noel Martha Dyer-Edwards)", "Rare"),
            ("Minahan, Dr. William Edward", "Rare"),
            ("Crosby, Capt. Edward Gifford", "Rare"),
            ("No Title Here", nil),
            ("Comma, but no period", nil),
        ]
        for (name, title) in cases { XCTAssertEqual(TitanicFeatures.title(fromName: name), title, name) }
        XCTAssertEqual(TitanicFeatures.deck(fromCabin: "C85"), "ABC")
        XCTAssertEqual(TitanicFeatures.deck(fromCabin: "T"), "ABC")
        XCTAssertEqual(TitanicFeatures.deck(fromCabin: "E46"), "DE")
        XCTAssertEqual(TitanicFeatures.deck(fromCabin: "F G73"), "FG")
        XCTAssertEqual(TitanicFeatures.deck(fromCabin: nil), "U")
    }

    func testTitleCountsOnTheRealFile() throws {
        let frame = try titanic()
        let names = frame.column(named: "Name")!
        var counts: [String: Int] = [:]
        for r in 0..<frame.rowCount { counts[TitanicFeatures.title(fromName: names.string(r)!) ?? "none", default: 0] += 1 }
        XCTAssertEqual(counts, ["Mr": 517, "Miss": 185, "Mrs": 126, "Master": 40, "Rare": 23])
    }

    /// Missing ages get the median age of the passenger's title over the training rows only.
    func testAgeImputedByTitleMedianOfTrainingRows() throws {
        let frame = try titanic()
        let train = (0..<frame.rowCount).filter { $0 % 3 != 0 }
        let p = try Preprocessor.fit(frame, rows: train, target: "Survived", recipe: .titanic, standardize: false)
        let x = try p.transform(frame)
        let ages = frame.column(named: "Age")!.numericValues
        let names = frame.column(named: "Name")!
        let titles = (0..<frame.rowCount).map { TitanicFeatures.title(fromName: names.string($0)!)! }

        func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        var expected: [String: Double] = [:]
        for t in ["Master", "Miss", "Mr", "Mrs", "Rare"] {
            expected[t] = median(train.filter { titles[$0] == t && !ages[$0].isNaN }.map { ages[$0] })
        }
        let age = F.column(x, "Age")
        var checked = Set<String>()
        for r in 0..<frame.rowCount {
            if ages[r].isNaN {
                XCTAssertEqual(age[r], expected[titles[r]]!, "row \(r) (\(titles[r]))")
                checked.insert(titles[r])
            } else {
                XCTAssertEqual(age[r], ages[r])
            }
        }
        XCTAssertEqual(checked, ["Master", "Miss", "Mr", "Mrs", "Rare"])
        XCTAssertLessThan(expected["Master"]!, 10)   // boys: the reason to impute by title
    }

    func testStandardizedNumericFeaturesOnTrainingRows() throws {
        let frame = try titanic()
        let train = Array(0..<600)
        let p = try Preprocessor.fit(frame, rows: train, target: "Survived", recipe: .titanic, standardize: true)
        XCTAssertTrue(p.notes.contains("standardized 8 numeric features (training mean and standard deviation)"), "\(p.notes)")
        let x = try p.transform(frame, rows: train)
        for name in ["Pclass", "Age", "SibSp", "Parch", "FamilySize", "IsAlone", "log1p(Fare)", "CabinKnown"] {
            let v = F.column(x, name)
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-9, name)
            XCTAssertEqual(variance, 1, accuracy: 1e-9, name)
        }
        XCTAssertTrue(F.column(x, "Title=Mr").allSatisfy { $0 == 0 || $0 == 1 })
    }

    func testTransformWithoutTargetMatches() throws {
        let frame = try titanic()
        let p = try Preprocessor.fit(frame, rows: Array(0..<700), target: "Survived", recipe: .titanic, standardize: true)
        let withoutTarget = DataFrame(columns: frame.columns.filter { $0.name != "Survived" })
        XCTAssertEqual(try p.transform(withoutTarget, rows: Array(700..<891)), try p.transform(frame, rows: Array(700..<891)))
        // Only the columns the recipe reads matter; the others may be absent.
        let minimal = DataFrame(columns: ["Pclass", "Name", "Sex", "SibSp", "Parch", "Fare"].map { frame.column(named: $0)! })
        let x = try p.transform(minimal)
        XCTAssertFalse(x.values.contains { !$0.isFinite })
        // Every other input absent: imputed as learned (Fare's median, the most frequent Sex, …).
        let onlyClass = try p.transform(DataFrame(columns: [frame.column(named: "Pclass")!]))
        XCTAssertFalse(onlyClass.values.contains { !$0.isFinite })
    }

    func testTitanicRecipeNeedsItsColumns() throws {
        let frame = try titanic()
        let noName = DataFrame(columns: frame.columns.filter { $0.name != "Name" })
        XCTAssertEqual(F.message { _ = try Preprocessor.fit(noName, rows: [0, 1, 2], target: "Survived", recipe: .titanic, standardize: false) },
                       "the titanic recipe needs column 'Name', which is not in the data — use recipe=auto for other data")
    }

    func testAutoRecipeOnTitanic() throws {
        let frame = try titanic()
        let p = try Preprocessor.fit(frame, rows: Array(0..<frame.rowCount), target: "Survived", recipe: .auto, standardize: true)
        XCTAssertEqual(p.featureNames, ["Pclass", "Sex=female", "Sex=male", "Age", "SibSp", "Parch", "Fare",
                                        "Embarked=C", "Embarked=Q", "Embarked=S"])
        XCTAssertEqual(p.notes.prefix(4), [
            "dropped ID-like column PassengerId (unique per row)",
            "dropped ID-like column Name (unique per row)",
            "dropped high-cardinality text column Ticket (681 distinct values in 891 rows)",
            "dropped high-cardinality text column Cabin (147 distinct values in 204 rows)",
        ])
        XCTAssertFalse(try p.transform(frame).values.contains { !$0.isFinite })
    }
}

extension PreprocessTitanicTests {
    func testServedSpellingsOfSexAndEmbarkedAreNormalized() throws {
        let frame = try titanic()
        let p = try Preprocessor.fit(frame, rows: Array(0..<891), target: "Survived", recipe: .titanic, standardize: false)
        let record: [String: Any?] = ["Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "Male", "Age": 22,
                                      "SibSp": 1, "Parch": 0, "Fare": 7.25, "Embarked": " s"]
        let x = try p.transform(try RecordFrame.make(records: [record], inputs: p.inputs))
        XCTAssertEqual(x, try p.transform(frame, rows: [0]))
    }
}
