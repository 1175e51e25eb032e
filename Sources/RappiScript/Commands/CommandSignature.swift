import RappiWorkspace

/// What kind of value an argument or option takes. Parsing, help and completion derive from it.
public enum ValueKind: Equatable, Sendable {
    case name                 // an identifier
    case stored(Catalog)      // a name of something in the workspace (completed from it)
    case publishedValue       // the name of a value a statement published, such as rows (completed from the session)
    case path                 // a file or folder (completed from the file system)
    case text                 // any word or "string"
    case integer
    case number
    case boolean
    case version              // v3, 3 or latest
    case choice([String])
    case comparison           // == != < <= > >=
    case json                 // a { … } block holding a JSON record or list of records
    case size                 // a memory size: 7g, 512m, 64MB

    /// The placeholder shown in usage lines.
    var placeholder: String {
        switch self {
        case .name, .stored, .publishedValue: return "NAME"
        case .path: return "PATH"
        case .text: return "TEXT"
        case .integer: return "N"
        case .number: return "NUMBER"
        case .boolean: return "true|false"
        case .version: return "vN|latest"
        case .choice(let options): return options.joined(separator: "|")
        case .comparison: return "==|!=|<|<=|>|>="
        case .json: return "{JSON}"
        case .size: return "SIZE"
        }
    }

    /// What an error says this kind expects, e.g. "an integer".
    var expectation: String {
        switch self {
        case .name, .stored, .publishedValue: return "a name"
        case .path: return "a path"
        case .text: return "text"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .version: return "a version such as v2, 2 or latest"
        case .choice(let options): return "one of " + options.joined(separator: ", ")
        case .comparison: return "a comparison (==, !=, <, <=, >, >=)"
        case .json: return "a JSON record in braces, as in {\"Age\": 22}"
        case .size: return "a size such as 7g, 512m or 64MB"
        }
    }

    /// Checks a literal value; returns nil when it is acceptable, else what was expected.
    func check(_ text: String) -> String? {
        switch self {
        case .name, .stored, .publishedValue:
            let ok = text.first.map { $0.isLetter || $0 == "_" } ?? false
            return ok ? nil : expectation
        case .path, .text: return nil
        case .integer: return Int(text) == nil ? expectation : nil
        case .number: return Double(text) == nil ? expectation : nil
        case .boolean: return ["true", "false", "yes", "no", "on", "off"].contains(text.lowercased()) ? nil : expectation
        case .version: return VersionSelector(text) == nil ? expectation : nil
        case .choice(let options): return options.contains(text) ? nil : expectation
        case .comparison: return ["==", "!=", "<", "<=", ">", ">="].contains(text) ? nil : expectation
        case .json: return expectation  // words never are; blocks are checked when parsed as JSON
        case .size: return ByteSize.parse(text) == nil ? expectation : nil
        }
    }
}

/// The kinds of stored things whose names tab completion offers.
public enum Catalog: Equatable, Sendable {
    case dataset, pipeline, publishedPipeline, compute, model, endpoint, experiment
}

/// A positional argument.
public struct ArgumentSpec: Sendable {
    public let name: String
    public let kind: ValueKind
    public let help: String
    public init(_ name: String, _ kind: ValueKind, help: String) {
        self.name = name; self.kind = kind; self.help = help
    }
}

/// A `key=value` option.
/// Typed commands declare an `Option` and list its `spec`; the parser, help and completion read this.
public struct OptionSpec: Sendable {
    public let name: String
    public let kind: ValueKind
    public let defaultValue: String?
    public let help: String
    /// The problem with a written value, as the end of "option 'trees' …", or nil when it is valid.
    public let check: @Sendable (String) -> String?

    public init(_ name: String, _ kind: ValueKind, default defaultValue: String? = nil, help: String,
                check: (@Sendable (String) -> String?)? = nil) {
        self.name = name; self.kind = kind; self.defaultValue = defaultValue; self.help = help
        self.check = check ?? { text in kind.check(text).map { "expects \($0), got '\(text)'" } }
    }
}

/// One element of a command's word pattern after its name.
public indirect enum PatternPart: Sendable {
    /// A fixed word, such as `from` in `upload dataset NAME from PATH`.
    case keyword(String)
    case argument(ArgumentSpec)
    /// Parts that may be left out. Matched when its first part matches the next word:
    /// a keyword by its spelling, an argument by its kind (so `[vN|latest]` is recognised).
    case optional([PatternPart])
    /// All remaining words, as in `echo …`.
    case rest(ArgumentSpec)
}

