import Foundation
import XCTest
@testable import RappiML

/// Regression estimators on cases small enough to check by hand, and the properties every rappi
/// model keeps (model files round-trip, bit-identical across thread counts).
final class LearnRegressionTests: XCTestCase {
    /// y = 3·x0 + noise-free step on x1, with `noise` useless features.
    private func smooth(rows: Int, seed: UInt64) -> (FeatureMatrix, [Double]) {
        var rng = RappiML.SplitMix64(seed: seed)
        var v: [Double] = [], y: [Double] = []
        for _ in 0..<rows {
            let a = rng.nextDouble() * 4 - 2, b = rng.nextDouble(), c = rng.nextDouble()
            v += [a, b, c]
            y.append(3 * a + (b > 0.5 ? 10 : 0))
        }
        return (LearnData.matrix(v, columns: 3), y)
    }

    private func rmse(_ predicted: [Double], _ truth: [Double]) -> Double {
        RegressionMetrics.compute(truth: truth, predicted: predicted).rmse
    }

    // MARK: ridge

    func testRidgeWithoutPenaltyRecoversAnExactLinearFunction() throws {
        // y = 2·x0 − 3·x1 + 5 exactly.
        let x = LearnData.matrix([1, 0, 0, 1, 2, 2, 3, 1, 4, 5], columns: 2)
        let y = [7.0, 2, 3, 8, -2]
        var p = RidgeParameters()
        p.alpha = 0
        let model = try RidgeRegression.fit(x, targets: y, parameters: p)
        XCTAssertEqual(model.coefficients[0], 2, accuracy: 1e-9)
        XCTAssertEqual(model.coefficients[1], -3, accuracy: 1e-9)
        XCTAssertEqual(model.intercept, 5, accuracy: 1e-9)
        for (got, want) in zip(model.decisionScores(x), y) { XCTAssertEqual(got, want, accuracy: 1e-9) }
        XCTAssertNil(model.predictProbabilities(x))
        XCTAssertTrue(model.isRegressor)
    }

