import XCTest
@testable import RappiML

final class LearnMetricsTests: XCTestCase {
    func testBinaryCounts() {
        let truth = [0, 0, 1, 1, 1, 0], predicted = [0, 1, 1, 1, 0, 0]
        let m = ClassificationMetrics.compute(truth: truth, predicted: predicted, classCount: 2,
                                              probabilities: nil, scores: [])
        XCTAssertEqual(m.confusion, [[2, 1], [1, 2]])
        XCTAssertEqual(m.accuracy, 4.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(m.precision, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.recall, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.f1, 2.0 / 3, accuracy: 1e-12)
        XCTAssertNil(m.rocAUC)
        XCTAssertNil(m.logLoss)
    }

    func testPrecisionRecallDiffer() {
        // tp = 1, fp = 2, fn = 1: precision 1/3, recall 1/2, F1 = 0.4.
        let m = ClassificationMetrics.compute(truth: [1, 1, 0, 0, 0], predicted: [1, 0, 1, 1, 0], classCount: 2,
                                              probabilities: nil, scores: [])
        XCTAssertEqual(m.precision, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.recall, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.f1, 0.4, accuracy: 1e-12)
        // Never predicting the positive class: precision 0 (zero_division=0), F1 0.
        let none = ClassificationMetrics.compute(truth: [1, 0], predicted: [0, 0], classCount: 2, probabilities: nil, scores: [])
        XCTAssertEqual(none.precision, 0)
        XCTAssertEqual(none.f1, 0)
    }

    func testAUCWithTiesAndLogLoss() {
        // sklearn: roc_auc_score([0,1,0,1], [0.5,0.5,0.2,0.9]) = 0.875
        let scores: [Double] = [0.5, 0.5, 0.5, 0.5, 0.8, 0.2, 0.1, 0.9]
        let m = ClassificationMetrics.compute(truth: [0, 1, 0, 1], predicted: [0, 0, 0, 1], classCount: 2,
                                              probabilities: nil, scores: scores)
        XCTAssertEqual(m.rocAUC!, 0.875, accuracy: 1e-12)
        XCTAssertEqual(ClassificationMetrics.rocAUC(positive: [false, false, true, true], scores: [0.1, 0.4, 0.35, 0.8])!, 0.75, accuracy: 1e-12)
        XCTAssertEqual(ClassificationMetrics.rocAUC(positive: [true, false], scores: [1, 1])!, 0.5, accuracy: 1e-12)

        // sklearn: log_loss([0,1,1], [[.8,.2],[.3,.7],[0,1]]) = 0.19327283175098078
        let p: [Double] = [0.8, 0.2, 0.3, 0.7, 0.0, 1.0]
        let l = ClassificationMetrics.compute(truth: [0, 1, 1], predicted: [0, 1, 1], classCount: 2, probabilities: p, scores: p)
        XCTAssertEqual(l.logLoss!, 0.19327283175098078, accuracy: 1e-9)
        XCTAssertEqual(l.rocAUC!, 1.0, accuracy: 1e-12)
        // A confidently wrong prediction is clipped at 1e-15, not infinite.
        let wrong = ClassificationMetrics.compute(truth: [0], predicted: [1], classCount: 2, probabilities: [0, 1], scores: [0, 1])
        XCTAssertEqual(wrong.logLoss!, -log(1e-15), accuracy: 1e-9)
        XCTAssertNil(wrong.rocAUC)   // one class only in truth
    }

    func testMultiClassMacro() {
        // sklearn macro: precision 0.7222…, recall 0.6666…, F1 0.6555…; OvR AUC 1.0; log loss 0.63917…
        let truth = [0, 1, 2, 2, 1, 0], predicted = [0, 2, 2, 2, 1, 1]
        let p: [Double] = [0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4, 0.2, 0.6, 0.2, 0.5, 0.4, 0.1]
        let m = ClassificationMetrics.compute(truth: truth, predicted: predicted, classCount: 3, probabilities: p, scores: p)
        XCTAssertEqual(m.precision, 0.7222222222222222, accuracy: 1e-12)
        XCTAssertEqual(m.recall, 0.6666666666666666, accuracy: 1e-12)
        XCTAssertEqual(m.f1, 0.6555555555555556, accuracy: 1e-12)
        XCTAssertEqual(m.rocAUC!, 1.0, accuracy: 1e-12)
        XCTAssertEqual(m.logLoss!, 0.6391769940486696, accuracy: 1e-9)
        XCTAssertEqual(m.confusion, [[1, 1, 0], [0, 1, 1], [0, 0, 2]])
        XCTAssertEqual(m.accuracy, 4.0 / 6, accuracy: 1e-12)
    }
}
