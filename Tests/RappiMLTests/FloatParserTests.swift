import XCTest
@testable import RappiML

final class FloatParserTests: XCTestCase {
    private func assertSame(_ s: String, _ file: StaticString = #filePath, _ line: UInt = #line) {
        let mine = FloatParser.parse(s)
        let swift = Double(s)
        XCTAssertNotNil(mine, s, file: file, line: line)
        XCTAssertEqual(mine?.bitPattern, swift?.bitPattern, "\(s): \(String(describing: mine)) vs \(String(describing: swift))",
                       file: file, line: line)
    }

    func testEdgeCases() {
        for s in ["0", "-0", "+0", "0.0", "-0.0", "1", "5.", ".5", "+.5e-3", "00012", "1E+05", "0.1", "0.3",
                  "9007199254740992", "9007199254740993", "9007199254740995", "123456789012345678901234567890",
                  "1e22", "1e23", "1e-22", "1e-23", "2.2250738585072014e-308", "2.2250738585072011e-308",
                  "4.9e-324", "2.4703282292062327e-324", "1.7976931348623157e308", "1.7976931348623159e308",
                  "1e309", "-1e309", "1e-400", "0e999999999999", "0.000000000000000000000000000001",
                  "3.141592653589793238462643383279", "0.30000000000000004", "1.00000000000000011102230246251565404236316680908203125",
                  "7.25", "71.2833", "-123.456789", "1e0", "1e-0", "1e+0"] {
            assertSame(s)
        }
    }

    func testRejectsNonNumbers() {
        for s in ["", "-", "+", ".", "e5", "1e", "1e+", "nan", "inf", "0x10", "1.2.3", " 1", "1 ", "1,5", "--1", "1e5.5"] {
            XCTAssertNil(FloatParser.parse(s), s)
        }
    }

    func testRandomDecimalStringsMatchDoubleInit() {
        var rng = SplitMix64(seed: 42)
        func digits(_ n: Int) -> String {
            var s = ""
            for _ in 0..<n { s.append(Character(Unicode.Scalar(UInt8(48 + Int(rng.next() % 10))))) }
            return s
        }
        var checked = 0
        for _ in 0..<200_000 {
            var s = ""
            switch rng.next() % 3 { case 0: s = "-"; case 1: s = ""; default: s = rng.next() % 4 == 0 ? "+" : "" }
            let intDigits = Int(rng.next() % 22)
            let fracDigits = Int(rng.next() % 22)
            s += digits(intDigits)
            if fracDigits > 0 || rng.next() % 5 == 0 { s += "." + digits(fracDigits) }
            if intDigits + fracDigits == 0 { s += "7" }
            if rng.next() % 3 == 0 {
                s += rng.next() % 2 == 0 ? "e" : "E"
                let r = rng.next() % 3
                if r == 0 { s += "-" } else if r == 1 { s += "+" }
                s += String(rng.next() % (rng.next() % 4 == 0 ? 340 : 30))
            }
            assertSame(s)
            checked += 1
        }
        XCTAssertEqual(checked, 200_000)
    }

    func testRandomDoublesRoundTrip() {
        var rng = SplitMix64(seed: 7)
        for i in 0..<100_000 {
            let d: Double
            if i % 2 == 0 {
                d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)   // finite, any magnitude
            } else {
                d = Double(Int64(bitPattern: rng.next()) % 10_000_000_000) / 1_000_000   // %.6f-like data
            }
            assertSame("\(d)")
            assertSame("\(-d)")
        }
    }
}
