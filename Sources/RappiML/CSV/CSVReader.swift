import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads RFC 4180 CSV into a `DataFrame`, inferring each column's type.
///
/// Rules (see also `CSVError` for the problems it reports):
/// - Fields are separated by `,`; records end with LF, CRLF or a lone CR. A UTF-8 BOM is skipped.
///   Blank lines (anywhere, including a trailing one) are ignored, like pandas — so in a one-column file a
///   missing value must be written `""`. A last record without a terminator is fine.
/// - A field is quoted only if its first byte is `"`; inside it, commas, line breaks and doubled quotes `""`
///   are data. A quote inside an unquoted field, or anything but a separator/line end right after a closing
///   quote, is an error (strict, so record boundaries can be found in parallel and mistakes are not hidden).
/// - An empty field, or `""`, is missing. For numeric inference only, ASCII spaces/tabs around a value
///   are ignored (so ` 3 ` is the integer 3 and a blank field in a numeric column is missing); a column that
///   ends up text keeps the raw field text, spaces included.
/// - A column is `integer` if every non-missing value is `[+-]?digits`, `real` if every one is a decimal
///   number (fraction and/or exponent allowed; `nan`/`inf` are not numbers), else `text`. Quoted numbers count
///   as numbers. A column with no values at all is `real` (like pandas' all-NaN float64).
/// - Numbers are correctly rounded (identical to Swift's `Double(String)`).
///
/// Large inputs are split into chunks at record boundaries (quote-parity aware) and parsed in parallel;
/// the result is identical whatever the number of chunks or threads.
public enum CSVReader {
    public static func read(path: String, isCancelled: (@Sendable () -> Bool)? = nil) throws -> CSVTable {
        let file = try FileBytes(path: path)
        defer { file.close() }
        return try read(bytes: file.bytes, fileName: path, chunkCount: nil, isCancelled: isCancelled)
    }

    public static func read(bytes: UnsafeRawBufferPointer, fileName: String,
                            isCancelled: (@Sendable () -> Bool)? = nil) throws -> CSVTable {
        try read(bytes: bytes, fileName: fileName, chunkCount: nil, isCancelled: isCancelled)
    }

    /// Number of chunks used for an input of `bodyBytes` bytes when not forced.
    static func automaticChunkCount(bodyBytes: Int) -> Int {
        let cores = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        if bodyBytes < (1 << 20) || cores == 1 { return 1 }
        return Swift.max(1, Swift.min(cores * 8, bodyBytes / (512 << 10)))
    }

