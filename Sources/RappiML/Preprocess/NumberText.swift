/// Numbers and text in input records: reading numbers that arrive as text (a CSV column that
/// became text, a JSON string "22"), and the text of a number given for a text input.
enum NumberText {
    /// The canonical text of a number given for a text field: integers without a fraction
    /// (`7`, also for `7.0`), others in their shortest round-trip form (`2.5`).
    static func display(_ v: Double) -> String {
        v == v.rounded() && v.magnitude < 9.0e15 ? Column.integerText(v) : "\(v)"
    }

    /// The finite number `text` spells (ASCII spaces/tabs around it ignored), else nil.
    /// `nan`, `inf` and the like are not numbers here, as in the CSV reader.
    static func parse(_ text: String) -> Double? {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        guard let first = s.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: ".") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return nil
        }
        guard let v = Double(s), v.isFinite else { return nil }
        return v
    }
}
