/// Registered models side by side on one metric: a row per model, its latest version as a large
/// dot with its value, earlier versions as small hollow dots on the same line, so a glance shows
/// which model leads and whether retraining helped. The axis spans the values (metrics of
/// competing models sit close together) and says which direction is better.
public enum ModelComparisonChart {
    public struct Row: Sendable {
        public let label: String
        public let latest: Double
        /// Earlier versions' values, oldest first.
        public let earlier: [Double]
        public init(label: String, latest: Double, earlier: [Double] = []) {
            self.label = label; self.latest = latest; self.earlier = earlier
        }
    }

    public static func render(_ rows: [Row], metric: String, higherIsBetter: Bool, title: String) -> Chart {
        let rowHeight = 30.0
        let labelWidth = min(200, (rows.map { ChartStyle.textWidth($0.label, size: ChartStyle.labelSize) }.max() ?? 0) + 16)
        let values = rows.flatMap { [$0.latest] + $0.earlier }
        var low = values.min() ?? 0, high = values.max() ?? 1
        let pad = max((high - low) * 0.1, 0.01)
        low -= pad; high += pad
        let area = PlotArea(left: labelWidth + 10, top: 50, width: ChartStyle.width - labelWidth - 90, height: rowHeight * Double(max(rows.count, 1)),
                            xRange: low...high, yRange: 0...1)
        var svg = SVGDocument(width: ChartStyle.width, height: area.bottom + 78, title: title)
        area.drawAxes(&svg, xTitle: "\(metric) (\(higherIsBetter ? "higher" : "lower") is better)", yTitle: nil,
                      xTicks: PlotArea.ticks(area.xRange, count: 5), yTicks: nil)
        for (index, row) in rows.enumerated() {
            let y = area.top + rowHeight * (Double(index) + 0.5)
            svg.text(ChartStyle.fit(row.label, width: labelWidth - 8, size: ChartStyle.labelSize), x: area.left - 8, y: y + 4, anchor: "end")
            let all = row.earlier + [row.latest]
            if let first = all.min(), let last = all.max(), last > first {
                svg.line(x1: area.x(first), y1: y, x2: area.x(last), y2: y, stroke: ChartStyle.grid, width: 2)
            }
            for value in row.earlier {
                svg.circle(x: area.x(value), y: y, radius: 4, fill: ChartStyle.background, stroke: ChartStyle.axis)
            }
            svg.circle(x: area.x(row.latest), y: y, radius: 6, fill: ChartStyle.positive)
            svg.text(ChartStyle.format(row.latest, decimals: 4), x: area.right + 8, y: y + 4, size: ChartStyle.tickSize, fill: ChartStyle.muted)
        }
        // The key, under the axis title: what the two kinds of dot are.
        let keyY = area.bottom + 58
        svg.circle(x: area.left + 6, y: keyY - 4, radius: 6, fill: ChartStyle.positive)
        svg.text("latest version", x: area.left + 18, y: keyY, size: ChartStyle.tickSize, fill: ChartStyle.muted)
        svg.circle(x: area.left + 126, y: keyY - 4, radius: 4, fill: ChartStyle.background, stroke: ChartStyle.axis)
        svg.text("earlier versions", x: area.left + 136, y: keyY, size: ChartStyle.tickSize, fill: ChartStyle.muted)
        return Chart(name: "models", title: title, svg: svg.rendered)
    }
}
