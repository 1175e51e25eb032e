/// One named column of a `DataFrame`.
///
/// Numeric columns (`integer`, `real`) hold their values as `Double`, with `.nan` for a missing value.
/// Text columns are dictionary-encoded: `codes[row]` indexes `levels`, `-1` marks a missing value,
/// and `levels` are in first-seen order.
public struct Column: Sendable {
    public let name: String
    public private(set) var type: ColumnType

    private var values: [Double]      // numeric columns only
    private var textCodes: [Int32]    // text columns only
    private var textLevels: [String]  // text columns only

    /// A numeric column. `type` must be `.integer` or `.real`; missing values are `.nan`.
    public init(name: String, type: ColumnType, values: [Double]) {
        precondition(type != .text, "use init(name:codes:levels:) or init(name:strings:) for text columns")
        self.name = name
        self.type = type
        self.values = values
        self.textCodes = []
        self.textLevels = []
    }

    /// A text column from codes into levels (`-1` = missing).
    public init(name: String, codes: [Int32], levels: [String]) {
        self.name = name
        self.type = .text
        self.values = []
        self.textCodes = codes
        self.textLevels = levels
    }

    /// A text column from optional strings (`nil` = missing); levels in first-seen order.
    public init(name: String, strings: [String?]) {
        var index: [String: Int32] = [:]
        var levels: [String] = []
        var codes: [Int32] = []
        codes.reserveCapacity(strings.count)
        for s in strings {
            guard let s else { codes.append(-1); continue }
            if let c = index[s] {
                codes.append(c)
            } else {
                let c = Int32(levels.count)
                index[s] = c
                levels.append(s)
                codes.append(c)
            }
        }
        self.init(name: name, codes: codes, levels: levels)
    }

    /// Number of rows.
    public var count: Int { type == .text ? textCodes.count : values.count }

    public func isMissing(_ row: Int) -> Bool {
        type == .text ? textCodes[row] < 0 : values[row].isNaN
    }

    /// The numeric value, or `nil` when missing or when the column is text.
    public func double(_ row: Int) -> Double? {
        guard type != .text else { return nil }
        let v = values[row]
        return v.isNaN ? nil : v
    }

    /// Display text for any column type; `nil` when missing. Integers print without ".0".
    public func string(_ row: Int) -> String? {
        switch type {
        case .text:
            let c = textCodes[row]
            return c < 0 ? nil : textLevels[Int(c)]
        case .integer:
            let v = values[row]
            return v.isNaN ? nil : Column.integerText(v)
        case .real:
            let v = values[row]
            return v.isNaN ? nil : "\(v)"
        }
    }

    /// Values of a numeric column (`.nan` = missing); empty for a text column.
    public var numericValues: [Double] { values }
    /// Codes of a text column (`-1` = missing); empty for a numeric column.
    public var codes: [Int32] { textCodes }
    /// Levels of a text column in first-seen order; empty for a numeric column.
    public var levels: [String] { textLevels }

    /// Number of non-missing values.
    public var nonMissingCount: Int {
        if type == .text {
            var n = 0
            for c in textCodes where c >= 0 { n += 1 }
            return n
        }
        var n = 0
        for v in values where !v.isNaN { n += 1 }
        return n
    }

    static func integerText(_ v: Double) -> String {
        if v.magnitude < 9.0e18 { return String(Int64(v)) }
        return "\(v)"
    }

    // MARK: - Conversions used by DataFrame.append

    /// This column converted to `type` (integer→real, numeric→text re-encoding numbers as their display text).
    func converted(to target: ColumnType) -> Column {
        if target == type { return self }
        switch (type, target) {
        case (.integer, .real), (.real, .integer):
            var c = self
            c.type = target
            return c
        case (.integer, .text), (.real, .text):
            var strings: [String?] = []
            strings.reserveCapacity(count)
            for row in 0..<count { strings.append(string(row)) }
            return Column(name: name, strings: strings)
        default:
            // text → numeric only happens for a column with no values (all missing).
            return Column(name: name, type: target, values: [Double](repeating: .nan, count: count))
        }
    }

    /// Appends the rows of `other`, which must already have the same type.
    mutating func appendRows(of other: Column) {
        precondition(other.type == type)
        if type != .text {
            values.append(contentsOf: other.values)
            return
        }
        var index: [String: Int32] = [:]
        index.reserveCapacity(textLevels.count)
        for (i, l) in textLevels.enumerated() where index[l] == nil { index[l] = Int32(i) }
        var map = [Int32](repeating: -1, count: other.textLevels.count)
        for (i, l) in other.textLevels.enumerated() {
            if let c = index[l] {
                map[i] = c
            } else {
                let c = Int32(textLevels.count)
                textLevels.append(l)
                index[l] = c
                map[i] = c
            }
        }
        textCodes.reserveCapacity(textCodes.count + other.textCodes.count)
        for c in other.textCodes { textCodes.append(c < 0 ? -1 : map[Int(c)]) }
    }
}
