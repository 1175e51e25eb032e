/// Everything `rappi serve-router` needs to route one experiment's traffic.
public struct ExperimentRouterConfiguration: Sendable {
    /// The workspace holding the experiment, its models and where assignments are stored.
    public var workspacePath: String
    public var experiment: String
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// As for the model server: accepted keys, or a keys file re-read when it changes.
    public var apiKeys: [String] = []
    public var keysFile: String?
    public var maxBodyBytes: Int = 1 << 20
    public var maxConcurrentRequests: Int = 256
    public var accessLogPath: String?
    public var idleTimeoutSeconds: Int? = 75
    /// How often buffered assignments and outcomes are written, and the batch that triggers a write.
    public var flushIntervalSeconds: Double = 0.1
    public var flushRows: Int = 500
    /// See `ModelServerConfiguration.runTasksOnEventLoops`.
    public var runTasksOnEventLoops = true

    public init(workspacePath: String, experiment: String) {
        self.workspacePath = workspacePath
        self.experiment = experiment
    }
}