/// The declaration every command makes: it drives parsing, validation, help and completion.
public struct CommandSignature: Sendable {
    public let name: String
    public let area: String
    public let summary: String
    public let pattern: [PatternPart]
    public let options: [OptionSpec]
    public let publishes: [String]
    public let examples: [String]
    /// When true, `tag KEY=VALUE …` takes free-form key=value pairs (as in `register … tag team=ml`).
    public let acceptsTags: Bool
    /// When true, `key=value` pairs that are not declared options are kept as free parameters
    /// (a pipeline's own parameters in `run pipeline NAME trees=300`), read with `BoundCall.tags()`.
    public let acceptsParameters: Bool
    /// When true, the command also publishes every value the pipeline run it shows published
    /// (`run pipeline … ; assert accuracy > 0.8`), beyond those listed in `publishes`.
    public let publishesRunOutputs: Bool

    public init(_ name: String, area: String, summary: String, pattern: [PatternPart] = [],
                options: [OptionSpec] = [], publishes: [String] = [], examples: [String] = [], acceptsTags: Bool = false,
                acceptsParameters: Bool = false, publishesRunOutputs: Bool = false) {
        self.name = name; self.area = area; self.summary = summary; self.pattern = pattern
        self.options = options; self.publishes = publishes; self.examples = examples; self.acceptsTags = acceptsTags
        self.acceptsParameters = acceptsParameters
        self.publishesRunOutputs = publishesRunOutputs
    }

    public var nameWords: [String] { name.split(separator: " ").map(String.init) }

    public var usage: String {
        var pieces = [name]
        func render(_ part: PatternPart) -> String {
            switch part {
            case .keyword(let word): return word
            case .argument(let spec): return argumentPlaceholder(spec)
            case .optional(let parts): return "[" + parts.map(render).joined(separator: " ") + "]"
            case .rest(let spec): return argumentPlaceholder(spec) + "…"
            }
        }
        pieces += pattern.map(render)
        pieces += options.map { "[\($0.name)=\(optionPlaceholder($0))]" }
        if acceptsTags { pieces.append("[tag KEY=VALUE…]") }
        if acceptsParameters { pieces.append("[PARAM=VALUE…]") }
        return pieces.joined(separator: " ")
    }

    private func argumentPlaceholder(_ spec: ArgumentSpec) -> String {
        switch spec.kind {
        case .version, .comparison, .choice, .json: return spec.kind.placeholder
        default: return spec.name.uppercased()
        }
    }

    private func optionPlaceholder(_ spec: OptionSpec) -> String {
        switch spec.kind {
        case .choice, .boolean: return spec.kind.placeholder
        default: return spec.name == "target" ? "COLUMN" : spec.kind.placeholder
        }
    }

    public func option(named name: String) -> OptionSpec? { options.first { $0.name == name } }

    /// Every positional argument, including those inside optional parts.
    public var arguments: [ArgumentSpec] { Self.arguments(in: pattern) }

    private static func arguments(in parts: [PatternPart]) -> [ArgumentSpec] {
        parts.flatMap { part -> [ArgumentSpec] in
            switch part {
            case .argument(let spec), .rest(let spec): return [spec]
            case .optional(let sub): return arguments(in: sub)
            case .keyword: return []
            }
        }
    }
}

/// A command: a declaration plus the code that runs it. Adding a command is adding one type
/// that conforms to this, and listing it in `CommandTable.all`.
public protocol RappiCommand: SendableMetatype {
    static var signature: CommandSignature { get }
    static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult
    /// True when the command's effect is fully determined by its options and the session state
    /// (dataset, split, preprocessing, model), so a pipeline step can reuse an earlier result.
    static var reusableInPipelines: Bool { get }
    /// False for commands that start or wait for another pipeline run: inside a pipeline they
    /// would hold a compute slot while waiting for one (a deadlock once every slot waits), so a
    /// pipeline body may not use them.
    static var allowedInPipelines: Bool { get }
    /// True when the command needs nothing of the workspace's machine but the workspace's
    /// records (datasets and models, fetched over HTTP): a pipeline step on a remote worker
    /// (a Ray node) may use it. Deploying, reading or writing local files may not.
    static var runsOnRemoteWorkers: Bool { get }
}

extension RappiCommand {
    public static var reusableInPipelines: Bool { false }
    public static var allowedInPipelines: Bool { true }
    public static var runsOnRemoteWorkers: Bool { reusableInPipelines }
}
