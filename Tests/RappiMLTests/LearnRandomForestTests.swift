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

    // MARK: batch prediction (lockstep walks, row blocks, threads) vs a plain walk per row and tree

    /// The forest's probabilities computed the simplest way: every tree walked on the raw Double
    /// values (`x > threshold` goes right), leaf distributions summed in tree order,
    /// then scaled by 1 / trees.
    static func referenceProbabilities(_ model: RandomForestClassifier, _ x: FeatureMatrix) -> [Double] {
        let k = model.classCount
        var out = [Double](repeating: 0, count: x.rows * k)
        x.values.withUnsafeBufferPointer { xb in
            for tree in model.trees {
                for r in 0..<x.rows {
                    let leaf = tree.leaf(xb.baseAddress! + r * x.columns)
                    for c in 0..<k { out[r * k + c] += Double(tree.values[leaf * k + c]) }
                }
            }
        }
        let scale = 1 / Double(model.trees.count)
        for i in out.indices { out[i] *= scale }
        return out
    }

    /// Rows made of the forest's own thresholds, their neighbouring doubles, ±0, ±infinity and
    /// NaN, so every comparison boundary is exercised.
    static func boundaryRows(_ model: RandomForestClassifier, rows: Int, seed: UInt64) -> FeatureMatrix {
        var rng = RappiML.SplitMix64(seed: seed)
        let d = model.featureCount
        var perFeature = [[Double]](repeating: [], count: d)
        for tree in model.trees {
            for (i, node) in tree.nodes.enumerated() where !tree.isLeaf(i) { perFeature[Int(node.feature)].append(node.threshold) }
        }
        let specials: [Double] = [0, -0.0, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                  .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        var v: [Double] = []
        for _ in 0..<rows {
            for f in 0..<d {
                let ts = perFeature[f]
                switch rng.nextInt(below: 8) {
                case 0: v.append(specials[rng.nextInt(below: specials.count)])
                case 1...3 where !ts.isEmpty: v.append(ts[rng.nextInt(below: ts.count)])
                case 4 where !ts.isEmpty: v.append(ts[rng.nextInt(below: ts.count)].nextUp)
                case 5 where !ts.isEmpty: v.append(ts[rng.nextInt(below: ts.count)].nextDown)
                default: v.append(rng.nextDouble() * 4 - 2)
                }
            }
        }
        return LearnData.matrix(v, columns: d)
    }

    func assertMatchesReference(_ model: RandomForestClassifier, _ x: FeatureMatrix, file: StaticString = #filePath, line: UInt = #line) {
        let reference = Self.referenceProbabilities(model, x)
        for threads in [1, 2, 3] {
            let got = model.predictProbabilities(x, threads: threads)
            // Bit for bit (== would also accept -0 for +0).
            XCTAssertEqual(got.map(\.bitPattern), reference.map(\.bitPattern), "threads \(threads)", file: file, line: line)
        }
    }

    func testBatchPredictionIsBitIdenticalToPlainWalks() throws {
        // Quantile-binned features (many distinct thresholds), exact ones (few values) and tiny
        // ones (subnormal differences), two and three classes; row counts around the lockstep
        // group size; values on, just above and just below the thresholds.
        var rng = RappiML.SplitMix64(seed: 21)
        var v: [Double] = [], y2: [Int] = [], y3: [Int] = []
        for _ in 0..<3000 {
            let a = rng.nextDouble() * 2 - 1, b = rng.nextDouble() * 2 - 1, c = Double(rng.nextInt(below: 5)), e = rng.nextDouble()
            v += [a, b, c, e, -a * 1e-300]
            y2.append((a > 0) != (b > 0) ? 1 : 0)
            y3.append(a + b < -0.4 ? 0 : (c >= 3 ? 1 : 2))
        }
        let x = LearnData.matrix(v, columns: 5)
        var p = RandomForestParameters()
        p.trees = 25
        for y in [LearnData.labels(y2, classes: 2), LearnData.labels(y3, classes: 3)] {
            let model = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)
            assertMatchesReference(model, x)
            for rows in [1, 15, 16, 17, 33, 1000] {
                assertMatchesReference(model, Self.boundaryRows(model, rows: rows, seed: UInt64(rows)))
            }
            // The model file round trip keeps every prediction.
            let back = try LearnData.decoded(RandomForestClassifier.self, LearnData.encoded(model))
            let probe = Self.boundaryRows(model, rows: 500, seed: 99)
            XCTAssertEqual(back.predictProbabilities(probe, threads: 2).map(\.bitPattern),
                           model.predictProbabilities(probe, threads: 2).map(\.bitPattern))
        }
    }

    func testBatchPredictionOnTheBenchmarkData() throws {
        // scripts/bench/train.sh generates these; a smaller forest on a part of the training rows
        // keeps the test quick.
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let train = root.appendingPathComponent("bench-data/synth_train.csv").path
        let test = root.appendingPathComponent("bench-data/synth_test.csv").path
        guard FileManager.default.fileExists(atPath: train), FileManager.default.fileExists(atPath: test) else {
            throw XCTSkip("bench-data/synth_*.csv not generated (scripts/bench/train.sh)")
        }
        func load(_ path: String, rows: Int) throws -> (FeatureMatrix, EncodedLabels) {
            let frame = try CSVReader.read(path: path).frame
            let features = frame.columns.filter { $0.name != "label" }
            let n = Swift.min(rows, frame.rowCount), d = features.count
            var v = [Double](repeating: 0, count: n * d)
            for (j, column) in features.enumerated() { let values = column.numericValues; for r in 0..<n { v[r * d + j] = values[r] } }
            let labels = frame.column(named: "label")!.numericValues.prefix(n).map { Int($0) }
            return (FeatureMatrix(rows: n, columns: d, values: v, names: features.map(\.name)), LearnData.labels(labels, classes: 2))
        }
        let (x, y) = try load(train, rows: 20_000)
        let (tx, _) = try load(test, rows: 20_000)
        var p = RandomForestParameters()
        p.trees = 8
        let model = try RandomForestClassifier.fit(x, y, parameters: p, threads: 2)
        assertMatchesReference(model, tx)
        assertMatchesReference(model, Self.boundaryRows(model, rows: 2_000, seed: 5))
    }
}
