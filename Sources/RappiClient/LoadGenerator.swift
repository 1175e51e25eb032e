import Foundation
import Histogram
import Synchronization

/// What a load run measured: throughput, latency percentiles from an HDR histogram (microsecond
/// resolution, 3 significant digits), and what went wrong.
public struct LoadReport: Sendable {
    public let requests: Int
    public let concurrency: Int
    public let seconds: Double
    public let latency: Histogram<UInt64>
    /// Responses by HTTP status (0 = no response: connection error or timeout).
    public let statuses: [Int: Int]
    public let firstError: String?

    public var throughput: Double { Double(requests) / max(seconds, 1e-9) }
    public var errors: Int { statuses.filter { $0.key < 200 || $0.key >= 300 }.reduce(0) { $0 + $1.value } }

    /// Latency at `percentile` (0–100) in milliseconds.
    public func milliseconds(at percentile: Double) -> Double { Double(latency.valueAtPercentile(percentile)) / 1000 }
    public var maxMilliseconds: Double { Double(latency.max) / 1000 }
}

/// Drives load at a URL from `concurrency` threads, each with its own keep-alive libcurl handle,
/// until `requests` have been sent. Bounded in count and time, loopback targets only by design
/// of its callers.
public enum LoadGenerator {
    public static func run(url: String, method: String = "POST", body: [UInt8], headers: [String: String],
                           requests: Int, concurrency: Int, timeout: Double = 10, trust: ServerTrust = .system,
                           isCancelled: (@Sendable () -> Bool)? = nil) -> LoadReport {
        let workers = max(1, min(concurrency, requests))
        let next = Counter()
        let results = Results(workers: workers)
        let finished = DispatchGroup()
        let started = Date()
        let threads = (0..<workers).map { index in
            finished.enter()
            return Thread {
                let request = RepeatedRequest(method: method, url: url, headers: headers, body: body, timeout: timeout, trust: trust)
                var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
                var statuses: [Int: Int] = [:]
                var firstError: String?
                while next.take() < requests, isCancelled?() != true {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let (status, error) = request.perform()
                    if let error { firstError = firstError ?? "\(method) \(url) failed: \(error)" }
                    let micros = (DispatchTime.now().uptimeNanoseconds - t0) / 1000
                    _ = histogram.record(max(1, min(micros, 60_000_000)))
                    statuses[status, default: 0] += 1
                }
                results.store(index, histogram, statuses, firstError)
                finished.leave()
            }
        }
        threads.forEach { $0.start() }
        finished.wait()
        let seconds = Date().timeIntervalSince(started)
        return results.report(concurrency: workers, seconds: seconds)
    }
}

/// Hands out request numbers 0, 1, 2, … to the workers.
private final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// What each worker measured, kept until all are done and merged into one report.
private final class Results: Sendable {
    private struct Part: Sendable {
        var histogram: Histogram<UInt64>
        var statuses: [Int: Int]
        var error: String?
    }

    private let parts: Mutex<[Part?]>

    init(workers: Int) {
        parts = Mutex(Array(repeating: nil, count: workers))
    }

    func store(_ index: Int, _ histogram: Histogram<UInt64>, _ statuses: [Int: Int], _ error: String?) {
        parts.withLock { $0[index] = Part(histogram: histogram, statuses: statuses, error: error) }
    }

    func report(concurrency: Int, seconds: Double) -> LoadReport {
        let parts = self.parts.withLock { $0.compactMap { $0 } }
        var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for part in parts { merged.add(part.histogram) }
        var byStatus: [Int: Int] = [:]
        for part in parts { for (status, count) in part.statuses { byStatus[status, default: 0] += count } }
        return LoadReport(requests: Int(merged.totalCount), concurrency: concurrency, seconds: seconds, latency: merged,
                          statuses: byStatus, firstError: parts.compactMap { $0.error }.first)
    }
}
