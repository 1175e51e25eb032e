/// A 1-based line and column in a script.
public struct SourcePosition: Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "\(line):\(column)" }
}

/// Any error the language reports: it always carries where it happened.
public struct ScriptError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public let position: SourcePosition
    public init(_ message: String, at position: SourcePosition) {
        self.message = message
        self.position = position
    }
    public var description: String { "\(position): error: \(message)" }
}
