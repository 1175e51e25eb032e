extension LoadReport {
    /// Requests per latency bucket: `count` equal buckets from the fastest request to `upTo`
    /// milliseconds; slower requests are counted in the last one. For a latency histogram.
    public func buckets(count: Int, upTo upper: Double) -> [(fromMs: Double, toMs: Double, requests: Int)] {
        let lowest = Double(latency.min) / 1000
        let width = max(upper - lowest, 0.001) / Double(count)
        return (0..<count).map { index in
            let from = lowest + width * Double(index), to = from + width
            let first = UInt64((from * 1000).rounded(.down))
            let last = index == count - 1 ? Swift.max(latency.max, first) : Swift.max(UInt64((to * 1000).rounded(.down)), first + 1) - 1
            return (from, to, Int(latency.count(within: first...Swift.max(last, first))))
        }
    }
}
