import XCTest
@testable import RappiML

/// Reference solutions computed once with scikit-learn 1.9.1 (LinearSVC dual=True tol=1e-8,
/// cross-checked with the primal solver; LogisticRegression lbfgs tol=1e-12;
/// OneVsRestClassifier(LogisticRegression) for three classes).
final class LearnLinearModelTests: XCTestCase {
    static let binX: [Double] = [2.04, -2.56, 0.42, -0.57, -0.45, -0.22, -2.02, -0.23, -0.87, 3.32, 0.23, -0.35, -0.28, -0.67, -1.06, -0.39, 0.48, -0.24, 0.96, -0.2, 0.02, 1.55, 0.55, -0.51, 1.32, 1.54, 3.44, 0.73, 1.26, 2.0, 0.61, 0.71, 2.38, 1.58, 1.59, 1.67, -1.33, 2.02, 0.54, -0.67, 1.78, 1.7, 1.06, -0.08, 1.53, 0.95, 2.91, 1.75]
    static let binY = [Int](repeating: 0, count: 12) + [Int](repeating: 1, count: 12)
    static let multiX: [Double] = [0.16, 0.89, -0.16, -0.74, 0.47, 0.47, -0.17, -0.63, 0.18, -2.0, 0.55, 0.39, -1.31, 0.05, -0.77, 0.61, -1.63, -0.73, 0.57, 0.93, 0.27, -0.4, 2.26, -0.49, 3.27, -0.95, 2.28, -0.84, 3.12, -0.02, 1.7, -1.37, 3.35, 0.6, 2.6, 0.91, 2.28, -0.51, 1.36, -0.64, 2.1, 0.83, 0.52, 1.74, 1.18, 2.46, 0.0, 0.62, 1.0, 2.97, 1.61, 2.17, 0.75, 2.23, 0.81, 2.65, 0.36, 2.11, 0.91, 2.43]
    static let multiY = [Int](repeating: 0, count: 10) + [Int](repeating: 1, count: 10) + [Int](repeating: 2, count: 10)
    static let sepX: [Double] = [0, 0, 1, 0, 0, 1, 3, 3, 4, 3, 3, 4]
    static let sepY = [0, 0, 0, 1, 1, 1]

    var bin: (FeatureMatrix, EncodedLabels) { (LearnData.matrix(Self.binX, columns: 2), LearnData.labels(Self.binY, classes: 2)) }
    var multi: (FeatureMatrix, EncodedLabels) { (LearnData.matrix(Self.multiX, columns: 2), LearnData.labels(Self.multiY, classes: 3)) }
    var sep: (FeatureMatrix, EncodedLabels) { (LearnData.matrix(Self.sepX, columns: 2), LearnData.labels(Self.sepY, classes: 2)) }

