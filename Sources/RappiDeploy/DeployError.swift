/// A deployment step failed; the message says what to do.
public struct DeployError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
