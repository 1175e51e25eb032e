/// An error raised by a `DataFrame` operation (not by CSV reading; see `CSVError`).
public struct DataFrameError: Error, CustomStringConvertible, Sendable {
    public let problem: String
    public let hint: String

    public init(problem: String, hint: String) {
        self.problem = problem
        self.hint = hint
    }

    public var description: String { hint.isEmpty ? problem : "\(problem) — \(hint)" }
}
