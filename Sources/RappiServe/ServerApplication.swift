import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

extension HTTPServerSettings {
    /// The one way a rappi server — model server, A/B router, workspace server — becomes a
    /// Hummingbird application: `responder` on host:port, every connection behind
    /// `ConnectionGuard` (idle connections and requests slower than `requestTimeoutSeconds`
    /// closed), over TLS when `tls` is set; `services` (background writers) start and stop with it.
    func application<Responder: HTTPResponder>(
        responder: Responder, requestTimeoutSeconds: Int?, logger: Logger, services: [any Service] = [],
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> Application<Responder> where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let http = GuardedHTTP1Channel.builder(idleTimeout: idleTimeoutSeconds, requestTimeout: requestTimeoutSeconds)
        let server = try tls.map { try HTTPServerBuilder.tls(http, tlsConfiguration: try $0.serverConfiguration()) } ?? http
        return Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: services,
            onServerRunning: onServerRunning,
            eventLoopGroupProvider: ModelServer.eventLoopGroupProvider(threads: eventLoopThreads),
            logger: logger)
    }
}
