/// A preprocessing problem the user can fix: a missing column, a value of the wrong kind, a target
/// that cannot be learned. The message names the column and the fix.
public struct PreprocessError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