    /// `chunkCount` forces the number of chunks (tests); nil chooses from size and core count.
    static func read(bytes: UnsafeRawBufferPointer, fileName: String, chunkCount: Int?,
                     isCancelled: (@Sendable () -> Bool)?) throws -> CSVTable {
        let n = bytes.count
        guard n > 0, let raw = bytes.baseAddress else {
            throw CSVError(file: fileName, line: 1, column: 1, problem: "file is empty", hint: "a CSV needs a header line")
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)

        func report(_ f: CSVFailure) -> CSVError {
            if case .cancelled = f.kind { return f.error(file: fileName, bytes: base, count: n) }
            // An invalid UTF-8 byte earlier in the file wins over the structural problem.
            let limit = Swift.min(n, f.offset + 4)
            if let bad = UTF8Validator.firstInvalid(base, base + limit), bad < f.offset {
                return CSVFailure(offset: bad, kind: .invalidUTF8).error(file: fileName, bytes: base, count: n)
            }
            return f.error(file: fileName, bytes: base, count: n)
        }

        // BOM, emptiness, blank lines before the header.
        var pos = 0
        if n >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { pos = 3 }
        var k = pos
        while k < n && (base[k] == 32 || base[k] == 9 || base[k] == 10 || base[k] == 13) { k += 1 }
        if k == n { throw report(CSVFailure(offset: pos, kind: .emptyFile)) }
        while pos < n && (base[pos] == 10 || base[pos] == 13) { pos += 1 }

        // Header.
        var headerParser = CSVChunkParser(base: base, count: n, columnCount: 0)
        guard let header = headerParser.scanRecord(at: pos) else { throw report(headerParser.failure!) }
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (i, f) in header.fields.enumerated() {
            let name = headerParser.string(start: f.start, end: f.end, escaped: f.escaped)
            if name.isEmpty {
                throw report(CSVFailure(offset: f.fieldStart, kind: .emptyHeaderName(column: i + 1)))
            }
            if let first = seen[name] {
                throw report(CSVFailure(offset: f.fieldStart,
                                        kind: .duplicateHeaderName(name: name, first: first + 1, second: i + 1)))
            }
            seen[name] = i
            names.append(name)
        }
        // A one-column header holding another usual separator is a file in a different dialect.
        if names.count == 1, let separator = [";", "\t", "|"].first(where: { names[0].contains($0) }) {
            throw report(CSVFailure(offset: pos, kind: .otherSeparator(separator)))
        }
        headerParser.releaseScratch()
        let bodyStart = header.next
        let ncols = names.count

        // Chunk boundaries: split the body evenly, then move each split forward to just after the first
        // LF that is outside quotes (even number of quote bytes since the body start). Also count line
        // terminators per chunk: an upper bound on its records, so values can be written in place.
        let bodyLen = n - bodyStart
        let chunks = bodyLen == 0 ? 0 : Swift.max(1, Swift.min(chunkCount ?? automaticChunkCount(bodyBytes: bodyLen), bodyLen))
        var allASCII = UTF8Validator.isASCII(base, base + bodyStart)
        var bounds = [bodyStart]
        var capacities: [Int] = []
        if chunks > 0 {
            var targets = (0...chunks).map { bodyStart + Int((Int64(bodyLen) * Int64($0)) / Int64(chunks)) }
            targets[chunks] = n
            // Quote and CR counting are skipped when the body has none (memchr is very fast).
            let hasQuote = memchr(base + bodyStart, 34, bodyLen) != nil
            let hasCR = memchr(base + bodyStart, 13, bodyLen) != nil
            var segments = [ByteCounts](repeating: ByteCounts(), count: chunks)
            let splits = targets
            segments.withUnsafeMutableBufferPointer { seg in
                // Each iteration writes only its own segment, reading the file's bytes.
                nonisolated(unsafe) let segp = seg.baseAddress!
                nonisolated(unsafe) let bytes = base
                if chunks == 1 {
                    segp[0] = countBytes(bytes, from: splits[0], to: splits[1], total: n, quotes: hasQuote, crs: hasCR)
                } else {
                    DispatchQueue.concurrentPerform(iterations: chunks) { i in
                        segp[i] = countBytes(bytes, from: splits[i], to: splits[i + 1], total: n, quotes: hasQuote, crs: hasCR)
                    }
                }
            }
            // pre[k]: terminators in [targets[k], bounds[k]), the part of segment k that belongs to chunk k-1.
            var pre = [Int](repeating: 0, count: chunks + 1)
            var parity = 0
            for i in 1..<chunks {
                parity ^= segments[i - 1].quotes & 1
                var j = targets[i]
                var par = parity
                var terms = 0
                while j < n {
                    let c = base[j]
                    j += 1
                    if c == 34 {
                        par ^= 1
                    } else if c == 10 {
                        terms += 1
                        if par == 0 { break }
                    } else if c == 13 && !(j < n && base[j] == 10) {
                        terms += 1
                    }
                }
                if j < bounds[bounds.count - 1] {
                    // Cannot happen (splits are increasing); keep chunks well-formed regardless.
                    j = bounds[bounds.count - 1]
                    terms = pre[i - 1]
                }
                pre[i] = terms
                bounds.append(j)
            }
            bounds.append(n)
            for i in 0..<chunks {
                let own = segments[i].terminators - pre[i] + pre[i + 1]
                // A chunk that runs to the end of the file may end without a terminator: one more
                // record. That is not only the last chunk — a quoted field left open to the end of
                // the file takes every later boundary with it, leaving the chunks after it empty.
                capacities.append(Swift.max(0, own) + (bounds[i + 1] == n ? 1 : 0))
                if segments[i].high { allASCII = false }
            }
        } else {
            bounds.append(n)
        }
        let chunkRanges = (0..<chunks).map { (bounds[$0], bounds[$0 + 1]) }
        var offsets = [0]
        for c in capacities { offsets.append(offsets[offsets.count - 1] + c) }
        let capacityTotal = offsets[offsets.count - 1]

        // Pass 1: numbers (and type inference) for every column, written in place into the final arrays,
        // then compacted where a chunk had fewer records than its bound.
        var pass1: [ChunkResult] = []
        var totalRows = 0
        let valueArrays = ColumnArrays.make(count: ncols, capacity: capacityTotal) { outs -> Int in
            pass1 = runPass(base: base, count: n, ncols: ncols, ranges: chunkRanges, capacities: capacities,
                            modes: [ColumnMode](repeating: .numeric, count: ncols),
                            numericOut: { k in outs.map { $0 + offsets[k] } }, isCancelled: isCancelled)
            if firstFailure(pass1) != nil { return 0 }
            var at = 0
            for (k, r) in pass1.enumerated() {
                if at != offsets[k] && r.rows > 0 {
                    for o in outs { memmove(o + at, o + offsets[k], r.rows * MemoryLayout<Double>.stride) }
                }
                at += r.rows
            }
            totalRows = at
            return at
        }
        if let f = firstFailure(pass1) { throw report(f) }
        if !allASCII, let bad = UTF8Validator.firstInvalid(base, base + n) {
            throw CSVFailure(offset: bad, kind: .invalidUTF8).error(file: fileName, bytes: base, count: n)
        }
        if let isCancelled, isCancelled() { throw CSVFailure(offset: 0, kind: .cancelled).error(file: fileName, bytes: base, count: n) }

        var types = [ColumnType](repeating: .real, count: ncols)
        for c in 0..<ncols {
            var failed = false, sawReal = false, sawValue = false
            for r in pass1 {
                failed = failed || r.sinks[c].failed
                sawReal = sawReal || r.sinks[c].sawReal
                sawValue = sawValue || r.sinks[c].sawValue
            }
            types[c] = failed ? .text : (sawReal || !sawValue ? .real : .integer)
        }
        pass1 = []

        // Pass 2: text columns only, dictionary-encoded per chunk, then merged in chunk order
        // (levels in first-seen order whatever the chunking).
        var columns: [Column] = []
        columns.reserveCapacity(ncols)
        if types.contains(.text) {
            let textColumns = (0..<ncols).filter { types[$0] == .text }
            let pass2 = runPass(base: base, count: n, ncols: ncols, ranges: chunkRanges, capacities: capacities,
                                modes: types.map { $0 == .text ? .text : .skip }, numericOut: nil, isCancelled: isCancelled)
            if let f = firstFailure(pass2) { throw report(f) }
            // Each iteration merges one text column into its own slot.
            nonisolated(unsafe) let merged = UnsafeMutablePointer<Column?>.allocate(capacity: textColumns.count)
            merged.initialize(repeating: nil, count: textColumns.count)
            defer { merged.deinitialize(count: textColumns.count); merged.deallocate() }
            nonisolated(unsafe) let chunkResults = pass2
            let (columnNames, rowCount) = (names, totalRows)
            DispatchQueue.concurrentPerform(iterations: textColumns.count) { i in
                let c = textColumns[i]
                merged[i] = mergeText(name: columnNames[c], column: c, chunks: chunkResults, totalRows: rowCount)
            }
            var next = 0
            for c in 0..<ncols {
                if types[c] == .text {
                    columns.append(merged[next]!)
                    next += 1
                } else {
                    columns.append(Column(name: names[c], type: types[c], values: valueArrays[c]))
                }
            }
        } else {
            for c in 0..<ncols { columns.append(Column(name: names[c], type: types[c], values: valueArrays[c])) }
        }
        return CSVTable(frame: DataFrame(columns: columns), headerByteCount: bodyStart)
    }

