import RappiML

/// Writes JSON text by hand into a `String` — no Codable on the hot path.
struct JSONWriter {
    private(set) var text: String

    init(capacity: Int = 256) {
        text = ""
        text.reserveCapacity(capacity)
    }

    mutating func raw(_ s: String) { text += s }

    mutating func string(_ s: String) { text += JSONText.quote(s) }

    mutating func number(_ v: Int) { text += String(v) }

    /// A finite number with at most `decimals` decimals (shortest form, `DecimalText`); non-finite becomes null.
    mutating func number(_ v: Double, decimals: Int = DecimalText.probabilityDecimals) {
        text += DecimalText.string(v, decimals: decimals)
    }


    mutating func key(_ k: String) {
        string(k)
        text += ":"
    }
}

extension String {
    /// True when the text is a JSON number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`).
    var isJSONNumber: Bool {
        let b = Array(utf8)
        var i = 0
        func digits() -> Int { let s = i; while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }; return i - s }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") { i += 1; if digits() == 0 { return false } }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == b.count
    }
}
