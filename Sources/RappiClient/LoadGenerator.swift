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
        let started = Date()
        let threads = (0..<workers).map { index in
            Thread {
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
            }
        }
        threads.forEach { $0.start() }
        results.waitForAll()
        let seconds = Date().timeIntervalSince(started)
        return results.report(concurrency: workers, seconds: seconds)
    }
}

/// Hands out request numbers 0, 1, 2, … to the workers.
private final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

private final class Results: @unchecked Sendable {
    private let condition = NSCondition()
    private var histograms: [Histogram<UInt64>?]
    private var statuses: [[Int: Int]]
    private var errors: [String?]
    private var finished = 0

    init(workers: Int) {
        histograms = Array(repeating: nil, count: workers)
        statuses = Array(repeating: [:], count: workers)
        errors = Array(repeating: nil, count: workers)
    }

    func store(_ index: Int, _ histogram: Histogram<UInt64>, _ statuses: [Int: Int], _ error: String?) {
        condition.lock()
        histograms[index] = histogram
        self.statuses[index] = statuses
        errors[index] = error
        finished += 1
        condition.signal()
        condition.unlock()
    }

    func waitForAll() {
        condition.lock()
        while finished < histograms.count { condition.wait() }
        condition.unlock()
    }

    func report(concurrency: Int, seconds: Double) -> LoadReport {
        var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for histogram in histograms.compactMap({ $0 }) { merged.add(histogram) }
        var byStatus: [Int: Int] = [:]
        for part in statuses { for (status, count) in part { byStatus[status, default: 0] += count } }
        return LoadReport(requests: Int(merged.totalCount), concurrency: concurrency, seconds: seconds, latency: merged,
                          statuses: byStatus, firstError: errors.compactMap { $0 }.first)
    }
}