    // MARK: - Helpers

    private static func runPass(base: UnsafePointer<UInt8>, count: Int, ncols: Int, ranges: [(Int, Int)],
                                capacities: [Int], modes: [ColumnMode],
                                numericOut: ((Int) -> [UnsafeMutablePointer<Double>])?,
                                isCancelled: (@Sendable () -> Bool)?) -> [ChunkResult] {
        let out = UnsafeMutablePointer<ChunkResult?>.allocate(capacity: Swift.max(1, ranges.count))
        out.initialize(repeating: nil, count: Swift.max(1, ranges.count))
        defer { out.deinitialize(count: Swift.max(1, ranges.count)); out.deallocate() }
        // Each chunk is parsed into its own result slot (and its own rows of the numeric columns).
        nonisolated(unsafe) let results = out
        nonisolated(unsafe) let numericOut = numericOut
        nonisolated(unsafe) let bytes = base
        let work: @Sendable (Int) -> Void = { (i: Int) in
            var parser = CSVChunkParser(base: bytes, count: count, columnCount: ncols)
            results[i] = parser.parseChunk(start: ranges[i].0, end: ranges[i].1, modes: modes,
                                       numericOut: numericOut?(i), capacity: capacities[i], isCancelled: isCancelled)
        }
        if ranges.count == 1 { work(0) } else if ranges.count > 1 {
            DispatchQueue.concurrentPerform(iterations: ranges.count, execute: work)
        }
        return (0..<ranges.count).map { out[$0]! }
    }

