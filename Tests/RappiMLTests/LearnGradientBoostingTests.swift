import Foundation
import XCTest
@testable import RappiML

final class LearnGradientBoostingTests: XCTestCase {
    private func parameters(rounds: Int = 50, _ change: (inout GradientBoostingParameters) -> Void = { _ in }) -> GradientBoostingParameters {
        var p = GradientBoostingParameters()
        p.rounds = rounds
        change(&p)
        return p
    }

    private func sigmoid(_ s: Double) -> Double { 1 / (1 + exp(-s)) }

    func testOneRoundsLeafValuesAreMinusGOverHPlusL2TimesTheLearningRate() throws {
        // Start score log(2/2) = 0, so p = 0.5 everywhere: g = p − y = ±0.5, h = p(1 − p) = 0.25.
        // The only useful split is x ≤ 2.5: left G = 1, H = 0.5; right G = −1, H = 0.5.
        let x = LearnData.matrix([1, 2, 3, 4], columns: 1)
        let y = LearnData.labels([0, 0, 1, 1], classes: 2)
        let p = parameters(rounds: 1) { $0.minLeaf = 1; $0.l2 = 1; $0.learningRate = 0.5 }
        let model = try GradientBoostingClassifier.fit(x, y, parameters: p, threads: 1)
        XCTAssertEqual(model.treeCount, 1)
        let left = -1.0 / (0.5 + 1) * 0.5, right = 1.0 / (0.5 + 1) * 0.5
        let probabilities = try XCTUnwrap(model.predictProbabilities(x))
        for (row, value) in [left, left, right, right].enumerated() {
            XCTAssertEqual(probabilities[row * 2 + 1], sigmoid(Double(Float(value))), accuracy: 1e-12, "row \(row)")
            XCTAssertEqual(probabilities[row * 2] + probabilities[row * 2 + 1], 1, accuracy: 1e-12)
        }
        // The split's gain: GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ) = 2/1.5 − 0.
        XCTAssertEqual(model.gainImportance[0], 2 / 1.5, accuracy: 1e-12)
        XCTAssertEqual(model.splitCounts, [1])
        // The learning curve starts at log 2 (p = 0.5) and goes down.
        XCTAssertEqual(model.trainLoss[0], log(2), accuracy: 1e-12)
        XCTAssertLessThan(model.trainLoss[1], model.trainLoss[0])
    }

