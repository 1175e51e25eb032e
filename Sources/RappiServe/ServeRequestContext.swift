import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the channel, for the client's address in
/// the access log.
struct ServeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The client's IP address, or "-".
    var clientAddress: String {
        channel.remoteAddress?.ipAddress ?? "-"
    }
}
