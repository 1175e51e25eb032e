import Foundation
import XCTest
@testable import RappiML

final class CSVChunkingTests: XCTestCase {
    /// A messy generated file: quotes with commas/newlines/doubled quotes, CRLF and LF, blank lines,
    /// missing values, a column that turns text late, integers, reals.
    private func generated(rows: Int, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var s = "id,score,label,comment,late,const\r\n"
        let words = ["alpha", "beta", "gamma, delta", "say \"hi\"", "two\nlines", "ünï", ""]
        for i in 0..<rows {
            let score = rng.next() % 10 == 0 ? "" : "\(Double(Int64(rng.next() % 2_000_000) - 1_000_000) / 1000)"
            let label = "L\(rng.next() % 13)"
            var w = words[Int(rng.next() % UInt64(words.count))]
            let quoted = w.contains(",") || w.contains("\"") || w.contains("\n") || rng.next() % 4 == 0
            if quoted { w = "\"" + w.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            let late = i == rows - 3 ? "oops" : "\(rng.next() % 100)"
            s += "\(i),\(score),\(label),\(w),\(late),1"
            s += rng.next() % 2 == 0 ? "\r\n" : "\n"
            if rng.next() % 97 == 0 { s += "\n" }
        }
        return s
    }

    func testOneVersusManyChunksIdentical() throws {
        let text = generated(rows: 20_000, seed: 1)
        let one = try parseCSV(text, chunks: 1)
        XCTAssertEqual(one.frame.rowCount, 20_000)
        XCTAssertEqual(one.frame.columns.map(\.type), [.integer, .real, .text, .text, .text, .integer])
        for chunks in [2, 3, 7, 16, 64, 1000] {
            let many = try parseCSV(text, chunks: chunks)
            assertIdentical(one.frame, many.frame)
            XCTAssertEqual(one.headerByteCount, many.headerByteCount)
        }
        let auto = try parseCSV(text)
        assertIdentical(one.frame, auto.frame)
        // Spot-check content.
        let comment = one.frame.column(named: "comment")!
        XCTAssertTrue(comment.levels.contains("gamma, delta"))
        XCTAssertTrue(comment.levels.contains("say \"hi\""))
        XCTAssertTrue(comment.levels.contains("two\nlines"))
        XCTAssertEqual(one.frame.column(named: "late")!.string(19_997), "oops")
    }

    func testLargeNumericFileChunksIdentical() throws {
        var rng = SplitMix64(seed: 9)
        var text = "a,b,c\n"
        for _ in 0..<100_000 {
            text += "\(rng.next() % 1000),\(Double(rng.next() % 10_000_000) / 1e6),\(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF))\n"
        }
        let one = try parseCSV(text, chunks: 1)
        XCTAssertEqual(one.frame.columns.map(\.type), [.integer, .real, .real])
        for chunks in [2, 8, 33] { assertIdentical(one.frame, try parseCSV(text, chunks: chunks).frame) }
        // values equal Double(String) of the field text
        let lines = text.split(separator: "\n").dropFirst()
        for (row, line) in lines.enumerated() where row % 997 == 0 {
            let fields = line.split(separator: ",")
            XCTAssertEqual(one.frame.columns[2].double(row)?.bitPattern, Double(String(fields[2]))?.bitPattern)
        }
    }

    func testReadPathMatchesReadBytes() throws {
        let text = generated(rows: 3_000, seed: 5)
        let path = NSTemporaryDirectory() + "rappi-csv-\(UInt64.random(in: 0...UInt64.max)).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try CSVReader.read(path: path)
        assertIdentical(fromFile.frame, try parseCSV(text).frame)
    }
}

final class ByteCountTests: XCTestCase {
    func testCountBytesMatchesNaiveCount() {
        var rng = SplitMix64(seed: 3)
        let alphabet: [UInt8] = [10, 13, 34, 44, 48, 49, 97, 0xC3, 0xA9]
        for len in [0, 1, 7, 31, 32, 33, 100, 2_017, 70_000] {
            var bytes = (0..<len).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            if len > 50 { for j in 0..<len where bytes[j] == 0xC3 || bytes[j] == 0xA9 { bytes[j] = 10 } }
            bytes.withUnsafeBufferPointer { b in
                let p = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
                let r = CSVReader.countBytes(p, from: 0, to: len, total: len)
                var q = 0, t = 0, hi = false
                for j in 0..<len {
                    if bytes[j] == 34 { q += 1 }
                    if bytes[j] == 10 || (bytes[j] == 13 && !(j + 1 < len && bytes[j + 1] == 10)) { t += 1 }
                    if bytes[j] >= 0x80 { hi = true }
                }
                XCTAssertEqual(r.quotes, q, "len \(len)")
                XCTAssertEqual(r.terminators, t, "len \(len)")
                XCTAssertEqual(r.high, hi, "len \(len)")
            }
        }
        // A long run of line feeds saturates every lane.
        let lfs = [UInt8](repeating: 10, count: 100_000)
        lfs.withUnsafeBufferPointer { b in
            XCTAssertEqual(CSVReader.countBytes(b.baseAddress!, from: 0, to: b.count, total: b.count).terminators, 100_000)
        }
    }
}
