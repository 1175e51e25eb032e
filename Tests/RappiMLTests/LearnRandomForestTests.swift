import XCTest
@testable import RappiML

final class LearnRandomForestTests: XCTestCase {
    func testLearnsXOR() throws {
        let (x, y) = LearnData.xor(rows: 600, noise: 2, seed: 1)
        let (tx, ty) = LearnData.xor(rows: 400, noise: 2, seed: 2)
        var p = RandomForestParameters()
        p.trees = 50
        let model = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)
        XCTAssertGreaterThan(LearnData.accuracy(model.predict(tx), ty.indices), 0.93)
        XCTAssertEqual(LearnData.accuracy(model.predict(x), y.indices), 1.0)   // fully grown trees
        // The two XOR features carry the importance, the noise features little.
        XCTAssertGreaterThan(model.featureImportances[0] + model.featureImportances[1], 0.75)
    }

    func testXORNeedsZeroGainSplitAtTheRoot() throws {
        // Perfect XOR on a grid: every first split has zero Gini gain; like scikit-learn the tree
        // must still split (and then separate the classes exactly).
        var v: [Double] = [], y: [Int] = []
        for a in 0..<4 { for b in 0..<4 { v += [Double(a), Double(b)]; y.append((a < 2) != (b < 2) ? 1 : 0) } }
        var p = RandomForestParameters()
        p.trees = 1; p.bootstrap = false; p.maxFeatures = .all
        let model = try RandomForestClassifier.fit(LearnData.matrix(v, columns: 2), LearnData.labels(y, classes: 2), parameters: p, threads: 1)
        XCTAssertEqual(model.predict(LearnData.matrix(v, columns: 2)), y)
    }

    func testLinearlySeparableMultiClass() throws {
        let (x, y) = LearnData.bands(rows: 900, seed: 5)
        let (tx, ty) = LearnData.bands(rows: 300, seed: 6)
        var p = RandomForestParameters()
        p.trees = 40
        let model = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)
        XCTAssertGreaterThan(LearnData.accuracy(model.predict(tx), ty.indices), 0.9)
        let probabilities = model.predictProbabilities(tx)!
        for r in 0..<tx.rows {
            let s = probabilities[(r * 3)..<(r * 3 + 3)].reduce(0, +)
            XCTAssertEqual(s, 1, accuracy: 1e-5)
        }
        XCTAssertEqual(model.featureImportances.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertLessThan(model.featureImportances[2], 0.15)   // the noise feature
    }

    func testThreadCountDoesNotChangeTheModel() throws {
        let (x, y) = LearnData.bands(rows: 700, seed: 9)
        var p = RandomForestParameters()
        p.trees = 24
        p.seed = 1234
        let one = try RandomForestClassifier.fit(x, y, parameters: p, threads: 1)
        let two = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)
        let five = try RandomForestClassifier.fit(x, y, parameters: p, threads: 5)
        let bytes = LearnData.encoded(one)
        XCTAssertEqual(bytes, LearnData.encoded(two))
        XCTAssertEqual(bytes, LearnData.encoded(five))
        XCTAssertEqual(one.predictProbabilities(x, threads: 1), five.predictProbabilities(x, threads: 3))
        // Another seed gives another forest.
        p.seed = 1235
        XCTAssertNotEqual(bytes, LearnData.encoded(try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)))
    }

    func testEncodeDecodeRoundTrip() throws {
        let (x, y) = LearnData.xor(rows: 500, noise: 1, seed: 11)
        var p = RandomForestParameters()
        p.trees = 15; p.maxDepth = 8; p.minSamplesLeaf = 2; p.maxFeatures = .fraction(0.5)
        let model = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)
        let bytes = LearnData.encoded(model)
        let back = try LearnData.decoded(RandomForestClassifier.self, bytes)
        XCTAssertEqual(back.parameters, p)
        XCTAssertEqual(back.featureImportances, model.featureImportances)
        XCTAssertEqual(back.predictProbabilities(x), model.predictProbabilities(x))
        XCTAssertEqual(back.predict(x), model.predict(x))
        XCTAssertEqual(LearnData.encoded(back), bytes)
        // A damaged file is an error, not a crash.
        for cut in [10, bytes.count / 2, bytes.count - 1] {
            var r = BinaryReader(Array(bytes.prefix(cut)))
            XCTAssertThrowsError(try RandomForestClassifier(from: &r))
        }
    }

    func testDepthAndLeafSizeLimits() throws {
        let (x, y) = LearnData.xor(rows: 400, seed: 3)
        var p = RandomForestParameters()
        p.trees = 5; p.maxDepth = 3
        let shallow = try RandomForestClassifier.fit(x, y, parameters: p, threads: 1)
        for tree in shallow.trees { XCTAssertLessThanOrEqual(tree.depth, 3) }
        p.maxDepth = nil; p.minSamplesLeaf = 30; p.bootstrap = false
        let coarse = try RandomForestClassifier.fit(x, y, parameters: p, threads: 1)
        // Every leaf holds at least 30 training rows.
        for tree in coarse.trees {
            var perLeaf = [Int: Int]()
            for r in 0..<x.rows {
                let leaf = x.values.withUnsafeBufferPointer { tree.leaf($0.baseAddress! + r * x.columns) }
                perLeaf[leaf, default: 0] += 1
            }
            XCTAssertGreaterThanOrEqual(perLeaf.values.min()!, 30)
        }
    }

    func testExactThresholdsAreMidpoints() throws {
        // Few distinct values: thresholds are midpoints between adjacent values, like scikit-learn.
        let v: [Double] = [1, 2, 3, 10, 11, 12]
        let y = [0, 0, 0, 1, 1, 1]
        var p = RandomForestParameters()
        p.trees = 1; p.bootstrap = false
        let model = try RandomForestClassifier.fit(LearnData.matrix(v, columns: 1), LearnData.labels(y, classes: 2), parameters: p, threads: 1)
        XCTAssertEqual(model.trees[0].nodes[0].threshold, 6.5)
        XCTAssertEqual(model.predict(LearnData.matrix([6.4, 6.6], columns: 1)), [0, 1])
    }

    func testManyDistinctValuesUseQuantileBins() throws {
        // 5000 distinct values, the class flips at 0.3217: quantile bins still find a threshold
        // between adjacent training values close to it.
        var rng = RappiML.SplitMix64(seed: 8)
        var v: [Double] = []
        for _ in 0..<5000 { v.append(rng.nextDouble()) }
        let y = v.map { $0 > 0.3217 ? 1 : 0 }
        var p = RandomForestParameters()
        p.trees = 1; p.bootstrap = false; p.maxDepth = 1
        let model = try RandomForestClassifier.fit(LearnData.matrix(v, columns: 1), LearnData.labels(y, classes: 2), parameters: p, threads: 1)
        let t = model.trees[0].nodes[0].threshold
        XCTAssertEqual(t, 0.3217, accuracy: 0.01)
        XCTAssertGreaterThan(LearnData.accuracy(model.predict(LearnData.matrix(v, columns: 1)), y), 0.99)
    }

    func testMaxFeatures() {
        XCTAssertEqual(MaxFeatures("sqrt"), .sqrt)
        XCTAssertEqual(MaxFeatures("log2"), .log2)
        XCTAssertEqual(MaxFeatures("all"), .all)
        XCTAssertEqual(MaxFeatures("none"), .all)
        XCTAssertEqual(MaxFeatures("0.5"), .fraction(0.5))
        XCTAssertEqual(MaxFeatures("7"), .count(7))
        XCTAssertNil(MaxFeatures("many"))
        XCTAssertEqual(MaxFeatures.sqrt.resolve(featureCount: 22), 4)
        XCTAssertEqual(MaxFeatures.sqrt.resolve(featureCount: 16), 4)
        XCTAssertEqual(MaxFeatures.log2.resolve(featureCount: 20), 4)
        XCTAssertEqual(MaxFeatures.log2.resolve(featureCount: 1), 1)
        XCTAssertEqual(MaxFeatures.all.resolve(featureCount: 9), 9)
        XCTAssertEqual(MaxFeatures.fraction(0.5).resolve(featureCount: 9), 4)
        XCTAssertEqual(MaxFeatures.fraction(0.01).resolve(featureCount: 9), 1)
        XCTAssertEqual(MaxFeatures.count(50).resolve(featureCount: 9), 9)
    }

    func testBadInputThrowsClearErrors() {
        let (x, y) = LearnData.xor(rows: 20, seed: 1)
        func fit(_ change: (inout RandomForestParameters) -> Void) -> String {
            var p = RandomForestParameters()
            change(&p)
            return LearnData.trainingError { _ = try RandomForestClassifier.fit(x, y, parameters: p, threads: 1) }
        }
        XCTAssertEqual(fit { $0.trees = 0 }, "trees must be at least 1 (got 0)")
        XCTAssertTrue(fit { $0.maxDepth = 0 }.contains("max_depth must be at least 1"))
        XCTAssertTrue(fit { $0.minSamplesLeaf = 0 }.contains("min_samples_leaf"))
        XCTAssertTrue(fit { $0.maxFeatures = .fraction(1.5) }.contains("max_features"))
        XCTAssertTrue(fit { $0.maxFeatures = .count(0) }.contains("max_features"))

        let p = RandomForestParameters()
        let oneClass = LearnData.labels([Int](repeating: 1, count: 20), classes: 2)
        XCTAssertTrue(LearnData.trainingError { _ = try RandomForestClassifier.fit(x, oneClass, parameters: p, threads: 1) }
            .contains("only one class"))
        let empty = FeatureMatrix(rows: 0, columns: 2, values: [], names: ["a", "b"])
        XCTAssertTrue(LearnData.trainingError { _ = try RandomForestClassifier.fit(empty, LearnData.labels([], classes: 2), parameters: p, threads: 1) }
            .contains("no rows"))
        XCTAssertTrue(LearnData.trainingError { _ = try RandomForestClassifier.fit(x, LearnData.labels([0, 1], classes: 2), parameters: p, threads: 1) }
            .contains("must match"))
        var bad = x.values
        bad[3] = .nan
        XCTAssertTrue(LearnData.trainingError {
            _ = try RandomForestClassifier.fit(FeatureMatrix(rows: 20, columns: 2, values: bad, names: x.names), y, parameters: p, threads: 1)
        }.contains("missing or infinite"))
    }

    func testCancellationAndProgress() throws {
        let (x, y) = LearnData.xor(rows: 200, seed: 4)
        var p = RandomForestParameters()
        p.trees = 12
        let done = WorkCounter()
        _ = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2, progress: { _ in _ = done.increment() })
        XCTAssertEqual(done.take(), 12)
        let message = LearnData.trainingError {
            _ = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2, isCancelled: { true })
        }
        XCTAssertTrue(message.contains("cancelled"))
    }
}
