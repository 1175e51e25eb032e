import Hummingbird
import Foundation
import Logging
import NIOCore
import NIOPosix
import RappiWorkspace

/// The model server: one model file behind `POST /score` and `POST /invocations`, with health,
/// metrics and OpenAPI endpoints (ARCHITECTURE.md §7).
public enum ModelServer {
    /// Loads the model, binds host:port, serves until SIGTERM/SIGINT, then drains in-flight
    /// requests and returns.
    public static func run(_ configuration: ModelServerConfiguration) async throws {
        let (application, accessLog) = try build(configuration)
        defer { accessLog?.close() }
        ServingCore.prepare(configuration.server)
        try await application.runService()
    }

    /// Runs Swift concurrency's global jobs on NIO's event loops (once per process): request
    /// handlers then run on the thread that did the I/O instead of hopping to the concurrency
    /// pool and back — about a quarter more requests per second on two cores.
    static let installEventLoopExecutor: Bool = {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }()

    /// For tests/embedding: builds the Hummingbird application without running it.
    ///
    /// An access log opened here is written by the application's `PeriodicFlush` service, which
    /// runs while the application does.
    public static func makeApplication(_ configuration: ModelServerConfiguration) throws -> some ApplicationProtocol {
        try build(configuration).application
    }

    /// NIO's shared group, or a dedicated one of `threads` threads (set by the configuration or,
    /// for benchmarking, the `RAPPI_SERVE_THREADS` environment variable).
    static func eventLoopGroupProvider(threads: Int?) -> EventLoopGroupProvider {
        let n = threads ?? ProcessInfo.processInfo.environment["RAPPI_SERVE_THREADS"].flatMap { Int($0) }
        if let n, n > 0 { return .shared(MultiThreadedEventLoopGroup(numberOfThreads: n)) }
        return .singleton
    }

    static func build(_ configuration: ModelServerConfiguration) throws
        -> (application: Application<ModelResponder>, accessLog: AccessLog?) {
        let runtime = try ModelRuntime.load(path: configuration.modelPath, name: configuration.modelName,
                                            version: configuration.modelVersion)
        var ready = JSONWriter()
        ready.raw(#"{"status":"ready","model":"#)
        ready.string(runtime.name)
        ready.raw(#","version":"#)
        ready.number(runtime.version)
        ready.raw(#","model_sha256":"#)
        ready.string(try modelFileHash(configuration.modelPath))
        if let nonce = configuration.readinessNonce {
            ready.raw(#","nonce":"#)
            ready.string(nonce)
        }
        ready.raw("}")

        let inference = InferenceProtocolHandler(
            signature: InferenceSignature(runtime: runtime, name: runtime.name, version: String(runtime.version),
                                          platform: "rappi_\(runtime.model.algorithm)"),
            target: runtime.model.target.column)
        let core = try ServingCore(
            settings: configuration.server,
            metrics: ServerMetrics(model: runtime.name, version: runtime.version, algorithm: runtime.model.algorithm),
            readyBody: ready.text, inference: inference) { authenticated in
                OpenAPIDocument.make(runtime: runtime, inference: inference.signature, authenticated: authenticated)
            }
        let responder = ModelResponder(runtime: runtime, core: core)

        var logger = Logger(label: "rappi.serve")
        logger.logLevel = .info
        let application = try configuration.server.application(
            responder: responder, requestTimeoutSeconds: configuration.idleTimeoutSeconds, logger: logger, services: core.services)
        return (application, core.accessLog)
    }

    /// The SHA-256 of the model file as served, for `/health/ready`.
    static func modelFileHash(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelServerError("cannot read the model file '\(path)'")
        }
        return data.withUnsafeBytes { ArtifactStore.hash($0) }
    }
}
