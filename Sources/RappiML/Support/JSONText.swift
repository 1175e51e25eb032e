import Foundation

/// Minimal JSON writing with a fixed key order, for the `--json` line protocol.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func quote(_ s: String) -> String {
        // Most strings need no escaping: copy them whole.
        guard s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return "\"" + s + "\"" }
        var out = "\""
        out.reserveCapacity(s.utf8.count + 8)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The fields of a flat object as written by `object` (scalar values only), each value as
    /// its JSON text. Reading the text back — rather than through a JSON number parser — keeps
    /// doubles exactly as written, so recorded and fresh values compare byte for byte.
    public static func flatFields(_ json: String) -> [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = []
        let chars = Array(json.trimmingCharacters(in: .whitespaces))
        guard chars.first == "{", chars.last == "}" else { return [] }
        var i = 1
        func readString() -> String {
            var out = ""
            i += 1  // opening quote
            while i < chars.count, chars[i] != "\"" {
                if chars[i] == "\\", i + 1 < chars.count { out.append(chars[i]); i += 1 }
                out.append(chars[i]); i += 1
            }
            i += 1  // closing quote
            return out
        }
        while i < chars.count - 1 {
            while i < chars.count, chars[i] == "," || chars[i] == " " { i += 1 }
            guard i < chars.count - 1, chars[i] == "\"" else { break }
            let key = readString()
            while i < chars.count, chars[i] == ":" || chars[i] == " " { i += 1 }
            let start = i
            if i < chars.count, chars[i] == "\"" {
                _ = readString()
            } else {
                while i < chars.count - 1, chars[i] != "," { i += 1 }
            }
            fields.append((key, String(chars[start..<i])))
        }
        return fields
    }

    /// An object from already-encoded values, keys in the order given.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// An array from already-encoded values.
    public static func array(_ values: [String]) -> String {
        "[" + values.joined(separator: ",") + "]"
    }
}
