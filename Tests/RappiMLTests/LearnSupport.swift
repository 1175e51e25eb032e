import XCTest
@testable import RappiML

/// Shared helpers of the Learn* tests.
enum LearnData {
    static func matrix(_ values: [Double], columns: Int) -> FeatureMatrix {
        FeatureMatrix(rows: values.count / columns, columns: columns, values: values,
                      names: (0..<columns).map { "x\($0)" })
    }

    static func labels(_ indices: [Int], classes: Int) -> EncodedLabels {
        EncodedLabels(classes: (0..<classes).map { "c\($0)" }, indices: indices)
    }

    /// XOR of the signs of two uniform features in [-1, 1], plus `noise` useless features.
    static func xor(rows: Int, noise: Int = 0, seed: UInt64) -> (FeatureMatrix, EncodedLabels) {
        var rng = RappiML.SplitMix64(seed: seed)
        var v: [Double] = [], y: [Int] = []
        for _ in 0..<rows {
            let a = rng.nextDouble() * 2 - 1, b = rng.nextDouble() * 2 - 1
            v += [a, b]
            for _ in 0..<noise { v.append(rng.nextDouble()) }
            y.append((a > 0) != (b > 0) ? 1 : 0)
        }
        return (matrix(v, columns: 2 + noise), labels(y, classes: 2))
    }

    /// Class = which of three half-planes of x0 + 2·x1 a point falls in (linearly separable bands).
    static func bands(rows: Int, seed: UInt64) -> (FeatureMatrix, EncodedLabels) {
        var rng = RappiML.SplitMix64(seed: seed)
        var v: [Double] = [], y: [Int] = []
        for _ in 0..<rows {
            let a = rng.nextDouble() * 4 - 2, b = rng.nextDouble() * 4 - 2, c = rng.nextDouble()
            v += [a, b, c]
            let s = a + 2 * b
            y.append(s < -1 ? 0 : (s < 1.5 ? 1 : 2))
        }
        return (matrix(v, columns: 3), labels(y, classes: 3))
    }

    static func accuracy(_ predicted: [Int], _ truth: [Int]) -> Double {
        Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }

    static func encoded<C: Classifier>(_ model: C) -> [UInt8] {
        var w = BinaryWriter()
        model.encode(into: &w)
        return w.bytes
    }

    static func decoded<C: Classifier>(_ type: C.Type, _ bytes: [UInt8]) throws -> C {
        var r = BinaryReader(bytes)
        let m = try C(from: &r)
        XCTAssertTrue(r.isAtEnd)
        return m
    }

    /// The message of the `TrainingError` thrown by `body` (fails when nothing or something else is thrown).
    static func trainingError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try body()
            XCTFail("expected a TrainingError", file: file, line: line)
        } catch let e as TrainingError {
            return e.message
        } catch {
            XCTFail("expected a TrainingError, got \(error)", file: file, line: line)
        }
        return ""
    }
}
