/// Horizontal bars for named weights (feature importances, coefficients), largest magnitude on
/// top; negative weights point left in the second colour.
public enum WeightsChart {
    public static func render(names: [String], weights: [Double], title: String, axisTitle: String, top: Int = 15) -> Chart {
        let ranked = zip(names, weights).enumerated()
            .sorted { abs($0.element.1) != abs($1.element.1) ? abs($0.element.1) > abs($1.element.1) : $0.offset < $1.offset }
            .prefix(top).map(\.element)
        let labelWidth = min(180, (ranked.map { ChartStyle.textWidth($0.0, size: ChartStyle.labelSize) }.max() ?? 0) + 10)
        let rowHeight = 22.0
        let hasNegative = ranked.contains { $0.1 < 0 }
        let largest = max(ranked.map { abs($0.1) }.max() ?? 0, 1e-12)
        let plotWidth = ChartStyle.width - labelWidth - 110
        let area = PlotArea(left: labelWidth + 20, top: 50, width: plotWidth, height: rowHeight * Double(max(ranked.count, 1)),
                            // Room beyond the longest bars for their value labels.
                            xRange: (hasNegative ? -largest * 1.35 : 0)...(largest * 1.2), yRange: 0...1)
        var svg = SVGDocument(width: ChartStyle.width, height: area.bottom + 60, title: title)
        let ticks = PlotArea.ticks(area.xRange, count: hasNegative ? 6 : 5)
        area.drawAxes(&svg, xTitle: axisTitle, yTitle: nil, xTicks: ticks, yTicks: nil)
        for (index, (name, weight)) in ranked.enumerated() {
            let y = area.top + rowHeight * Double(index)
            let from = area.x(0), to = area.x(weight)
            svg.rect(x: min(from, to), y: y + 4, width: abs(to - from), height: rowHeight - 8,
                     fill: weight < 0 ? ChartStyle.negative : ChartStyle.positive)
            svg.text(ChartStyle.fit(name, width: labelWidth, size: ChartStyle.labelSize), x: area.left - 8, y: y + rowHeight / 2 + 4, anchor: "end")
            // The value sits beyond the bar's end, on the side the bar points to.
            let valueX = weight < 0 ? min(from, to) - 4 : max(from, to) + 4
            svg.text(ChartStyle.format(weight, decimals: 3), x: valueX,
                     y: y + rowHeight / 2 + 4, size: ChartStyle.tickSize, anchor: weight < 0 ? "end" : "start", fill: ChartStyle.muted)
        }
        if hasNegative { svg.line(x1: area.x(0), y1: area.top, x2: area.x(0), y2: area.bottom, stroke: ChartStyle.axis) }
        return Chart(name: "feature-weights", title: title, svg: svg.rendered)
    }
}
