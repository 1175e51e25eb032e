import Foundation
import Prometheus
import Synchronization

/// The server's Prometheus metrics, kept in its own `PrometheusCollectorRegistry` (no global
/// MetricsSystem bootstrap):
/// - `rappi_requests_total{route,status}` — requests answered;
/// - `rappi_request_duration_seconds{route}` — latency histogram;
/// - `rappi_requests_in_flight` — requests being handled;
/// - `rappi_model_info{model,version,algorithm} 1`.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Counters by route and status, so the hot path skips the registry's name validation.
    private let counters = Mutex<[Int: Counter]>([:])
    private let durations: [DurationHistogram]
    let inFlight: Gauge

    private static var requests: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "rappi_requests", unitName: "total", helpText: "Requests answered, by route and HTTP status.") }
    private static var duration: MetricNameDescriptor { MetricNameDescriptor(
        metricName: "rappi_request_duration", unitName: "seconds", helpText: "Time to answer a request, by route.") }
    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5),
    ]

    init(model: String, version: Int, algorithm: String) {
        let registry = self.registry
        durations = Route.allCases.map { route in
            registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route.path)], buckets: Self.buckets)
        }
        inFlight = registry.makeGauge(descriptor: MetricNameDescriptor(
            metricName: "rappi_requests_in_flight", unitName: "", helpText: "Requests being handled now."))
        registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "rappi_model_info", unitName: "", helpText: "The model being served."),
            labels: [("model", model), ("version", String(version)), ("algorithm", algorithm)]
        ).set(to: 1)
    }

    /// Counts one answered request and its latency.
    func record(route: Route, status: Int, nanoseconds: Int64) {
        let key = route.rawValue << 16 | (status & 0xFFFF)
        var counter = counters.withLock { $0[key] }
        if counter == nil {
            let made = registry.makeCounter(descriptor: Self.requests, labels: [("route", route.path), ("status", String(status))])
            counters.withLock { $0[key] = made }
            counter = made
        }
        counter!.increment()
        durations[route.rawValue].recordNanoseconds(nanoseconds)
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8192)
        registry.emit(into: &out)
        return out
    }
}