    func testLearnsXORAndIgnoresNoiseFeatures() throws {
        let (x, y) = LearnData.xor(rows: 2000, noise: 3, seed: 1)
        let (tx, ty) = LearnData.xor(rows: 1000, noise: 3, seed: 2)
        let model = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 100), threads: 2)
        XCTAssertGreaterThan(LearnData.accuracy(model.predict(tx), ty.indices), 0.95)
        let weights = model.featureWeights
        XCTAssertEqual(weights.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertGreaterThan(weights[0] + weights[1], 0.8)
        XCTAssertEqual(model.splitCounts.reduce(0, +),
                       model.trees.reduce(0) { $0 + $1.nodes.count - $1.leafCount })
    }

    func testSoftmaxLearnsThreeClassesWithOneTreePerClassAndRound() throws {
        let (x, y) = LearnData.bands(rows: 1500, seed: 5)
        let (tx, ty) = LearnData.bands(rows: 500, seed: 6)
        let model = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 60), threads: 2)
        XCTAssertEqual(model.treeCount, 180)
        XCTAssertGreaterThan(LearnData.accuracy(model.predict(tx), ty.indices), 0.93)
        let probabilities = try XCTUnwrap(model.predictProbabilities(tx))
        for r in 0..<tx.rows { XCTAssertEqual(probabilities[(r * 3)..<(r * 3 + 3)].reduce(0, +), 1, accuracy: 1e-12) }
    }

    /// Rows whose feature 0 is missing belong to `missingClass`; the others follow x0 > 0.5.
    private func missingData(rows: Int, missingClass: Int, seed: UInt64) -> (FeatureMatrix, EncodedLabels) {
        var rng = RappiML.SplitMix64(seed: seed)
        var v: [Double] = [], y: [Int] = []
        for _ in 0..<rows {
            let a = rng.nextDouble(), noise = rng.nextDouble()
            if rng.nextDouble() < 0.3 {
                v += [.nan, noise]; y.append(missingClass)
            } else {
                v += [a, noise]; y.append(a > 0.5 ? 1 : 0)
            }
        }
        return (LearnData.matrix(v, columns: 2), LearnData.labels(y, classes: 2))
    }

    func testMissingValuesGoTheWayTheSplitLearned() throws {
        for missingClass in [0, 1] {
            let (x, y) = missingData(rows: 1000, missingClass: missingClass, seed: 3)
            let model = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 30), threads: 2)
            let query = LearnData.matrix([.nan, 0.5, .nan, 0.1, 0.2, 0.5, 0.9, 0.5], columns: 2)
            XCTAssertEqual(model.predict(query), [missingClass, missingClass, 0, 1], "missing rows were class \(missingClass)")
            // Sending missing values right (with the large values) needs the mirrored keys.
            if missingClass == 1 { XCTAssertTrue(model.mirrorsMissing) }
            XCTAssertGreaterThan(LearnData.accuracy(model.predict(x), y.indices), 0.97)
            // The batch walk and a plain node-by-node walk agree, missing values included.
            XCTAssertEqual(model.rawScores(query, threads: 1), plainScores(model, query))
        }
    }

    func testAFeatureWithoutMissingTrainingValuesSendsMissingValuesLeft() throws {
        // Class 1 is x0 > 0.5: a missing x0 goes left, with the small values, to class 0.
        let (x, y) = LearnData.xor(rows: 800, seed: 4)
        let model = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 20), threads: 1)
        let small = model.predictProbabilities(LearnData.matrix([-0.9, 0.7], columns: 2))!
        let missing = model.predictProbabilities(LearnData.matrix([.nan, 0.7], columns: 2))!
        XCTAssertEqual(missing, small)
    }

    func testEarlyStoppingKeepsTheRoundWithTheLowestValidationLoss() throws {
        // Labels with 30% noise and a large learning rate: the validation loss turns up early.
        var rng = RappiML.SplitMix64(seed: 8)
        var v: [Double] = [], labels: [Int] = []
        for _ in 0..<1500 {
            let a = rng.nextDouble(), b = rng.nextDouble()
            v += [a, b]
            labels.append((a > 0.5) != (rng.nextDouble() < 0.3) ? 1 : 0)
        }
        let x = LearnData.matrix(v, columns: 2), y = LearnData.labels(labels, classes: 2)
        let p = parameters(rounds: 300) { $0.learningRate = 0.5; $0.minLeaf = 5; $0.earlyStopping = 10 }
        let model = try GradientBoostingClassifier.fit(x, y, parameters: p, threads: 2)
        let curve = model.validationLoss
        XCTAssertEqual(curve.count, model.trainLoss.count)
        let best = (1..<curve.count).min { curve[$0] < curve[$1] || (curve[$0] == curve[$1] && $0 < $1) }!
        XCTAssertEqual(model.bestRound, best)
        XCTAssertEqual(model.roundCount, best)
        XCTAssertEqual(curve.count - 1, best + 10, "training stops 10 rounds after the best one")
        XCTAssertLessThan(curve.count - 1, 300)
        // The training loss keeps falling past the best round.
        XCTAssertLessThan(model.trainLoss.last!, model.trainLoss[best])
        // Without early stopping there is no validation curve and every round is kept.
        let all = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 40) { $0.learningRate = 0.5 }, threads: 2)
        XCTAssertEqual(all.validationLoss, [])
        XCTAssertEqual(all.bestRound, 40)
        XCTAssertEqual(all.roundCount, 40)
    }

    func testThreadCountDoesNotChangeTheModel() throws {
        // Enough rows for the histograms to be built on several threads, missing values,
        // three classes, row and feature sampling.
        var rng = RappiML.SplitMix64(seed: 21)
        var v: [Double] = [], labels: [Int] = []
        for _ in 0..<6000 {
            var row = (0..<8).map { _ in rng.nextDouble() }
            labels.append(row[0] + row[1] > 1.2 ? 2 : (row[2] > 0.5 ? 1 : 0))
            if rng.nextDouble() < 0.1 { row[1] = .nan }
            v += row
        }
        let x = LearnData.matrix(v, columns: 8), y = LearnData.labels(labels, classes: 3)
        let p = parameters(rounds: 15) { $0.subsample = 0.8; $0.colsample = 0.75; $0.seed = 77; $0.earlyStopping = 5 }
        let one = try GradientBoostingClassifier.fit(x, y, parameters: p, threads: 1)
        let bytes = LearnData.encoded(one)
        for threads in [2, 5] {
            let other = try GradientBoostingClassifier.fit(x, y, parameters: p, threads: threads)
            XCTAssertEqual(LearnData.encoded(other), bytes, "\(threads) threads")
        }
        XCTAssertEqual(one.predictProbabilities(x, threads: 1), one.predictProbabilities(x, threads: 4))
        var q = p
        q.seed = 78
        XCTAssertNotEqual(LearnData.encoded(try GradientBoostingClassifier.fit(x, y, parameters: q, threads: 2)), bytes)
    }

    func testLargeLeavesBuiltInRowBlocksAndPartitionedInChunksGiveTheSameModelOnAnyThreadCount() throws {
        // 40,000 rows: the root's histogram is built in row blocks (`blockRows`) and the large
        // leaves are partitioned in chunks, one per thread — the classifier and the regressor
        // (whose histograms count rows for hessians) must not depend on the thread count.
        let rows = 40_000
        XCTAssertGreaterThanOrEqual(rows / BoostedTreeGrower.blockRows, 2, "the root must be built in blocks")
        var rng = RappiML.SplitMix64(seed: 5)
        var v: [Double] = [], labels: [Int] = [], targets: [Double] = []
        for _ in 0..<rows {
            let row = (0..<4).map { _ in rng.nextDouble() }
            labels.append(row[0] + 0.5 * row[1] > 0.8 ? 1 : 0)
            targets.append(3 * row[0] - 2 * row[2] + 0.1 * rng.nextDouble())
            v += row
        }
        let x = LearnData.matrix(v, columns: 4), y = LearnData.labels(labels, classes: 2)
        let p = parameters(rounds: 5) { $0.learningRate = 0.5 }
        let classifier = try GradientBoostingClassifier.fit(x, y, parameters: p, threads: 1)
        let regressor = try GradientBoostingClassifier.fitRegression(x, targets: targets, parameters: p, threads: 1)
        for threads in [2, 3] {
            XCTAssertEqual(LearnData.encoded(try GradientBoostingClassifier.fit(x, y, parameters: p, threads: threads)),
                           LearnData.encoded(classifier), "classifier, \(threads) threads")
            XCTAssertEqual(LearnData.encoded(try GradientBoostingClassifier.fitRegression(x, targets: targets, parameters: p, threads: threads)),
                           LearnData.encoded(regressor), "regressor, \(threads) threads")
        }
        // And the sums the blocks add up are right: both models learn their targets.
        let probabilities = classifier.predictProbabilities(x, threads: 2)
        let correct = (0..<rows).filter { (probabilities[2 * $0 + 1] > 0.5 ? 1 : 0) == labels[$0] }.count
        XCTAssertGreaterThan(Double(correct) / Double(rows), 0.97)
        let scores = regressor.decisionScores(x)
        let mse = zip(scores, targets).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(rows)
        XCTAssertLessThan(mse.squareRoot(), 0.2, "RMSE on targets of standard deviation about 0.9")
    }

    func testEncodeDecodeRoundTrip() throws {
        let (x, y) = missingData(rows: 600, missingClass: 1, seed: 12)
        let p = parameters(rounds: 25) { $0.leaves = 7; $0.maxDepth = 3; $0.minLeaf = 4; $0.l2 = 0.5; $0.bins = 31; $0.earlyStopping = 8 }
        let model = try GradientBoostingClassifier.fit(x, y, parameters: p, threads: 2)
        let bytes = LearnData.encoded(model)
        let back = try LearnData.decoded(GradientBoostingClassifier.self, bytes)
        XCTAssertEqual(back.parameters, p)
        XCTAssertEqual(back.bestRound, model.bestRound)
        XCTAssertEqual(back.trainLoss, model.trainLoss)
        XCTAssertEqual(back.validationLoss, model.validationLoss)
        XCTAssertEqual(back.gainImportance, model.gainImportance)
        XCTAssertEqual(back.splitCounts, model.splitCounts)
        XCTAssertEqual(back.predictProbabilities(x), model.predictProbabilities(x))
        XCTAssertEqual(LearnData.encoded(back), bytes)
        // Depth 3 means at most 8 leaves, leaves=7 at most 7.
        XCTAssertTrue(model.trees.allSatisfy { $0.depth <= 3 && $0.leafCount <= 7 })
        for cut in [10, bytes.count / 2, bytes.count - 1] {
            var r = BinaryReader(Array(bytes.prefix(cut)))
            XCTAssertThrowsError(try GradientBoostingClassifier(from: &r))
        }
    }

    func testBatchPredictionOnManyRowsEqualsPlainWalks() throws {
        let (x, y) = LearnData.bands(rows: 3000, seed: 31)
        let model = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 20), threads: 2)
        XCTAssertEqual(model.rawScores(x, threads: 2), plainScores(model, x))
    }

    func testBadParametersAndDataThrowClearErrors() {
        let (x, y) = LearnData.xor(rows: 50, seed: 1)
        func message(_ change: (inout GradientBoostingParameters) -> Void) -> String {
            LearnData.trainingError { _ = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 5, change), threads: 1) }
        }
        XCTAssertTrue(message { $0.rounds = 0 }.contains("rounds must be at least 1"))
        XCTAssertTrue(message { $0.learningRate = 0 }.contains("learning_rate"))
        XCTAssertTrue(message { $0.leaves = 1 }.contains("leaves must be at least 2"))
        XCTAssertTrue(message { $0.subsample = 1.5 }.contains("subsample must be in (0, 1]"))
        XCTAssertTrue(message { $0.colsample = 0 }.contains("colsample"))
        XCTAssertTrue(message { $0.bins = 256 }.contains("bins must be between 2 and 255"))
        XCTAssertTrue(message { $0.earlyStopping = 0 }.contains("early_stopping"))
        let infinite = LearnData.matrix([1, .infinity, 2, 3], columns: 1)
        let error = LearnData.trainingError {
            _ = try GradientBoostingClassifier.fit(infinite, LearnData.labels([0, 1, 0, 1], classes: 2), parameters: parameters(), threads: 1)
        }
        XCTAssertTrue(error.contains("missing or infinite value at row 1"), error)
        let tiny = LearnData.trainingError {
            _ = try GradientBoostingClassifier.fit(LearnData.matrix([1, 2], columns: 1), LearnData.labels([0, 1], classes: 2),
                                                   parameters: parameters { $0.earlyStopping = 3 }, threads: 1)
        }
        XCTAssertTrue(tiny.contains("early_stopping needs more training rows"), tiny)
    }

    func testProgressCountsRoundsAndCancellationStops() throws {
        let (x, y) = LearnData.xor(rows: 300, seed: 7)
        let rounds = Counter()
        _ = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 12), threads: 1, progress: { rounds.set($0) })
        XCTAssertEqual(rounds.value, 12)
        let error = LearnData.trainingError {
            _ = try GradientBoostingClassifier.fit(x, y, parameters: parameters(rounds: 12), threads: 1, isCancelled: { true })
        }
        XCTAssertEqual(error, "training was cancelled")
    }

    /// Scores from walking every tree node by node (no batch kernel).
    private func plainScores(_ model: GradientBoostingClassifier, _ x: FeatureMatrix) -> [Double] {
        let outputs = model.outputs, rows = x.rows
        var out = [Double](repeating: 0, count: rows * outputs)
        x.values.withUnsafeBufferPointer { xv in
            for r in 0..<rows {
                for c in 0..<outputs { out[c * rows + r] = model.baseScores[c] }
                for (t, tree) in model.trees.enumerated() {
                    let leaf = GradientBoostingClassifier.leaf(tree, xv.baseAddress! + r * x.columns, featureCount: x.columns)
                    out[(t % outputs) * rows + r] += Double(tree.values[leaf])
                }
            }
        }
        return out
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var latest = 0
    func set(_ v: Int) { lock.lock(); latest = max(latest, v); lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return latest }
}