    func assertClose(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-3, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: tolerance, "\(a) vs \(b)", file: file, line: line) }
    }

    func svc(_ data: (FeatureMatrix, EncodedLabels), C: Double, tolerance: Double = 1e-6) throws -> LinearSVC {
        var p = LinearSVCParameters()
        p.C = C; p.tolerance = tolerance; p.maxIterations = 100_000
        return try LinearSVC.fit(data.0, data.1, parameters: p)
    }

    func logreg(_ data: (FeatureMatrix, EncodedLabels), C: Double) throws -> LogisticRegression {
        var p = LogisticRegressionParameters()
        p.C = C
        return try LogisticRegression.fit(data.0, data.1, parameters: p)
    }

    func testLinearSVCBinaryMatchesScikitLearn() throws {
        let m = try svc(bin, C: 1)
        assertClose(m.coefficients[0], [0.5047098826685493, 0.38099759706021197])
        assertClose(m.intercepts, [-0.5305655772020684])
        XCTAssertTrue(m.converged)
        let weak = try svc(bin, C: 0.1)
        assertClose(weak.coefficients[0], [0.3447366636620988, 0.3032131372142508])
        assertClose(weak.intercepts, [-0.3312972903448628])
        XCTAssertNil(m.predictProbabilities(bin.0))
        // Default tolerance (1e-4) is close as well.
        let defaults = try LinearSVC.fit(bin.0, bin.1, parameters: LinearSVCParameters())
        assertClose(defaults.coefficients[0] + defaults.intercepts, [0.5047098826685493, 0.38099759706021197, -0.5305655772020684], 1e-2)
    }

    func testLinearSVCSeparableAndScores() throws {
        let m = try svc(sep, C: 1)
        assertClose(m.coefficients[0], [0.3049327352368809, 0.30493273556569983])
        assertClose(m.intercepts, [-0.9865470847087571])
        XCTAssertEqual(m.predict(sep.0), Self.sepY)
        let scores = m.decisionScores(sep.0)
        XCTAssertEqual(scores.count, 12)
        XCTAssertEqual(scores[1], -scores[0])
        XCTAssertLessThan(scores[1], 0)
        XCTAssertGreaterThan(scores[7], 0)
    }

    func testLinearSVCMultiClassOneVsRest() throws {
        let m = try svc(multi, C: 1)
        XCTAssertEqual(m.coefficients.count, 3)
        assertClose(m.coefficients.flatMap { $0 }, [-0.8512431183715643, -0.2618209199710386, 0.682811599798879, -0.43193226700319454, -0.049140597911099634, 0.9034109474252777])
        assertClose(m.intercepts, [0.4471515526044273, -0.9056554498321521, -1.0073136764661743])
        XCTAssertGreaterThan(LearnData.accuracy(m.predict(multi.0), Self.multiY), 0.8)
        XCTAssertEqual(m.featureWeights.count, 2)
        XCTAssertEqual(m.featureWeights[0], 0.8512431183715643, accuracy: 1e-3)
    }

    func testLinearSVCRoundTripAndDeterminism() throws {
        let a = try svc(multi, C: 0.5), b = try svc(multi, C: 0.5)
        XCTAssertEqual(LearnData.encoded(a), LearnData.encoded(b))
        let back = try LearnData.decoded(LinearSVC.self, LearnData.encoded(a))
        XCTAssertEqual(back.decisionScores(multi.0), a.decisionScores(multi.0))
        XCTAssertEqual(back.parameters, a.parameters)
    }

    func testLogisticRegressionBinaryMatchesScikitLearn() throws {
        let m = try logreg(bin, C: 1)
        assertClose(m.coefficients[0], [1.0952841316972015, 0.8271309481281091], 1e-4)
        assertClose(m.intercepts, [-1.1420873063856776], 1e-4)
        let first = LearnData.matrix(Array(Self.binX.prefix(4)), columns: 2)
        assertClose(m.predictProbabilities(first)!, [0.7359770499883418, 0.26402295001165815, 0.7601555712097838, 0.23984442879021622], 1e-4)
        XCTAssertTrue(m.converged)
        let weak = try logreg(bin, C: 0.1)
        assertClose(weak.coefficients[0], [0.4314173660968061, 0.374823051940588], 1e-4)
        assertClose(weak.intercepts, [-0.5019305746335744], 1e-4)
    }

    func testLogisticRegressionSeparable() throws {
        let m = try logreg(sep, C: 1)
        assertClose(m.coefficients[0], [0.7827911512884311, 0.7827911512884311], 1e-4)
        assertClose(m.intercepts, [-2.8673063107583854], 1e-4)
        XCTAssertEqual(m.predict(sep.0), Self.sepY)
    }

    func testLogisticRegressionOneVsRest() throws {
        let m = try logreg(multi, C: 1)
        assertClose(m.coefficients.flatMap { $0 }, [-1.6259325834426708, -0.619974775272002, 1.5416470698059928, -1.0099516187906625, -0.04335861533958899, 1.879507664312829], 1e-4)
        assertClose(m.intercepts, [0.7893384657268947, -2.237913608425327, -2.242116925845129], 1e-4)
        let first = LearnData.matrix(Array(Self.multiX.prefix(4)), columns: 2)
        let p = m.predictProbabilities(first)!
        assertClose(p, [0.5451718592603872, 0.05805657785191561, 0.3967715628876971, 0.8234127434522498, 0.15050961242711788, 0.026077644120632446], 1e-4)
        XCTAssertEqual(p[0] + p[1] + p[2], 1, accuracy: 1e-12)
        let back = try LearnData.decoded(LogisticRegression.self, LearnData.encoded(m))
        XCTAssertEqual(back.predictProbabilities(multi.0), m.predictProbabilities(multi.0))
    }

    func testLinearModelsLearnLargerData() throws {
        let (x, y) = LearnData.bands(rows: 1500, seed: 21)
        let (tx, ty) = LearnData.bands(rows: 500, seed: 22)
        let s = try LinearSVC.fit(x, y, parameters: LinearSVCParameters())
        XCTAssertGreaterThan(LearnData.accuracy(s.predict(tx), ty.indices), 0.9)
        let l = try LogisticRegression.fit(x, y, parameters: LogisticRegressionParameters())
        XCTAssertGreaterThan(LearnData.accuracy(l.predict(tx), ty.indices), 0.9)
        let metrics = ClassificationMetrics.compute(truth: ty.indices, predicted: l.predict(tx), classCount: 3,
                                                    probabilities: l.predictProbabilities(tx), scores: l.decisionScores(tx))
        XCTAssertGreaterThan(metrics.rocAUC!, 0.95)
        XCTAssertLessThan(metrics.logLoss!, 0.5)
    }

    func testBadParametersThrow() {
        let (x, y) = bin
        func svcError(_ change: (inout LinearSVCParameters) -> Void) -> String {
            var p = LinearSVCParameters(); change(&p)
            return LearnData.trainingError { _ = try LinearSVC.fit(x, y, parameters: p) }
        }
        func lrError(_ change: (inout LogisticRegressionParameters) -> Void) -> String {
            var p = LogisticRegressionParameters(); change(&p)
            return LearnData.trainingError { _ = try LogisticRegression.fit(x, y, parameters: p) }
        }
        XCTAssertTrue(svcError { $0.C = 0 }.contains("C must be a positive number"))
        XCTAssertTrue(svcError { $0.C = -.infinity }.contains("C must be"))
        XCTAssertTrue(svcError { $0.maxIterations = 0 }.contains("max_iter"))
        XCTAssertTrue(svcError { $0.tolerance = 0 }.contains("tol"))
        XCTAssertTrue(lrError { $0.C = -1 }.contains("C must be a positive number"))
        XCTAssertTrue(lrError { $0.maxIterations = -3 }.contains("max_iter"))
        XCTAssertTrue(lrError { $0.tolerance = .nan }.contains("tol"))
        let oneClass = LearnData.labels([Int](repeating: 0, count: 24), classes: 2)
        XCTAssertTrue(LearnData.trainingError { _ = try LinearSVC.fit(x, oneClass, parameters: LinearSVCParameters()) }.contains("only one class"))
        XCTAssertTrue(LearnData.trainingError { _ = try LogisticRegression.fit(x, oneClass, parameters: LogisticRegressionParameters()) }.contains("only one class"))
    }
}
