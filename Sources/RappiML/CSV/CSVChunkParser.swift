#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a pass of the chunk parser does with one column.
enum ColumnMode: UInt8 {
    /// Parse numbers into `values`; on the first non-number, mark the column `failed` and skip it.
    case numeric
    /// Dictionary-encode the raw field text into `codes`.
    case text
    /// Tokenize only.
    case skip
}

/// Per-column output of one chunk.
struct ColumnSink {
    var mode: ColumnMode
    var values: UnsafeMutablePointer<Double>?
    var codes: UnsafeMutablePointer<Int32>?
    /// Numeric mode: some non-missing field was not a number (the column is text).
    var failed = false
    /// Numeric mode: some value had real syntax (fraction or exponent).
    var sawReal = false
    /// Numeric mode: some value was present.
    var sawValue = false
}

/// The parsed contents of one chunk (a run of whole records).
///
/// Numeric values are written straight into the caller's column buffers (not owned here);
/// text codes go to buffers owned by the result.
final class ChunkResult {
    let columnCount: Int
    var rows = 0
    let sinks: UnsafeMutablePointer<ColumnSink>
    var dictionaries: [TextDictionary?]
    var failure: CSVFailure?

    /// `numericOut[c]` is where column `c`'s values for this chunk start (numeric mode only);
    /// `capacity` is an upper bound on the chunk's record count.
    init(modes: [ColumnMode], numericOut: [UnsafeMutablePointer<Double>]?, capacity: Int) {
        columnCount = modes.count
        sinks = .allocate(capacity: Swift.max(1, modes.count))
        for (i, m) in modes.enumerated() {
            var sink = ColumnSink(mode: m)
            switch m {
            case .numeric: sink.values = numericOut![i]
            case .text: sink.codes = .allocate(capacity: Swift.max(1, capacity))
            case .skip: break
            }
            (sinks + i).initialize(to: sink)
        }
        dictionaries = modes.map { $0 == .text ? TextDictionary() : nil }
    }

    deinit {
        for i in 0..<columnCount { sinks[i].codes?.deallocate() }
        sinks.deinitialize(count: columnCount)
        sinks.deallocate()
    }
}

/// The tokenizer and per-field converters. Works on raw bytes; all positions are pointers into
/// the whole input so failures carry absolute offsets.
struct CSVChunkParser {
    typealias Ptr = UnsafePointer<UInt8>

    static let quote: UInt8 = 34, comma: UInt8 = 44, lf: UInt8 = 10, cr: UInt8 = 13
    static let space: UInt8 = 32, tab: UInt8 = 9

