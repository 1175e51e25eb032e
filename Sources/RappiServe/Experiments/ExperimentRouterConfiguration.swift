/// Everything `rappi serve-router` needs to route one experiment's traffic. The HTTP settings
/// (`configuration.port`, `.keysFile`, …) read and write through to `server`, as for the model server.
@dynamicMemberLookup
public struct ExperimentRouterConfiguration: Sendable {
    /// The workspace holding the experiment, its models and where assignments are stored.
    public var workspacePath: String
    public var experiment: String
    public var server = HTTPServerSettings()
    /// How often buffered assignments and outcomes are written.
    public var flushIntervalSeconds: Double = 0.1

    public init(workspacePath: String, experiment: String) {
        self.workspacePath = workspacePath
        self.experiment = experiment
    }

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<HTTPServerSettings, T>) -> T {
        get { server[keyPath: keyPath] }
        set { server[keyPath: keyPath] = newValue }
    }
}