    func testRidgePenaltyShrinksTheSlopeAsTheClosedFormSays() throws {
        // One feature: w = Sxy / (Sxx + α) on centred data, b = ȳ − w·x̄.
        let xs = [1.0, 2, 3, 4], ys = [1.0, 3, 2, 5]
        let mx = 2.5, my = 2.75
        let sxy = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +), sxx = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        var p = RidgeParameters()
        p.alpha = 2
        let model = try RidgeRegression.fit(LearnData.matrix(xs, columns: 1), targets: ys, parameters: p)
        XCTAssertEqual(model.coefficients[0], sxy / (sxx + 2), accuracy: 1e-12)
        XCTAssertEqual(model.intercept, my - sxy / (sxx + 2) * mx, accuracy: 1e-12)
    }

    func testRidgeWithoutPenaltyOnDuplicatedFeaturesSaysToUseAlpha() {
        let x = LearnData.matrix([1, 1, 2, 2, 3, 3], columns: 2)
        var p = RidgeParameters()
        p.alpha = 0
        let message = LearnData.trainingError { _ = try RidgeRegression.fit(x, targets: [1, 2, 3], parameters: p) }
        XCTAssertTrue(message.contains("alpha"), message)
    }

    func testRidgeModelFileRoundTrips() throws {
        let (x, y) = smooth(rows: 200, seed: 1)
        let model = try RidgeRegression.fit(x, targets: y, parameters: RidgeParameters())
        let back = try LearnData.decoded(RidgeRegression.self, LearnData.encoded(model))
        XCTAssertEqual(back.decisionScores(x), model.decisionScores(x))
        XCTAssertEqual(LearnData.encoded(back), LearnData.encoded(model))
    }

    // MARK: regression forest

    func testRegressionTreeSplitsWhereTheSquaredErrorDropsMostAndLeavesHoldMeans() throws {
        // y jumps between x = 3 and x = 4; one tree, every row once, depth 1.
        let x = LearnData.matrix([1, 2, 3, 4, 5, 6], columns: 1)
        let y = [1.0, 2, 3, 10, 11, 12]
        var p = RandomForestParameters()
        p.trees = 1
        p.bootstrap = false
        p.maxDepth = 1
        p.maxFeatures = .all
        let forest = try RandomForestClassifier.fitRegression(x, targets: y, parameters: p, threads: 1)
        let tree = forest.trees[0]
        XCTAssertEqual(tree.nodes[0].threshold, 3.5)
        XCTAssertEqual(forest.decisionScores(x), [2, 2, 2, 11, 11, 11])
        XCTAssertNil(forest.predictProbabilities(x))
        XCTAssertEqual(forest.featureImportances, [1])
    }

    func testRegressionForestLearnsAndIsBitIdenticalAcrossThreadCounts() throws {
        let (x, y) = smooth(rows: 1500, seed: 2)
        let (tx, ty) = smooth(rows: 500, seed: 3)
        var p = RandomForestParameters()
        p.trees = 30
        p.maxFeatures = .all
        let one = try RandomForestClassifier.fitRegression(x, targets: y, parameters: p, threads: 1)
        let four = try RandomForestClassifier.fitRegression(x, targets: y, parameters: p, threads: 4)
        XCTAssertEqual(LearnData.encoded(one), LearnData.encoded(four))
        // The target's standard deviation is about 6.4; the forest gets well under a tenth of it.
        XCTAssertLessThan(rmse(one.decisionScores(tx), ty), 0.6)
        let back = try LearnData.decoded(RandomForestClassifier.self, LearnData.encoded(one))
        XCTAssertEqual(back.decisionScores(tx), one.decisionScores(tx))
        XCTAssertGreaterThan(one.featureImportances[0] + one.featureImportances[1], 0.95)
    }

    // MARK: gradient boosting

    func testBoostedSquaredErrorStartsAtTheMeanAndConvergesOnAStep() throws {
        let x = LearnData.matrix([1, 2, 3, 4], columns: 1)
        var p = GradientBoostingParameters()
        p.rounds = 1
        p.minLeaf = 1
        p.learningRate = 0.5
        let model = try GradientBoostingClassifier.fitRegression(x, targets: [0, 0, 10, 10], parameters: p, threads: 1)
        // Base 5; g = s − y = ±5, h = 1; leaves −G/H · 0.5 = ∓2.5.
        XCTAssertEqual(model.decisionScores(x), [2.5, 2.5, 7.5, 7.5])
        XCTAssertEqual(model.trainLoss[0], 25)   // mean squared error at the mean
        XCTAssertEqual(model.lossName, "squared error")
        XCTAssertNil(model.predictProbabilities(x))
    }

    func testBoostedAbsoluteErrorMovesLeavesToTheirMedianResidualAndShrugsOffAnOutlier() throws {
        // Left rows 0, 0, 0 and right rows 10, 10, 1000: the median is robust to the 1000.
        let x = LearnData.matrix([1, 2, 3, 4, 5, 6], columns: 1)
        let y = [0.0, 0, 0, 10, 10, 1000]
        var p = GradientBoostingParameters()
        p.rounds = 1
        p.minLeaf = 1
        p.learningRate = 1
        p.loss = .l1
        let model = try GradientBoostingClassifier.fitRegression(x, targets: y, parameters: p, threads: 1)
        // Base = median 5; the split is x ≤ 3.5 (all left residuals −5, right ones 5, 5, 995).
        XCTAssertEqual(model.decisionScores(x), [0, 0, 0, 10, 10, 10])
        XCTAssertEqual(model.lossName, "absolute error")
        let back = try LearnData.decoded(GradientBoostingClassifier.self, LearnData.encoded(model))
        XCTAssertEqual(back.parameters.loss, .l1)
        XCTAssertEqual(back.decisionScores(x), model.decisionScores(x))
    }

    func testBoostedRegressionLearnsIsBitIdenticalAcrossThreadsAndRoundTrips() throws {
        let (x, y) = smooth(rows: 3000, seed: 4)
        let (tx, ty) = smooth(rows: 500, seed: 5)
        var p = GradientBoostingParameters()
        p.rounds = 150
        p.earlyStopping = 10
        let one = try GradientBoostingClassifier.fitRegression(x, targets: y, parameters: p, threads: 1)
        let four = try GradientBoostingClassifier.fitRegression(x, targets: y, parameters: p, threads: 4)
        XCTAssertEqual(LearnData.encoded(one), LearnData.encoded(four))
        XCTAssertLessThan(rmse(one.decisionScores(tx), ty), 0.5)
        let back = try LearnData.decoded(GradientBoostingClassifier.self, LearnData.encoded(one))
        XCTAssertEqual(back.decisionScores(tx), one.decisionScores(tx))
        XCTAssertEqual(back.classCount, 1)
    }

    func testClassesRefuseARegressionObjective() {
        let (x, y) = LearnData.xor(rows: 100, seed: 1)
        var p = GradientBoostingParameters()
        p.loss = .l1
        let message = LearnData.trainingError { _ = try GradientBoostingClassifier.fit(x, y, parameters: p, threads: 1) }
        XCTAssertTrue(message.contains("objective=l1"), message)
    }

    func testARegressionTargetMustBeFinite() {
        let x = LearnData.matrix([1, 2], columns: 1)
        let message = LearnData.trainingError { _ = try RidgeRegression.fit(x, targets: [1, .infinity], parameters: RidgeParameters()) }
        XCTAssertTrue(message.contains("finite"), message)
    }

    // MARK: metrics

    func testRegressionMetricsByHand() {
        // Residuals 1, −1, 2, 0: MSE 6/4, MAE 4/4; ȳ = 4, SS_tot = 9 + 1 + 1 + 9 = 20.
        let m = RegressionMetrics.compute(truth: [1, 3, 5, 7], predicted: [0, 4, 3, 7])
        XCTAssertEqual(m.rmse, (6.0 / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(m.mae, 1, accuracy: 1e-12)
        XCTAssertEqual(m.r2, 1 - 6.0 / 20, accuracy: 1e-12)
        // Sorted residuals −1, 0, 1, 2: median 0.5, 25% at position 0.75 → −0.25.
        XCTAssertEqual(m.residualQuantiles[2], 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.residualQuantiles[1], -0.25, accuracy: 1e-12)
        XCTAssertEqual(RegressionMetrics.compute(truth: [2, 2], predicted: [2, 2]).r2, 1)
        XCTAssertEqual(RegressionMetrics.compute(truth: [2, 2], predicted: [1, 3]).r2, 0)
    }
}
