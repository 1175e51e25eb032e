/// Everything `rappi serve-model` needs to serve one model file. The HTTP settings
/// (`configuration.port`, `.keysFile`, …) read and write through to `server`.
@dynamicMemberLookup
public struct ModelServerConfiguration: Sendable {
    public var modelPath: String
    /// Registry name and version, echoed in every prediction.
    public var modelName: String
    public var modelVersion: Int
    /// Echoed by `/health/ready` with the model file's SHA-256, so whoever started the server can
    /// tell its answer from another program's on the same port (`serve-model` takes it from the
    /// environment variable RAPPI_READY_NONCE).
    public var readinessNonce: String?
    public var server = HTTPServerSettings()

    public init(modelPath: String, modelName: String, modelVersion: Int) {
        self.modelPath = modelPath
        self.modelName = modelName
        self.modelVersion = modelVersion
    }

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<HTTPServerSettings, T>) -> T {
        get { server[keyPath: keyPath] }
        set { server[keyPath: keyPath] = newValue }
    }
}
