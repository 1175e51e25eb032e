import Foundation
import XCTest
@testable import RappiCharts

/// Charts as people look at them: byte-for-byte golden files (rendered to PNG and checked by eye
/// when they were made), and the rules every chart keeps — texts inside the picture, no two texts
/// overlapping, everything escaped. `RAPPI_UPDATE_GOLDEN=1` rewrites the golden files.
final class ChartTests: XCTestCase {
    static let samples: [Chart] = [
        ConfusionMatrixChart.render([[98, 12], [19, 50]], classes: ["0", "1"], title: "Confusion matrix — random_forest on titanic v2"),
        ConfusionMatrixChart.render([[30, 2, 1], [4, 25, 6], [0, 7, 40]], classes: ["setosa", "versicolor", "a very long class name indeed"],
                                    title: "Confusion matrix — three classes"),
        ROCChart.render([ROCChart.Curve(label: "1", points: [(0, 0), (0.05, 0.4), (0.1, 0.62), (0.2, 0.78), (0.4, 0.9), (0.7, 0.97), (1, 1)], auc: 0.8712)],
                        title: "ROC curve — logistic_regression on titanic v2"),
        WeightsChart.render(names: ["Sex_male", "Pclass", "Age", "Fare", "SibSp", "Embarked_S", "Title_Mr", "a_feature_with_an_extremely_long_name_that_must_be_cut"],
                            weights: [-1.21, -0.83, -0.42, 0.12, -0.31, -0.2, -0.9, 0.05],
                            title: "Coefficients — logistic_regression on titanic v2", axisTitle: "weight"),
        WeightsChart.render(names: ["Sex_male", "Fare", "Age", "Pclass"], weights: [0.31, 0.24, 0.22, 0.09],
                            title: "Feature importances — random_forest on titanic v2", axisTitle: "mean decrease in impurity"),
        FoldScoresChart.render(metrics: [("accuracy", [0.81, 0.83, 0.79, 0.85, 0.82]), ("f1", [0.74, 0.77, 0.70, 0.79, 0.75]),
                                         ("auc", [0.86, 0.88, 0.84, 0.9, 0.87])],
                               title: "Cross-validation — random_forest trees=200 on titanic v2"),
        distributions, latency, intervals, predictedActual,
        ModelComparisonChart.render([
            ModelComparisonChart.Row(label: "titanic_rf", latest: 0.8324, earlier: [0.8101, 0.8212]),
            ModelComparisonChart.Row(label: "titanic_linsvc", latest: 0.8045),
            ModelComparisonChart.Row(label: "titanic_logreg_with_a_long_name", latest: 0.7933, earlier: [0.8011]),
        ], metric: "accuracy", higherIsBetter: true, title: "Registered models — accuracy on held-out rows"),
    ]

    static let predictedActual: Chart = {
        let actual: [Double] = (0..<120).map { 25 + Double(($0 * 53) % 320) }
        let predicted: [Double] = actual.enumerated().map { i, a in 150 + (a - 150) * 0.6 + Double((i * 31) % 41) - 20 }
        return PredictedActualChart.render(actual: actual, predicted: predicted, title: "Predicted vs actual — gbm on diabetes v1")
    }()

    static let distributions: Chart = {
        let age: [Double] = (0..<200).map { Double(($0 * 37) % 80) }
        let fare: [Double] = (0..<200).map { pow(Double($0), 1.6) / 10 }
        let titles: [(label: String, count: Int)] = [("Mr", 517), ("Miss", 182), ("Mrs", 125), ("Master", 40), ("Dr", 7), ("Rev", 6)]
        let panels: [DistributionsChart.Panel] = [
            .histogram(column: "Age", values: age, missing: 177),
            .histogram(column: "Fare", values: fare, missing: 0),
            .categories(column: "Sex", counts: [("male", 577), ("female", 314)], distinct: 2, missing: 0),
            .categories(column: "Embarked", counts: [("S", 644), ("C", 168), ("Q", 77)], distinct: 3, missing: 2),
            .categories(column: "Title_with_a_long_column_name", counts: titles, distinct: 17, missing: 0),
        ]
        return DistributionsChart.render(panels, title: "Columns of titanic v1", note: "not drawn (more than 20 distinct texts): Name, Ticket, Cabin")
    }()

    static let latency: Chart = {
        let buckets: [(fromMs: Double, toMs: Double, requests: Int)] = (0..<30).map { i in
            let from = 0.5 + 0.1 * Double(i)
            return (from, from + 0.1, Int(1000 * exp(-Double(i) / 5)))
        }
        return LatencyChart.render(buckets: buckets, percentiles: [("p50", 0.9), ("p90", 1.6), ("p99", 2.9), ("p99.9", 3.5)],
                                   title: "Latency — 20000 requests to titanic-rf, 8 connections")
    }()

