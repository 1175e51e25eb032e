/// One problem with one field of one input record, in the shape served to HTTP clients:
/// `{"row": 0, "field": "Age", "problem": "expected a number, got \"abc\""}`.
public struct RecordError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Index of the record in the request (0-based).
    public let row: Int
    public let field: String
    public let problem: String

    public init(row: Int, field: String, problem: String) {
        self.row = row
        self.field = field
        self.problem = problem
    }

    public var description: String { "row \(row), field '\(field)': \(problem)" }
}

/// Every problem found in a batch of records (in row order, then field order), thrown by
/// `RecordFrame.make`. At most `RecordErrors.limit` are collected.
public struct RecordErrors: Error, CustomStringConvertible, Sendable, Equatable {
    public static let limit = 100

    public let errors: [RecordError]
    /// `true` when more problems existed than were collected.
    public let truncated: Bool

    public init(errors: [RecordError], truncated: Bool = false) {
        self.errors = errors
        self.truncated = truncated
    }

    public var description: String {
        let shown = errors.prefix(5).map(\.description).joined(separator: "; ")
        let more = errors.count > 5 || truncated ? "; and \(truncated ? "more" : "\(errors.count - 5) more")" : ""
        let noun = errors.count == 1 && !truncated ? "problem" : "problems"
        return "invalid input (\(errors.count)\(truncated ? "+" : "") \(noun)): \(shown)\(more)"
    }
}
