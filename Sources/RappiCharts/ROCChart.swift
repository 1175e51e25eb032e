/// ROC curves (true positive rate against false positive rate), one per class for several
/// classes, each labelled with its area under the curve, over the dashed chance diagonal.
public enum ROCChart {
    public struct Curve {
        public let label: String
        public let points: [(falsePositiveRate: Double, truePositiveRate: Double)]
        public let auc: Double
        public init(label: String, points: [(falsePositiveRate: Double, truePositiveRate: Double)], auc: Double) {
            self.label = label; self.points = points; self.auc = auc
        }
    }

    public static func render(_ curves: [Curve], title: String = "ROC curve") -> Chart {
        var svg = SVGDocument(width: 520, height: 500, title: title)
        let area = PlotArea(left: 70, top: 50, width: 400, height: 380, xRange: 0...1, yRange: 0...1)
        let ticks = PlotArea.ticks(0...1)
        area.drawAxes(&svg, xTitle: "false positive rate", yTitle: "true positive rate", xTicks: ticks, yTicks: ticks)
        svg.line(x1: area.x(0), y1: area.y(0), x2: area.x(1), y2: area.y(1), stroke: ChartStyle.axis, dash: "5,4")
        var legend: [(String, String)] = []
        for (index, curve) in curves.enumerated() {
            let colour = ChartStyle.palette[index % ChartStyle.palette.count]
            svg.polyline(curve.points.map { (area.x($0.falsePositiveRate), area.y($0.truePositiveRate)) }, stroke: colour)
            legend.append((ChartStyle.fit(curve.label, width: 150, size: ChartStyle.tickSize) + " (AUC " + ChartStyle.format(curve.auc) + ")", colour))
        }
        // Bottom right: the curves run through the top left, so the legend stays clear of them.
        drawLegend(&svg, entries: legend, right: area.right - 8, top: area.bottom - 12 - Double(legend.count - 1) * 16)
        return Chart(name: "roc-curve", title: title, svg: svg.rendered)
    }
}