    /// 1 for bytes that end or open something in an unquoted field: `,` LF CR `"`.
    // Written once at first use and only read after, from any thread.
    nonisolated(unsafe) static let specialTable: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        t[Int(comma)] = 1; t[Int(lf)] = 1; t[Int(cr)] = 1; t[Int(quote)] = 1
        return UnsafePointer(t)
    }()

    let base: Ptr
    let count: Int
    let columnCount: Int
    let pow10: UnsafePointer<Double>
    let special: Ptr
    var failure: CSVFailure?
    private var scratch: UnsafeMutablePointer<UInt8>?
    private var scratchCapacity = 0

    init(base: Ptr, count: Int, columnCount: Int) {
        self.base = base
        self.count = count
        self.columnCount = columnCount
        self.pow10 = FloatParser.pow10
        self.special = CSVChunkParser.specialTable
    }

    mutating func releaseScratch() {
        scratch?.deallocate()
        scratch = nil
    }

    @inline(__always)
    private mutating func fail(_ p: Ptr, _ kind: CSVFailure.Kind) {
        failure = CSVFailure(offset: p - base, kind: kind)
    }

    @inline(__always)
    private static func isTerminator(_ c: UInt8) -> Bool { c == comma || c == lf || c == cr }

    // MARK: - Tokens

    /// Skips an unquoted field from `p`; returns the position of its terminator (or end). nil on a stray quote.
    @inline(__always)
    private mutating func skipUnquoted(_ p: Ptr, _ e: Ptr) -> Ptr? {
        var s = p
        while s < e {
            if special[Int(s.pointee)] != 0 {
                if s.pointee == CSVChunkParser.quote { fail(s, .strayQuote); return nil }
                return s
            }
            s += 1
        }
        return s
    }

    /// Scans a quoted field whose opening quote is at `o`. Returns the closing quote position,
    /// the position after it (a terminator or end) and whether the content contains doubled quotes.
    @inline(__always)
    private mutating func scanQuoted(_ o: Ptr, _ e: Ptr) -> (close: Ptr, next: Ptr, escaped: Bool)? {
        var s = o + 1
        var escaped = false
        while true {
            guard s < e, let raw = memchr(s, Int32(CSVChunkParser.quote), e - s) else {
                fail(o, .unterminatedQuote)
                return nil
            }
            let q = UnsafePointer<UInt8>(raw.assumingMemoryBound(to: UInt8.self))
            if q + 1 < e && q[1] == CSVChunkParser.quote {
                escaped = true
                s = q + 2
                continue
            }
            let after = q + 1
            if after < e && !CSVChunkParser.isTerminator(after.pointee) {
                fail(after, .junkAfterClosingQuote)
                return nil
            }
            return (q, after, escaped)
        }
    }

    /// Copies `[from, to)` into scratch, turning `""` into `"`. Returns (pointer, length).
    private mutating func unescape(_ from: Ptr, _ to: Ptr) -> (Ptr, Int) {
        let n = to - from
        if scratchCapacity < n {
            scratch?.deallocate()
            scratchCapacity = Swift.max(n, 256)
            scratch = .allocate(capacity: scratchCapacity)
        }
        let out = scratch!
        var i = 0
        var s = from
        while s < to {
            out[i] = s.pointee
            i += 1
            if s.pointee == CSVChunkParser.quote { s += 2 } else { s += 1 }
        }
        return (UnsafePointer(out), i)
    }

    // MARK: - Fields

    @inline(__always)
    private mutating func numericField(_ p: Ptr, _ e: Ptr, _ sink: UnsafeMutablePointer<ColumnSink>, _ row: Int) -> Ptr? {
        var q = p
        while q < e && (q.pointee == CSVChunkParser.space || q.pointee == CSVChunkParser.tab) { q += 1 }
        if q < e && q.pointee == CSVChunkParser.quote {
            if q != p { fail(q, .strayQuote); return nil }
            return quotedNumericField(p, e, sink, row)
        }
        let r = FloatParser.scan(q, e, pow10: pow10)
        var s = r.stop
        while s < e && (s.pointee == CSVChunkParser.space || s.pointee == CSVChunkParser.tab) { s += 1 }
        if s == e || CSVChunkParser.isTerminator(s.pointee) {
            if r.kind != 0 {
                sink.pointee.values.unsafelyUnwrapped[row] = r.value
                sink.pointee.sawValue = true
                if r.kind == 2 { sink.pointee.sawReal = true }
            } else if r.stop == q {
                sink.pointee.values.unsafelyUnwrapped[row] = .nan
            } else {
                sink.pointee.failed = true
                sink.pointee.mode = .skip
            }
            return s
        }
        sink.pointee.failed = true
        sink.pointee.mode = .skip
        return skipUnquoted(s, e)
    }

    @inline(never)
    private mutating func quotedNumericField(_ o: Ptr, _ e: Ptr, _ sink: UnsafeMutablePointer<ColumnSink>, _ row: Int) -> Ptr? {
        guard let (close, next, escaped) = scanQuoted(o, e) else { return nil }
        var a = o + 1
        var b = close
        while a < b && (a.pointee == CSVChunkParser.space || a.pointee == CSVChunkParser.tab) { a += 1 }
        while b > a && (b[-1] == CSVChunkParser.space || b[-1] == CSVChunkParser.tab) { b -= 1 }
        if a == b {
            sink.pointee.values.unsafelyUnwrapped[row] = .nan
            return next
        }
        if !escaped {
            let r = FloatParser.scan(a, b, pow10: pow10)
            if r.kind != 0 && r.stop == b {
                sink.pointee.values.unsafelyUnwrapped[row] = r.value
                sink.pointee.sawValue = true
                if r.kind == 2 { sink.pointee.sawReal = true }
                return next
            }
        }
        sink.pointee.failed = true
        sink.pointee.mode = .skip
        return next
    }

    @inline(__always)
    private mutating func textField(_ p: Ptr, _ e: Ptr, _ sink: UnsafeMutablePointer<ColumnSink>,
                                    _ dict: TextDictionary, _ row: Int) -> Ptr? {
        if p < e && p.pointee == CSVChunkParser.quote {
            guard let (close, next, escaped) = scanQuoted(p, e) else { return nil }
            let a = p + 1
            if a == close {
                sink.pointee.codes.unsafelyUnwrapped[row] = -1
            } else if escaped {
                let (u, n) = unescape(a, close)
                sink.pointee.codes.unsafelyUnwrapped[row] = dict.intern(u, n)
            } else {
                sink.pointee.codes.unsafelyUnwrapped[row] = dict.intern(a, close - a)
            }
            return next
        }
        guard let s = skipUnquoted(p, e) else { return nil }
        sink.pointee.codes.unsafelyUnwrapped[row] = s == p ? -1 : dict.intern(p, s - p)
        return s
    }

    @inline(__always)
    private mutating func skipField(_ p: Ptr, _ e: Ptr) -> Ptr? {
        if p < e && p.pointee == CSVChunkParser.quote {
            return scanQuoted(p, e)?.next
        }
        return skipUnquoted(p, e)
    }

    // MARK: - Chunks

    /// Parses the whole records in `[start, end)` (byte offsets into the input). `capacity` must be
    /// an upper bound on the number of records (line terminators in the range, plus one if the range
    /// does not end with one); numeric columns are written to `numericOut`.
    mutating func parseChunk(start: Int, end: Int, modes: [ColumnMode], numericOut: [UnsafeMutablePointer<Double>]?,
                             capacity: Int, isCancelled: (@Sendable () -> Bool)?) -> ChunkResult {
        let result = ChunkResult(modes: modes, numericOut: numericOut, capacity: capacity)
        defer { releaseScratch() }
        guard start < end else { return result }
        let e = base + end
        var p = base + start
        let ncols = columnCount
        let sinks = result.sinks
        let dicts = result.dictionaries
        var rows = 0

        records: while p < e {
            let c = p.pointee
            if c == CSVChunkParser.lf { p += 1; continue }
            if c == CSVChunkParser.cr {
                p += 1
                if p < e && p.pointee == CSVChunkParser.lf { p += 1 }
                continue
            }
            precondition(rows < capacity, "CSV record count bound violated")
            if rows & 0xFFFF == 0xFFFF, let isCancelled, isCancelled() {
                fail(p, .cancelled)
                break
            }
            let recordStart = p
            var col = 0
            while true {
                let sink = sinks + col
                let next: Ptr?
                switch sink.pointee.mode {
                case .numeric: next = numericField(p, e, sink, rows)
                case .text: next = textField(p, e, sink, dicts[col].unsafelyUnwrapped, rows)
                case .skip: next = skipField(p, e)
                }
                guard let n = next else { break records }
                p = n
                if p == e { break }
                let t = p.pointee
                if t == CSVChunkParser.comma {
                    p += 1
                    col += 1
                    if col == ncols {
                        let found = countFields(from: recordStart, end: e)
                        fail(p, .tooManyFields(found: found, expected: ncols))
                        break records
                    }
                    continue
                }
                break
            }
            if col != ncols - 1 {
                fail(p, .tooFewFields(found: col + 1, expected: ncols))
                break records
            }
            if p < e {
                // p is at LF or CR.
                if p.pointee == CSVChunkParser.cr {
                    p += 1
                    if p < e && p.pointee == CSVChunkParser.lf { p += 1 }
                } else {
                    p += 1
                }
            }
            rows += 1
        }
        result.rows = rows
        result.failure = failure
        return result
    }

    // MARK: - Whole records (header, error reporting)

    /// Tokenizes one record starting at offset `start`. Returns each field's content byte range
    /// (quotes removed, `""` still doubled) with its escape flag, and the offset after the
    /// record's terminator. Sets `failure` and returns nil on a quoting error.
    mutating func scanRecord(at start: Int) -> (fields: [(start: Int, end: Int, fieldStart: Int, escaped: Bool)], next: Int)? {
        let e = base + count
        var p = base + start
        var fields: [(start: Int, end: Int, fieldStart: Int, escaped: Bool)] = []
        while true {
            if p < e && p.pointee == CSVChunkParser.quote {
                guard let (close, next, escaped) = scanQuoted(p, e) else { return nil }
                fields.append((p + 1 - base, close - base, p - base, escaped))
                p = next
            } else {
                guard let s = skipUnquoted(p, e) else { return nil }
                fields.append((p - base, s - base, p - base, false))
                p = s
            }
            if p == e { return (fields, count) }
            let t = p.pointee
            p += 1
            if t == CSVChunkParser.comma { continue }
            if t == CSVChunkParser.cr && p < e && p.pointee == CSVChunkParser.lf { p += 1 }
            return (fields, p - base)
        }
    }

    /// Decodes a field content range from `scanRecord` into a string.
    mutating func string(start: Int, end: Int, escaped: Bool) -> String {
        if escaped {
            let (u, n) = unescape(base + start, base + end)
            return String(decoding: UnsafeBufferPointer(start: u, count: n), as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    }

    /// Number of fields of the record starting at `p` (best effort; used for error messages).
    private func countFields(from p: Ptr, end e: Ptr) -> Int {
        var copy = self
        copy.failure = nil
        copy.scratch = nil
        copy.scratchCapacity = 0
        guard let r = copy.scanRecord(at: p - base) else { return columnCount + 1 }
        return r.fields.count
    }
}
