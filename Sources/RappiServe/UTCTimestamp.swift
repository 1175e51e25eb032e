#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `2026-11-27T10:00:00.123Z` for the current time, formatted without Foundation's formatters.
enum UTCTimestamp {
    static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(ts.tv_nsec) / 1_000_000
        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                out[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, 4, at: 0); out[4] = UInt8(ascii: "-")
        put(Int(parts.tm_mon) + 1, 2, at: 5); out[7] = UInt8(ascii: "-")
        put(Int(parts.tm_mday), 2, at: 8); out[10] = UInt8(ascii: "T")
        put(Int(parts.tm_hour), 2, at: 11); out[13] = UInt8(ascii: ":")
        put(Int(parts.tm_min), 2, at: 14); out[16] = UInt8(ascii: ":")
        put(Int(parts.tm_sec), 2, at: 17); out[19] = UInt8(ascii: ".")
        put(millis, 3, at: 20); out[23] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }
}
