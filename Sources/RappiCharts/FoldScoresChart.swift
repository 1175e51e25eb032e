/// Cross-validation scores: one group of bars per fold (a bar per metric), each metric's mean
/// as a dashed line across all folds.
public enum FoldScoresChart {
    public static func render(metrics: [(name: String, perFold: [Double])], title: String) -> Chart {
        let folds = metrics.map(\.perFold.count).max() ?? 0
        let lowest = metrics.flatMap(\.perFold).min() ?? 0
        // Start the axis near the scores (they usually sit between 0.7 and 0.9), on a round tick.
        let floor = max(0, (lowest * 10).rounded(.down) / 10 - 0.1)
        let area = PlotArea(left: 70, top: 50, width: ChartStyle.width - 270, height: 300, xRange: 0...Double(max(folds, 1)), yRange: floor...1)
        var svg = SVGDocument(width: ChartStyle.width, height: area.bottom + 60, title: title)
        area.drawAxes(&svg, xTitle: "fold", yTitle: "score", xTicks: nil, yTicks: PlotArea.ticks(area.yRange))
        let groupWidth = area.width / Double(max(folds, 1))
        let barWidth = groupWidth * 0.8 / Double(max(metrics.count, 1))
        for fold in 0..<folds {
            svg.text(String(fold + 1), x: area.x(Double(fold) + 0.5), y: area.bottom + 16, size: ChartStyle.tickSize, anchor: "middle", fill: ChartStyle.muted)
        }
        var legend: [(String, String)] = []
        for (m, metric) in metrics.enumerated() {
            let colour = ChartStyle.palette[m % ChartStyle.palette.count]
            for (fold, value) in metric.perFold.enumerated() {
                let x = area.left + groupWidth * Double(fold) + groupWidth * 0.1 + barWidth * Double(m)
                svg.rect(x: x, y: area.y(value), width: barWidth - 1, height: area.bottom - area.y(value), fill: colour)
            }
            let mean = metric.perFold.reduce(0, +) / Double(max(metric.perFold.count, 1))
            svg.line(x1: area.left, y1: area.y(mean), x2: area.right, y2: area.y(mean), stroke: colour, width: 1.5, dash: "6,4")
            legend.append(("\(metric.name) (mean \(ChartStyle.format(mean)))", colour))
        }
        // The legend lives right of the plot, where no bar reaches.
        var y = area.top + 10
        for (label, colour) in legend {
            svg.rect(x: area.right + 12, y: y - 9, width: 10, height: 10, fill: colour)
            svg.text(ChartStyle.fit(label, width: ChartStyle.width - area.right - 36, size: ChartStyle.tickSize), x: area.right + 28, y: y, size: ChartStyle.tickSize)
            y += 18
        }
        return Chart(name: "cv-folds", title: title, svg: svg.rendered)
    }
}
