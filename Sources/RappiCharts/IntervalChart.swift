/// Estimates with their 95% intervals as dots and whiskers, in stacked panels that each have their
/// own axis (an A/B test: accuracy per variant above, the difference B − A below, with its zero line).
public enum IntervalChart {
    public struct Row {
        public let label: String
        public let value: Double
        public let low: Double
        public let high: Double
        public init(label: String, value: Double, low: Double, high: Double) {
            self.label = label; self.value = value; self.low = low; self.high = high
        }
    }

    public struct Panel {
        public let axisTitle: String
        public let rows: [Row]
        /// A value drawn as a dashed line (no difference: 0).
        public let reference: Double?
        public init(axisTitle: String, rows: [Row], reference: Double? = nil) {
            self.axisTitle = axisTitle; self.rows = rows; self.reference = reference
        }
    }

    public static func render(_ panels: [Panel], title: String) -> Chart {
        let rowHeight = 34.0, labelWidth = min(200, (panels.flatMap(\.rows).map { ChartStyle.textWidth($0.label, size: ChartStyle.labelSize) }.max() ?? 0) + 16)
        var top = 50.0
        var layouts: [(Panel, PlotArea)] = []
        for panel in panels {
            let lows = panel.rows.map(\.low) + (panel.reference.map { [$0] } ?? [])
            let highs = panel.rows.map(\.high) + (panel.reference.map { [$0] } ?? [])
            var low = lows.min() ?? 0, high = highs.max() ?? 1
            let pad = max((high - low) * 0.1, 0.01)
            low -= pad; high += pad
            let area = PlotArea(left: labelWidth + 10, top: top, width: ChartStyle.width - labelWidth - 175, height: rowHeight * Double(panel.rows.count),
                                xRange: low...high, yRange: 0...1)
            layouts.append((panel, area))
            top = area.bottom + 62
        }
        var svg = SVGDocument(width: ChartStyle.width, height: top - 10, title: title)
        for (panel, area) in layouts {
            area.drawAxes(&svg, xTitle: panel.axisTitle, yTitle: nil, xTicks: PlotArea.ticks(area.xRange, count: 5), yTicks: nil)
            if let reference = panel.reference {
                svg.line(x1: area.x(reference), y1: area.top, x2: area.x(reference), y2: area.bottom, stroke: ChartStyle.axis, dash: "5,4")
            }
            for (index, row) in panel.rows.enumerated() {
                let y = area.top + rowHeight * (Double(index) + 0.5)
                let colour = ChartStyle.palette[index % ChartStyle.palette.count]
                svg.text(ChartStyle.fit(row.label, width: labelWidth - 8, size: ChartStyle.labelSize), x: area.left - 8, y: y + 4, anchor: "end")
                svg.line(x1: area.x(row.low), y1: y, x2: area.x(row.high), y2: y, stroke: colour, width: 2)
                svg.line(x1: area.x(row.low), y1: y - 6, x2: area.x(row.low), y2: y + 6, stroke: colour, width: 2)
                svg.line(x1: area.x(row.high), y1: y - 6, x2: area.x(row.high), y2: y + 6, stroke: colour, width: 2)
                svg.circle(x: area.x(row.value), y: y, radius: 5, fill: colour)
                svg.text("\(ChartStyle.format(row.value, decimals: 4)) [\(ChartStyle.format(row.low, decimals: 4)), \(ChartStyle.format(row.high, decimals: 4))]",
                         x: area.right + 8, y: y + 4, size: ChartStyle.tickSize, fill: ChartStyle.muted)
            }
        }
        return Chart(name: "intervals", title: title, svg: svg.rendered)
    }
}
