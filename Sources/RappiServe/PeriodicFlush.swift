import ServiceLifecycle

/// A server's background writer (the access log, the A/B router's assignments) as a service of
/// its Hummingbird application, so it starts and stops with the server: `flush` every
/// `interval` while the server runs, then `finish` once after graceful shutdown. Hummingbird stops
/// its HTTP server before the services it was given, so `finish` runs after the last request was
/// answered and writes everything that request left.
struct PeriodicFlush: Service {
    let interval: Duration
    let flush: @Sendable () -> Void
    let finish: @Sendable () -> Void

    init(every interval: Duration, flush: @escaping @Sendable () -> Void, finish: (@Sendable () -> Void)? = nil) {
        self.interval = interval
        self.flush = flush
        self.finish = finish ?? flush
    }

    func run() async {
        let (interval, flush) = (self.interval, self.flush)
        await cancelWhenGracefulShutdown {
            while true {
                do { try await Task.sleep(for: interval) } catch { return }  // cancelled: shutting down
                flush()
            }
        }
        finish()
    }
}
