import Foundation
import RappiML
import RappiWorkspace

/// The notebook state statements share: variables, the latest published values, the current
/// dataset, the seed. Like cells of a notebook, each statement reads what earlier ones left.
public final class Session {
    public let workspaceDirectory: URL
    /// Relative paths in statements resolve against this (the script's folder, else the current directory).
    public var baseDirectory: URL
    /// Values from `-D name=value`; a `let` of the same name keeps the command-line value.
    public private(set) var parameters: [String: Value]
    public var variables: [String: Value] = [:]
    /// The latest value published under each name, for `assert` and `$name`.
    public var published: [String: Value] = [:]
    public var seed: UInt64 = 42
    public var currentDataset: LoadedDataset?
    /// The split and preprocessing chosen for the current dataset (defaults apply when nil).
    public var split: SplitPlan?
    public var preprocessing: PreprocessPlan?
    /// The model just trained (or loaded), and the version just registered.
    public var currentModel: CurrentModel?
    public var lastRegistered: ModelVersion?
    /// The recorded run this session belongs to.
    public var runID: Int?
    /// Draw progress bars (only on a terminal, never with --json).
    public var showsProgress = false
    /// Prints a line while a long command is still running (pipeline steps as they finish).
    /// Nil with --json, where everything arrives in the statement's one result.
    public var liveOutput: ((String) -> Void)?
    /// Worker threads for training: RAPPI_THREADS, else one per core.
    public var threads: Int = {
        if let text = ProcessInfo.processInfo.environment["RAPPI_THREADS"], let n = Int(text), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }()
    /// Set for a run triggered over REST: every path a statement names must lie under one of
    /// these folders (nil: any path the process can reach, as for the owner's own runs).
    public var dataRoots: DataRoots?
    /// For replay: the dataset versions a recorded run resolved, in the order it loaded them.
    public var pinnedLoads: [String: [Int]] = [:]

    private var openedWorkspace: Workspace?

    public init(workspaceDirectory: URL, baseDirectory: URL, parameters: [String: Value] = [:]) {
        self.workspaceDirectory = workspaceDirectory
        self.baseDirectory = baseDirectory
        self.parameters = parameters
    }

    /// A session on an already open workspace (a pipeline worker shares its connection, and a
    /// remote worker's scratch workspace its artifact source).
    public convenience init(workspace: Workspace, baseDirectory: URL, parameters: [String: Value] = [:]) {
        self.init(workspaceDirectory: workspace.directory, baseDirectory: baseDirectory, parameters: parameters)
        openedWorkspace = workspace
    }

    /// The workspace, opened (and created) on first use.
    public func workspace() throws -> Workspace {
        if let openedWorkspace { return openedWorkspace }
        let workspace = try Workspace(directory: workspaceDirectory)
        openedWorkspace = workspace
        return workspace
    }

    /// `$name`: a -D parameter, then a `let` variable, then the latest published value.
    public func lookup(_ name: String) -> Value? {
        parameters[name] ?? variables[name] ?? published[name]
    }

    /// A double-quoted string with its `$name`s replaced; an unknown name is an error at `position`.
    func interpolate(_ text: String, at position: SourcePosition) throws(ScriptError) -> String {
        let (result, undefined) = StringInterpolation.interpolate(text, lookup: lookup)
        if let undefined { throw undefinedName(undefined, at: position, inString: true) }
        return result
    }

    /// "$verison is not defined — did you mean $version?"
    func undefinedName(_ name: String, at position: SourcePosition, inString: Bool = false) -> ScriptError {
        let known = Array(parameters.keys) + Array(variables.keys) + Array(published.keys)
        let hint = NameSuggestion.closest(to: name, in: known).map { " — did you mean $\($0)?" }
            ?? " — define it with `let \(name) = …` or pass -D \(name)=…"
        return ScriptError("$\(name) is not defined\(hint)" + (inString ? " (write \\$ for a literal dollar)" : ""), at: position)
    }

    public func publish(_ values: PublishedValues) {
        for (name, value) in values { published[name] = value }
    }
}

/// The dataset `load dataset` made current.
public struct LoadedDataset {
    public let version: DatasetVersion
    public let frame: DataFrame
}
