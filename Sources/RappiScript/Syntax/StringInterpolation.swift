/// Inside a double-quoted string, `$name` and `${name}` take the value of `name` (a parameter,
/// variable or published value), as in a shell. A literal dollar is written `\$`, which the lexer
/// keeps as `$$`; a `$` not followed by a name (`"$5"`) stays as it is. Single-quoted strings are
/// literal: the lexer doubles every `$` in them.
enum StringInterpolation {
    enum Part: Equatable {
        case text(String)
        case name(String)
    }

    /// The string cut into literal text and the names it refers to, in order.
    static func parts(of text: String) -> [Part] {
        guard text.contains("$") else { return [.text(text)] }
        let bytes = Array(text.utf8)
        var parts: [Part] = []
        var literal: [UInt8] = []
        var i = 0
        func flush() { if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))); literal = [] } }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count else { literal.append(bytes[i]); i += 1; continue }
            let next = bytes[i + 1]
            if next == UInt8(ascii: "$") {
                literal.append(next); i += 2
            } else if next == UInt8(ascii: "{"), let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")),
                      close > i + 2, bytes[(i + 2)..<close].allSatisfy(Lexer.isNameByte) {
                flush(); parts.append(.name(String(decoding: bytes[(i + 2)..<close], as: UTF8.self))); i = close + 1
            } else if Self.startsName(next) {
                var end = i + 1
                while end < bytes.count, Lexer.isNameByte(bytes[end]) { end += 1 }
                flush(); parts.append(.name(String(decoding: bytes[(i + 1)..<end], as: UTF8.self))); i = end
            } else {
                literal.append(bytes[i]); i += 1
            }
        }
        flush()
        return parts
    }

    /// The names a string refers to, in order.
    static func names(in text: String) -> [String] {
        parts(of: text).compactMap { if case .name(let name) = $0 { return name }; return nil }
    }

    /// The string with each name replaced by its value; the first name `lookup` does not know is returned as `undefined`.
    static func interpolate(_ text: String, lookup: (String) -> Value?) -> (text: String, undefined: String?) {
        var out = ""
        for part in parts(of: text) {
            switch part {
            case .text(let literal): out += literal
            case .name(let name):
                guard let value = lookup(name) else { return (out, name) }
                out += value.description
            }
        }
        return (out, nil)
    }

    private static func startsName(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }
}
