#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `titanic` recipe: engineered features for the Kaggle Titanic columns.
///
/// Features, in order: `Pclass`; `Sex` one-hot; `Age` (missing → median age of the passenger's
/// title in the training rows, else the overall median); `SibSp`; `Parch`;
/// `FamilySize` = SibSp + Parch + 1; `IsAlone` (FamilySize = 1); `log1p(Fare)` (median-imputed);
/// `Title` one-hot (Mr, Mrs, Miss, Master, Rare — Mlle/Ms → Miss, Mme → Mrs, any other → Rare);
/// `Embarked` one-hot (most-frequent imputed); `CabinKnown`; `Deck` one-hot from the cabin's
/// first letter, grouped ABC (with T, the boat deck), DE, FG, and U for unknown.
/// PassengerId, Ticket and the raw Name and Cabin are not features.
enum TitanicFeatures {
    /// The raw columns the recipe reads, with the types it expects.
    static let columns: [(name: String, type: ColumnType)] = [
        ("Pclass", .integer), ("Name", .text), ("Sex", .text), ("Age", .real), ("SibSp", .integer),
        ("Parch", .integer), ("Fare", .real), ("Cabin", .text), ("Embarked", .text),
    ]

    static let fareFeature = "log1p(Fare)"

    /// The title in a name like "Braund, Mr. Owen Harris" (the words between the first comma and
    /// the next period), mapped to Mr, Mrs, Miss, Master or Rare; nil when the name has no title.
    static func title(fromName name: String) -> String? {
        guard let comma = name.firstIndex(of: ",") else { return nil }
        let rest = name[name.index(after: comma)...]
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        let raw = rest[..<dot].trimmingSpaces()
        guard !raw.isEmpty else { return nil }
        switch raw {
        case "Mr", "Mrs", "Miss", "Master": return String(raw)
        case "Mlle", "Ms": return "Miss"
        case "Mme": return "Mrs"
        default: return "Rare"
        }
    }

    /// Deck group from a cabin like "C85" ("ABC", "DE", "FG"), "U" when unknown.
    static func deck(fromCabin cabin: String?) -> String {
        guard let first = cabin?.trimmingSpaces().first else { return "U" }
        switch first {
        case "A", "B", "C", "T": return "ABC"
        case "D", "E": return "DE"
        case "F", "G": return "FG"
        default: return "U"
        }
    }

    /// The derived columns for every row of `input`, which holds `columns` with their expected types.
    static func derive(_ input: DataFrame) throws -> DataFrame {
        func numeric(_ name: String) throws -> [Double] {
            guard let c = input.column(named: name), c.type.isNumeric else {
                throw PreprocessError("the titanic recipe needs numeric column '\(name)'")
            }
            return c.numericValues
        }
        func text(_ name: String) throws -> Column {
            guard let c = input.column(named: name), c.type == .text else {
                throw PreprocessError("the titanic recipe needs text column '\(name)'")
            }
            return c
        }
        let n = input.rowCount
        let sibsp = try numeric("SibSp"), parch = try numeric("Parch"), fare = try numeric("Fare")
        let name = try text("Name"), cabin = try text("Cabin")
        let family = (0..<n).map { sibsp[$0] + parch[$0] + 1 }   // NaN stays NaN: imputed later
        let alone = family.map { $0.isNaN ? Double.nan : ($0 == 1 ? 1 : 0) }
        let logFare = fare.map { $0.isNaN ? Double.nan : log1p(Swift.max(0, $0)) }
        let titles = (0..<n).map { name.string($0).flatMap(title(fromName:)) }
        // Served records may spell categories differently ("Male", " s"): normalize as the data does.
        let sex = try text("Sex"), embarked = try text("Embarked")
        func normalized(_ c: Column, upper: Bool) -> Column {
            let levels = c.levels.map { l -> String in
                let t = String(l.trimmingSpaces())
                return upper ? t.uppercased() : t.lowercased()
            }
            return Column(name: c.name, strings: c.codes.map { $0 < 0 || levels[Int($0)].isEmpty ? nil : levels[Int($0)] })
        }
        let cabins = (0..<n).map { cabin.string($0) }

        return DataFrame(columns: [
            Column(name: "Pclass", type: .real, values: try numeric("Pclass")),
            normalized(sex, upper: false),
            Column(name: "Age", type: .real, values: try numeric("Age")),
            Column(name: "SibSp", type: .real, values: sibsp),
            Column(name: "Parch", type: .real, values: parch),
            Column(name: "FamilySize", type: .real, values: family),
            Column(name: "IsAlone", type: .real, values: alone),
            Column(name: fareFeature, type: .real, values: logFare),
            Column(name: "Title", strings: titles),
            normalized(embarked, upper: true),
            Column(name: "CabinKnown", type: .real, values: cabins.map { $0 == nil ? 0 : 1 }),
            Column(name: "Deck", strings: cabins.map(deck(fromCabin:))),
        ])
    }

    /// Fits the steps on the derived columns of the training rows.
    static func plan(_ derived: DataFrame) throws -> (steps: [FeatureStep], notes: [String]) {
        var steps: [FeatureStep] = []
        var notes: [String] = []
        let n = derived.rowCount
        for col in derived.columns {
            let missing = n - col.nonMissingCount
            if col.name == "Age" {
                let titles = derived.column(named: "Title")!
                guard let s = GroupMedianImputer.fit(column: "Age", values: col.numericValues, group: "Title",
                                                     groupValues: (0..<n).map { titles.string($0) }) else {
                    throw PreprocessError("the training rows have no Age at all — the titanic recipe needs some ages; use recipe=auto")
                }
                steps.append(.groupMedian(s))
                if missing > 0 {
                    let byTitle = zip(s.groups, s.medians).map { "\($0) \(AutoRecipe.format($1))" }.joined(separator: ", ")
                    notes.append("filled \(missing) missing Age with the median age of the passenger's title (\(byTitle))")
                }
            } else if col.type.isNumeric {
                guard let s = NumericImputer.fit(column: col.name, values: col.numericValues) else {
                    throw PreprocessError("the training rows have no value for \(col.name) — the titanic recipe needs it; use recipe=auto")
                }
                steps.append(.numeric(s))
                if missing > 0 {
                    notes.append("filled \(missing) missing \(col.name) with the training median \(AutoRecipe.format(s.fill))")
                }
            } else {
                guard let s = OneHotEncoder.fit(col) else {
                    throw PreprocessError("the training rows have no value for \(col.name) — the titanic recipe needs it; use recipe=auto")
                }
                steps.append(.oneHot(s))
                if missing > 0 {
                    notes.append("filled \(missing) missing \(col.name) with the most frequent value '\(s.fill)'")
                }
            }
        }
        notes.append("engineered Title (from Name), FamilySize, IsAlone, log1p(Fare), CabinKnown and Deck (from Cabin)")
        return (steps, notes)
    }
}

extension StringProtocol {
    /// Without leading and trailing ASCII spaces and tabs.
    fileprivate func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
