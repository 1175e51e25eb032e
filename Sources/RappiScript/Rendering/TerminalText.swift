/// Text from data (CSV cells, names) made safe to print on a terminal: control characters are
/// shown escaped, so an escape sequence in a file cannot move the cursor, retitle the window or
/// hide output.
public enum TerminalText {
    /// `\e`, `\r`, `\t`, `\n` for the common ones, `\x07` for other C0 controls and DEL, `\u{9B}`
    /// for C1 controls (which some terminals also obey); everything else unchanged.
    public static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar.value {
            case 0x1B: out += "\\e"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x00...0x1F, 0x7F: out += "\\x" + hex(scalar.value, digits: 2)
            default: out += "\\u{" + hex(scalar.value, digits: 2) + "}"
            }
        }
        return out
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
