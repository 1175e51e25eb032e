/// Everything `rappi serve-model` needs to serve one model file.
public struct ModelServerConfiguration: Sendable {
    public var modelPath: String
    /// Registry name and version, echoed in every prediction.
    public var modelName: String
    public var modelVersion: Int
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Accepted API keys (primary, secondary); empty means no authentication (`auth=none`).
    public var apiKeys: [String] = []
    /// Largest accepted request body.
    public var maxBodyBytes: Int = 1 << 20
    /// Requests in flight beyond this are answered 503 at once.
    public var maxConcurrentRequests: Int = 256
    /// One line per request is appended here, when set.
    public var accessLogPath: String?

    public init(modelPath: String, modelName: String, modelVersion: Int) {
        self.modelPath = modelPath
        self.modelName = modelName
        self.modelVersion = modelVersion
    }
}
