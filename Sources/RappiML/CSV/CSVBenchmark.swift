import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Times `CSVReader.read(path:)` for the hidden `rappi bench-csv FILE` command.
public enum CSVBenchmark {
    /// Reads `path` `repeats` times and returns a report with best and median wall time,
    /// rows/s and MB/s. The last line is machine-readable: `best_seconds=… median_seconds=… rows=… columns=… bytes=…`.
    public static func run(path: String, repeats: Int) -> String {
        let n = Swift.max(1, repeats)
        var times: [Double] = []
        var rows = 0, cols = 0
        var types: [ColumnType] = []
        for _ in 0..<n {
            let t0 = DispatchTime.now().uptimeNanoseconds
            do {
                let table = try CSVReader.read(path: path)
                rows = table.frame.rowCount
                cols = table.frame.columns.count
                types = table.frame.columns.map(\.type)
            } catch {
                return "bench-csv: \(error)"
            }
            let t1 = DispatchTime.now().uptimeNanoseconds
            times.append(Double(t1 - t0) / 1e9)
        }
        var st = stat()
        let bytes = stat(path, &st) == 0 ? Int(st.st_size) : 0
        let sorted = times.sorted()
        let best = sorted[0]
        let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let ints = types.filter { $0 == .integer }.count
        let reals = types.filter { $0 == .real }.count
        let texts = types.filter { $0 == .text }.count
        var lines: [String] = []
        lines.append("file: \(path) (\(fmt(Double(bytes) / 1e6, 1)) MB, \(rows) rows × \(cols) columns: \(ints) integer, \(reals) real, \(texts) text)")
        lines.append("runs: \(n)  best: \(fmt(best, 3)) s  median: \(fmt(median, 3)) s")
        lines.append("throughput (best): \(fmt(Double(rows) / best / 1e6, 2)) M rows/s, \(fmt(Double(bytes) / best / 1e6, 1)) MB/s")
        lines.append("best_seconds=\(fmt(best, 4)) median_seconds=\(fmt(median, 4)) rows=\(rows) columns=\(cols) bytes=\(bytes)")
        return lines.joined(separator: "\n")
    }

    /// Fixed-point formatting without Foundation.
    static func fmt(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let v = (x * scale).rounded()
        let neg = v < 0
        let whole = Int64(abs(v))
        let s = Int64(scale)
        var out = String(whole / s)
        if digits > 0 {
            var frac = String(whole % s)
            while frac.count < digits { frac = "0" + frac }
            out += "." + frac
        }
        return neg ? "-" + out : out
    }
}
