/// A problem found while reading a CSV file, located by physical line and column.
public struct CSVError: Error, CustomStringConvertible, Sendable {
    public let file: String
    /// 1-based physical line (counting every line terminator, including those inside quoted fields); 0 when not applicable.
    public let line: Int
    /// 1-based character position within that line; 0 when not applicable.
    public let column: Int
    public let problem: String
    public let hint: String

    public init(file: String, line: Int, column: Int, problem: String, hint: String) {
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
        self.hint = hint
    }

    /// `FILE:LINE:COL: PROBLEM — HINT` (line/column left out when 0).
    public var description: String {
        var s = file
        if line > 0 {
            s += ":\(line)"
            if column > 0 { s += ":\(column)" }
        }
        s += ": " + problem
        if !hint.isEmpty { s += " — " + hint }
        return s
    }

    /// `true` when reading stopped because the caller's `isCancelled` returned `true`.
    public var isCancellation: Bool { problem == "cancelled" }
}