    /// The failure that comes first in the file (cancellation first of all).
    private static func firstFailure(_ results: [ChunkResult]) -> CSVFailure? {
        var best: CSVFailure?
        for r in results {
            guard let f = r.failure else { continue }
            if case .cancelled = f.kind { return f }
            if best == nil || f.offset < best!.offset { best = f }
        }
        return best
    }

    private static func mergeText(name: String, column c: Int, chunks: [ChunkResult], totalRows: Int) -> Column {
        let global = TextDictionary()
        var maps: [[Int32]] = []
        for r in chunks {
            guard let local = r.dictionaries[c] else { maps.append([]); continue }
            var map = [Int32](repeating: -1, count: local.count)
            for i in 0..<local.count {
                map[i] = local.withLevel(i) { p, len in global.intern(p, len) }
            }
            maps.append(map)
        }
        let codes = [Int32](unsafeUninitializedCapacity: totalRows) { buf, initialized in
            var at = 0
            for (k, r) in chunks.enumerated() where r.rows > 0 {
                let src = r.sinks[c].codes!
                let map = maps[k]
                for i in 0..<r.rows {
                    let code = src[i]
                    buf[at + i] = code < 0 ? -1 : map[Int(code)]
                }
                at += r.rows
            }
            initialized = at
        }
        let levels = (0..<global.count).map { global.string($0) }
        return Column(name: name, codes: codes, levels: levels)
    }

    struct ByteCounts {
        var quotes = 0
        /// LF bytes plus CR bytes not followed by LF.
        var terminators = 0
        var high = false
    }

    /// 0x01 in each byte lane of `x` that is zero (exact, no false positives).
    @inline(__always)
    private static func zeroLanes(_ x: UInt64) -> UInt64 {
        let lo: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return (~(((x & lo) &+ lo) | x) >> 7) & 0x0101_0101_0101_0101
    }

    /// Sum of the 8 byte lanes of `x`.
    @inline(__always)
    private static func laneSum(_ x: UInt64) -> Int {
        let pairs = (x & 0x00FF_00FF_00FF_00FF) &+ ((x >> 8) & 0x00FF_00FF_00FF_00FF)
        return Int((pairs &* 0x0001_0001_0001_0001) >> 48)
    }

    /// Counts quotes (when `quotes`) and line terminators in `[from, to)`, and notes any byte ≥ 0x80.
    /// Lone CRs are counted only when `crs` (the caller checks whether the body has any CR at all).
    static func countBytes(_ p: UnsafePointer<UInt8>, from: Int, to: Int, total: Int,
                           quotes: Bool = true, crs: Bool = true) -> ByteCounts {
        var r = ByteCounts()
        let raw = UnsafeRawPointer(p)
        let lfMask: UInt64 = 0x0A0A_0A0A_0A0A_0A0A, quoteMask: UInt64 = 0x2222_2222_2222_2222
        var high: UInt64 = 0
        var i = from
        while to - i >= 32 {
            var lf: UInt64 = 0, q: UInt64 = 0
            var k = 0
            while k < 63 && to - i >= 32 {   // each lane gains at most 4 per step: 63 * 4 < 256
                let a = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let b = raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                let c = raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
                let d = raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                lf &+= zeroLanes(a ^ lfMask) &+ zeroLanes(b ^ lfMask) &+ zeroLanes(c ^ lfMask) &+ zeroLanes(d ^ lfMask)
                if quotes {
                    q &+= zeroLanes(a ^ quoteMask) &+ zeroLanes(b ^ quoteMask) &+ zeroLanes(c ^ quoteMask) &+ zeroLanes(d ^ quoteMask)
                }
                high |= a | b | c | d
                i += 32
                k += 1
            }
            r.terminators += laneSum(lf)
            r.quotes += laneSum(q)
        }
        var tail: UInt8 = 0
        while i < to {
            let c = p[i]
            if c == 10 { r.terminators += 1 } else if c == 34 && quotes { r.quotes += 1 }
            tail |= c
            i += 1
        }
        if crs {
            for j in from..<to where p[j] == 13 && !(j + 1 < total && p[j + 1] == 10) { r.terminators += 1 }
        }
        r.high = (high & 0x8080_8080_8080_8080) != 0 || tail >= 0x80
        return r
    }
}
