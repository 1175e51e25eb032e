/// Numbers and text in input records: reading numbers that arrive as text (a CSV column that
/// became text, a JSON string "22"), and the text of a number given for a text input.
public enum NumberText {
    /// The canonical text of a number given for a text field: integers without a fraction
    /// (`7`, also for `7.0`), others in their shortest round-trip form (`2.5`).
    static func display(_ v: Double) -> String {
        v == v.rounded() && v.magnitude < 9.0e15 ? Column.integerText(v) : "\(v)"
    }

    /// The finite number `text` spells (ASCII spaces/tabs around it ignored), else nil.
    /// `nan`, `inf` and the like are not numbers here, as in the CSV reader; nor are hexadecimal
    /// or other spellings outside `decimalPattern`, which the model servers' OpenAPI documents give.
    static func parse(_ text: String) -> Double? {
        guard let s = decimal(text, integerOnly: false), let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// The finite integer value `text` spells in `integerPattern`, else nil.
    static func parseInteger(_ text: String) -> Double? {
        guard let s = decimal(text, integerOnly: true), let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// Text for a number: an optional sign, up to 200 digits with an optional fraction, an optional
    /// exponent of one or two digits, blanks around; or the empty string (a missing value). The
    /// bounds keep every such text finite, so the pattern says exactly what is accepted.
    /// ECMA-262 syntax, for OpenAPI.
    public static let decimalPattern = #"^$|^[ \t]*[+-]?([0-9]{1,200}(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,2})?[ \t]*$"#
    /// Text for an integer: an optional sign and up to 200 digits, blanks around; or the empty string.
    public static let integerPattern = #"^$|^[ \t]*[+-]?[0-9]{1,200}[ \t]*$"#
    private static let maxIntegerDigits = 200, maxExponentDigits = 2

    /// `text` without its blanks when it has the shape of `decimalPattern` (`integerPattern`), else nil.
    private static func decimal(_ text: String, integerOnly: Bool) -> Substring? {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        let bytes = Array(s.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        let whole = digits()
        guard whole <= maxIntegerDigits else { return nil }
        var fraction = 0
        if !integerOnly, i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            fraction = digits()
        }
        guard whole + fraction > 0 else { return nil }
        if !integerOnly, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard (1...maxExponentDigits).contains(digits()) else { return nil }
        }
        return i == bytes.count ? s : nil
    }
}
