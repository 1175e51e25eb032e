import Foundation

/// The CSV `predict … into OUT.csv` writes, whether the model ran in process or behind an
/// endpoint: every column of the records as given, then `prediction`, then one
/// `probability_CLASS` column per class (when the model has probabilities), rounded to
/// `DecimalText.probabilityDecimals` decimals as the model server answers them; on request one
/// `score_CLASS` column per class with the model's ranking scores (probabilities, or decision
/// values) at full precision (shortest text that reads back to the same double).
///
/// Values are written as `Column.string` shows them (integers without a fraction, text as is,
/// missing values empty), quoted by RFC 4180 when needed. Rows are formatted in parallel
/// chunks and joined in order, so the bytes do not depend on the thread count.
public enum PredictionCSV {
    /// `classIndices[row]` indexes `classes`; `probabilities` is `rows × classes.count`, row-major.
    public static func bytes(records: DataFrame, classIndices: [Int], classes: [String], probabilities: [Double]?,
                             scores: [Double]? = nil) -> [UInt8] {
        Array(chunks(records: records, classIndices: classIndices, classes: classes, probabilities: probabilities, scores: scores).joined())
    }

    /// Writes the file to `url` atomically (a temporary file beside it, renamed into place), one
    /// chunk after another, without joining them first.
    public static func write(records: DataFrame, classIndices: [Int], classes: [String], probabilities: [Double]?,
                             scores: [Double]? = nil, to url: URL) throws {
        let parts = chunks(records: records, classIndices: classIndices, classes: classes, probabilities: probabilities, scores: scores)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            let folder = url.deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue
            throw CSVWriteError(path: url.path, reason: exists ? "the folder \(folder) is not writable" : "there is no folder \(folder) — create it or write elsewhere")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            for part in parts { try handle.write(contentsOf: part) }
            try handle.close()
            guard rename(temporary.path, url.path) == 0 else {
                throw CSVWriteError(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CSVWriteError(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The header line, then the rows in order, in chunks formatted in parallel.
    static func chunks(records: DataFrame, classIndices: [Int], classes: [String], probabilities: [Double]?,
                       scores: [Double]? = nil) -> [[UInt8]] {
        precondition(classIndices.count == records.rowCount)
        let k = classes.count
        let header = records.columnNames + ["prediction"] + (probabilities == nil ? [] : classes.map { "probability_\($0)" })
            + (scores == nil ? [] : classes.map { "score_\($0)" })
        var out = field(header.map(escaped).joined(separator: ","))
        out.append(UInt8(ascii: "\n"))

        let columns = records.columns.map(ColumnText.init)
        let classText = classes.map { field(escaped($0)) }
        let rows = records.rowCount
        let pieces = Swift.max(1, Swift.min(ParallelFor.coreCount * 4, rows / 2_048))
        var chunks = [[UInt8]](repeating: [], count: pieces)
        chunks.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            ParallelFor.run(count: pieces, threads: ParallelFor.coreCount) { piece in
                let range = (rows * piece / pieces)..<(rows * (piece + 1) / pieces)
                var chunk: [UInt8] = []
                chunk.reserveCapacity(range.count * (columns.count * 16 + 12 + 10 * k))
                // Columns borrowed through a pointer: iterating the array would copy (and
                // retain) each column's arrays for every field.
                columns.withUnsafeBufferPointer { columns in
                    for row in range {
                        for c in columns.indices {
                            columns[c].append(row, to: &chunk)
                            chunk.append(UInt8(ascii: ","))
                        }
                        chunk.append(contentsOf: classText[classIndices[row]])
                        if let p = probabilities {
                            for c in 0..<k {
                                chunk.append(UInt8(ascii: ","))
                                DecimalText.append(p[row * k + c], decimals: DecimalText.probabilityDecimals, to: &chunk)
                            }
                        }
                        if let s = scores {
                            for c in 0..<k {
                                chunk.append(UInt8(ascii: ","))
                                chunk.append(contentsOf: "\(s[row * k + c])".utf8)
                            }
                        }
                        chunk.append(UInt8(ascii: "\n"))
                    }
                }
                slots[piece] = chunk
            }
        }
        return [out] + chunks
    }

    private static func field(_ s: String) -> [UInt8] { Array(s.utf8) }

    private static func escaped(_ s: String) -> String { CSVWriter.escape(s) }

    /// One column, ready to append a row's field cheaply: text levels escaped once.
    private struct ColumnText {
        let type: ColumnType
        let levels: [[UInt8]]
        let values: [Double]
        let codes: [Int32]

        init(_ column: Column) {
            type = column.type
            levels = column.levels.map { Array(CSVWriter.escape($0).utf8) }
            values = column.numericValues
            codes = column.codes
        }

        func append(_ row: Int, to out: inout [UInt8]) {
            switch type {
            case .text:
                let c = codes[row]
                if c >= 0 { out.append(contentsOf: levels[Int(c)]) }
            case .integer:
                let v = values[row]
                guard !v.isNaN else { return }
                if v.magnitude < 9.0e18 {
                    if v < 0 { out.append(UInt8(ascii: "-")) }
                    DecimalText.appendDigits(UInt64(v.magnitude), to: &out)
                } else {
                    out.append(contentsOf: "\(v)".utf8)
                }
            case .real:
                let v = values[row]
                guard !v.isNaN else { return }
                var text = v.description
                text.withUTF8 { out.append(contentsOf: $0) }
            }
        }
    }
}

/// `predict … into FILE` could not write its file.
public struct CSVWriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
