/// The HTTP side every rappi server shares (model server, A/B router, workspace server): where it
/// listens, over what (HTTP or HTTPS), who may call it, and its limits; `application(…)` builds the server. Configurations embed it and expose its fields as their own.
public struct HTTPServerSettings: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Accepted API keys (primary, secondary); empty means no authentication (`auth=none`).
    /// Used when `keysFile` is nil.
    public var apiKeys: [String] = []
    /// A file with one API key per line (primary, secondary). Re-read when it changes (checked at
    /// most every 100 ms), so a rotated key takes effect without a restart. A keys file with no
    /// key in it refuses every prediction request.
    public var keysFile: String?
    /// Largest accepted request body.
    public var maxBodyBytes: Int = 1 << 20
    /// Prediction requests in flight beyond this are answered 503 at once (0 refuses them all).
    public var maxConcurrentRequests: Int = 256
    /// One line per request is appended here, when set.
    public var accessLogPath: String?
    /// Connections idle this long are closed (seconds; nil keeps them open).
    public var idleTimeoutSeconds: Int? = 75
    /// Serve HTTPS with this certificate and key; nil serves plain HTTP.
    public var tls: TLSFiles?
    /// NIO event-loop threads; nil uses NIO's shared group (one per core).
    public var eventLoopThreads: Int?
    /// `run` makes NIO's shared event loops Swift concurrency's global executor (process-wide,
    /// once; ignored by `makeApplication`), which saves two thread hops per request. Turn it off
    /// when embedding the server in a process with other concurrent work.
    public var runTasksOnEventLoops = true

    public init() {}
}