    static let intervals: Chart = {
        let accuracy = IntervalChart.Panel(axisTitle: "accuracy (95% interval)", rows: [
            IntervalChart.Row(label: "A: titanic_rf v1", value: 0.40, low: 0.309401, high: 0.497997),
            IntervalChart.Row(label: "B: titanic_linsvc v1", value: 0.55, low: 0.452446, high: 0.643855)])
        let difference = IntervalChart.Panel(axisTitle: "difference in accuracy (95% interval)", rows: [
            IntervalChart.Row(label: "B − A", value: 0.15, low: 0.011724, high: 0.280449)], reference: 0)
        return IntervalChart.render([accuracy, difference], title: "A/B test titanic — B is better")
    }()

    private var goldenFolder: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden") }

    func testEveryChartMatchesItsGoldenFile() throws {
        let update = ProcessInfo.processInfo.environment["RAPPI_UPDATE_GOLDEN"] == "1"
        for (index, chart) in Self.samples.enumerated() {
            let file = goldenFolder.appendingPathComponent("\(index + 1)-\(chart.name).svg")
            if update { try chart.svg.write(to: file, atomically: true, encoding: .utf8); continue }
            let golden = try String(contentsOf: file, encoding: .utf8)
            XCTAssertEqual(chart.svg, golden, "\(file.lastPathComponent) changed — look at the new picture, then RAPPI_UPDATE_GOLDEN=1")
        }
    }

    func testNoTwoTextsOverlapAndAllStayInsideThePicture() {
        for chart in Self.samples {
            let size = Self.size(of: chart.svg)
            let boxes = Self.textBoxes(chart.svg)
            XCTAssertFalse(boxes.isEmpty, chart.title)
            for box in boxes {
                XCTAssertGreaterThanOrEqual(box.minX, 0, "'\(box.text)' leaves the picture on the left in \(chart.title)")
                XCTAssertLessThanOrEqual(box.maxX, size.width, "'\(box.text)' leaves the picture on the right in \(chart.title)")
                XCTAssertGreaterThanOrEqual(box.minY, 0, "'\(box.text)' leaves the top of \(chart.title)")
                XCTAssertLessThanOrEqual(box.maxY, size.height, "'\(box.text)' leaves the bottom of \(chart.title)")
            }
            for (i, a) in boxes.enumerated() {
                for b in boxes[(i + 1)...] where a.intersects(b) {
                    XCTFail("'\(a.text)' overlaps '\(b.text)' in \(chart.title)")
                }
            }
        }
    }

    func testTextIsEscapedSoAnyClassNameMakesValidSVG() {
        let chart = ConfusionMatrixChart.render([[1, 0], [0, 1]], classes: ["<b>", "a&b"], title: "\"quoted\"")
        XCTAssertTrue(chart.svg.contains("&lt;b&gt;"))
        XCTAssertTrue(chart.svg.contains("a&amp;b"))
        XCTAssertFalse(chart.svg.contains("<b>"))
        XCTAssertTrue(chart.svg.contains("<title>&quot;quoted&quot;</title>"))
    }

    func testTicksAreRoundNumbersCoveringTheRange() {
        XCTAssertEqual(PlotArea.ticks(0...1), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(PlotArea.ticks(-1.2...1.2, count: 6), [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(PlotArea.ticks(0.6...1), [0.6, 0.7, 0.8, 0.9, 1])
    }

    // MARK: reading the SVG back

    struct Box {
        let text: String
        let minX, maxX, minY, maxY: Double
        func intersects(_ other: Box) -> Bool {
            minX < other.maxX && other.minX < maxX && minY < other.maxY && other.minY < maxY
        }
    }

    static func size(of svg: String) -> (width: Double, height: Double) {
        let width = Double(capture(svg, #"<svg[^>]* width="([0-9.]+)""#) ?? "0")!
        let height = Double(capture(svg, #"<svg[^>]* height="([0-9.]+)""#) ?? "0")!
        return (width, height)
    }

    /// Bounding boxes of the unrotated texts, from the same width estimate the charts lay out with.
    static func textBoxes(_ svg: String) -> [Box] {
        svg.split(separator: "\n").compactMap { line -> Box? in
            let line = String(line)
            guard line.hasPrefix("<text"), !line.contains("rotate("),
                  let x = capture(line, #" x="([-0-9.]+)""#).flatMap(Double.init),
                  let y = capture(line, #" y="([-0-9.]+)""#).flatMap(Double.init),
                  let size = capture(line, #"font-size="([0-9.]+)""#).flatMap(Double.init),
                  let anchor = capture(line, #"text-anchor="(\w+)""#),
                  let content = capture(line, #">(.*)</text>"#) else { return nil }
            let plain = content.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            let width = ChartStyle.textWidth(plain, size: size)
            let minX = anchor == "middle" ? x - width / 2 : anchor == "end" ? x - width : x
            return Box(text: plain, minX: minX, maxX: minX + width, minY: y - size * 0.8, maxY: y + size * 0.2)
        }
    }

    static func capture(_ text: String, _ pattern: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }
}
