/// Turns script text into tokens. `#` starts a comment that runs to the end of the line;
/// `;` and newlines separate statements, except inside `{ … }`, which is kept verbatim as one
/// block token (pipeline bodies, JSON records).
public struct Lexer {
    public enum Failure: Error, Equatable {
        case error(ScriptError)
        /// The text ends inside a `{ … }` block: the REPL asks for more lines.
        case incompleteBlock(ScriptError)
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    // The column of byte `columnIndex` on the current line, advanced as the lexer moves on, so a
    // position costs the bytes since the last one — not the whole line (40,000 statements on one
    // line were quadratic).
    private var columnIndex = 0
    private var column = 1

    public init(_ source: String) { bytes = Array(source.utf8) }

    public static func tokenize(_ source: String) throws(Failure) -> [Token] {
        var lexer = Lexer(source)
        return try lexer.tokens()
    }

    private var position: SourcePosition {
        mutating get {
            if columnIndex < lineStart { (columnIndex, column) = (lineStart, 1) }
            // Columns count characters, not bytes, so they match what an editor shows.
            while columnIndex < index {
                if (bytes[columnIndex] & 0xC0) != 0x80 { column += 1 }
                columnIndex += 1
            }
            return SourcePosition(line: line, column: column)
        }
    }

    private static let wordBreakers: Set<UInt8> = Set(" \t\r\n;=\"{}(),$".utf8)

    public mutating func tokens() throws(Failure) -> [Token] {
        var tokens: [Token] = []
        while index < bytes.count {
            let byte = bytes[index]
            let start = index
            let startPosition = position
            func emit(_ kind: TokenKind, inner: SourcePosition? = nil) {
                var token = Token(kind: kind, position: startPosition, start: start, end: index)
                token.innerPosition = inner
                tokens.append(token)
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                emit(.separator)
                line += 1
                lineStart = index
            case UInt8(ascii: ";"):
                index += 1
                emit(.separator)
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "="):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                    index += 1
                    emit(.word("=="))
                } else {
                    emit(.equals)
                }
            case UInt8(ascii: "("): index += 1; emit(.leftParen)
            case UInt8(ascii: ")"): index += 1; emit(.rightParen)
            case UInt8(ascii: ","): index += 1; emit(.comma)
            case UInt8(ascii: "\""):
                emit(.string(try readString()))
            case UInt8(ascii: "'"):
                emit(.string(try readLiteralString()))
            case UInt8(ascii: "$"):
                index += 1
                let nameStart = index
                while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
                guard index > nameStart else {
                    throw .error(ScriptError("'$' must be followed by a variable name, as in $version", at: startPosition))
                }
                emit(.variable(String(decoding: bytes[nameStart..<index], as: UTF8.self)))
            case UInt8(ascii: "{"):
                let (text, inner) = try readBlock()
                emit(.block(text), inner: inner)
            case UInt8(ascii: "}"):
                throw .error(ScriptError("unexpected '}' — there is no open '{' to close", at: startPosition))
            default:
                // Comparison operators: `!=`, `<=`, `>=` are words even though `=` breaks words.
                if [UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">")].contains(byte) {
                    index += 1
                    if index < bytes.count, bytes[index] == UInt8(ascii: "=") { index += 1 }
                    if index >= bytes.count || Self.wordBreakers.contains(bytes[index]) {
                        emit(.word(String(decoding: bytes[start..<index], as: UTF8.self)))
                        continue
                    }
                }
                while index < bytes.count, !Self.wordBreakers.contains(bytes[index]) { index += 1 }
                emit(.word(String(decoding: bytes[start..<index], as: UTF8.self)))
            }
        }
        return tokens
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    private mutating func readString() throws(Failure) -> String {
        let open = position
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\") where index + 1 < bytes.count:
                let next = bytes[index + 1]
                switch next {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(next)
                case UInt8(ascii: "$"): out += [next, next]  // `$$`: a literal dollar (see StringInterpolation)
                default: out.append(byte); out.append(next)
                }
                index += 2
            case UInt8(ascii: "\n"):
                throw .error(ScriptError("unterminated string — close it with \" before the end of the line", at: open))
            default:
                out.append(byte)
                index += 1
            }
        }
        throw .error(ScriptError("unterminated string — close it with \" before the end of the line", at: open))
    }

    /// Reads a `'single-quoted'` string: literal, as in a shell — no escapes, no `$name`s (every `$`
    /// is kept doubled, which `StringInterpolation` reads as a literal dollar).
    private mutating func readLiteralString() throws(Failure) -> String {
        let open = position
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "'"): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\n"): throw .error(ScriptError("unterminated string — close it with ' before the end of the line", at: open))
            case UInt8(ascii: "$"): out += [byte, byte]
            default: out.append(byte)
            }
        }
        throw .error(ScriptError("unterminated string — close it with ' before the end of the line", at: open))
    }

    /// Reads `{ … }` up to the matching brace, honouring nested braces and quoted strings.
    private mutating func readBlock() throws(Failure) -> (String, SourcePosition) {
        let open = position
        index += 1
        let innerStart = index
        let inner = position
        var depth = 1
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 {
                        let text = String(decoding: bytes[innerStart..<index], as: UTF8.self)
                        index += 1
                        return (text, inner)
                    }
                case UInt8(ascii: "#"):
                    // A comment inside a block may mention braces; skip it to the end of the line.
                    if index == innerStart || [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n")].contains(bytes[index - 1]) {
                        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                        continue
                    }
                default: break
                }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        throw .incompleteBlock(ScriptError("'{' is never closed — add a matching '}'", at: open))
    }
}
