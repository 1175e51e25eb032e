import RappiCharts
import RappiWorkspace

/// What a command's `execute` gets besides its arguments.
public struct CommandContext {
    public let session: Session
    public let table: CommandTable

    public func workspace() throws -> Workspace { try session.workspace() }

    /// The dataset loaded by `load dataset`, or an error that says how to load one.
    public func currentDataset(for command: String) throws -> LoadedDataset {
        guard let dataset = session.currentDataset else {
            throw CommandFailure("\(command) needs a current dataset — load one first with `load dataset NAME [vN]`")
        }
        return dataset
    }
}

/// A failure inside a command that has no better position than the statement itself.
public struct CommandFailure: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a statement shows and publishes. `output` is the text every front end shows; `charts`
/// are pictures of the same result for front ends that can show them (the Jupyter kernel, exports).
public struct CommandResult {
    public var output: String
    public var values: PublishedValues
    /// Secrets in the output or values (a token or key shown once): run records keep them redacted.
    public var secrets: [String] = []
    public var charts: [Chart]

    public init(_ output: String = "", values: PublishedValues = [], charts: [Chart] = []) {
        self.output = output
        self.values = values
        self.charts = charts
    }
}
