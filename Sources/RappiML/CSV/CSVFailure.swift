/// An internal parse failure located by byte offset; converted to a `CSVError` (with physical
/// line and character column) only when it is reported, so the hot loops never count lines.
struct CSVFailure: Sendable {
    enum Kind: Sendable {
        case emptyFile
        case tooManyFields(found: Int, expected: Int)
        case tooFewFields(found: Int, expected: Int)
        case unterminatedQuote
        case strayQuote
        case junkAfterClosingQuote
        case invalidUTF8
        case emptyHeaderName(column: Int)
        case duplicateHeaderName(name: String, first: Int, second: Int)
        case otherSeparator(String)
        case cancelled
    }

    /// Byte offset in the whole input (including any BOM) where the problem is.
    var offset: Int
    var kind: Kind

    func error(file: String, bytes: UnsafePointer<UInt8>, count: Int) -> CSVError {
        let (problem, hint) = message
        if case .cancelled = kind {
            return CSVError(file: file, line: 0, column: 0, problem: problem, hint: hint)
        }
        let (line, column) = CSVFailure.locate(offset: Swift.min(offset, count), in: bytes, count: count)
        return CSVError(file: file, line: line, column: column, problem: problem, hint: hint)
    }

    var message: (String, String) {
        switch kind {
        case .emptyFile:
            return ("file is empty", "a CSV needs a header line")
        case let .tooManyFields(found, expected):
            return ("row has \(found) fields but the header has \(expected)",
                    "check for an unquoted comma in this row (quote fields that contain commas) or an extra field")
        case let .tooFewFields(found, expected):
            return ("row has \(found) field\(found == 1 ? "" : "s") but the header has \(expected)",
                    "check for a missing field or a line break inside an unquoted field")
        case .unterminatedQuote:
            return ("quoted field opened here is never closed",
                    "add the closing quote, and write a quote inside a quoted field as two quotes (\"\")")
        case .strayQuote:
            return ("quote inside an unquoted field",
                    "quote the whole field and double the quotes inside it, e.g. \"5'10\"\"\"")
        case .junkAfterClosingQuote:
            return ("unexpected character after a closing quote",
                    "a quoted field must end right at a comma or line end; write a quote inside it as two quotes (\"\")")
        case .invalidUTF8:
            return ("invalid UTF-8 byte", "save the file as UTF-8")
        case let .emptyHeaderName(column):
            return ("header column \(column) has no name", "give every column a name")
        case let .duplicateHeaderName(name, first, second):
            return ("header name '\(name)' appears in columns \(first) and \(second)", "column names must be unique")
        case let .otherSeparator(separator):
            let shown = separator == "\t" ? "tabs" : "'\(separator)'"
            return ("the header is a single column that contains \(shown) — the file looks separated by \(shown), not commas",
                    "rappi reads comma-separated files: save it as CSV with commas (a spreadsheet's \"CSV, comma-delimited\")")
        case .cancelled:
            return ("cancelled", "reading was stopped on request")
        }
    }

    /// 1-based physical line (LF, CRLF and lone CR each end a line) and 1-based character column.
    static func locate(offset: Int, in bytes: UnsafePointer<UInt8>, count: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var i = 0
        while i < offset {
            let c = bytes[i]
            if c == 10 || (c == 13 && !(i + 1 < count && bytes[i + 1] == 10)) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        var column = 1
        var j = lineStart
        if lineStart == 0 && offset >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { j = 3 }
        while j < offset {
            if bytes[j] & 0xC0 != 0x80 { column += 1 }
            j += 1
        }
        return (line, column)
    }
}
