/// A regression model's predictions against the actual values: one dot per row over the dashed
/// diagonal where they would be equal, both axes on the same range, so distance from the line is
/// the error. At most `maxPoints` rows are drawn (evenly picked), so the file stays small.
public enum PredictedActualChart {
    public static func render(actual: [Double], predicted: [Double], title: String, maxPoints: Int = 2000) -> Chart {
        var svg = SVGDocument(width: 520, height: 500, title: title)
        let values = (actual + predicted).filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-12 { low -= 1; high += 1 }
        let pad = (high - low) * 0.04
        let ticks = PlotArea.ticks((low - pad)...(high + pad))
        let range = Swift.min(ticks.first ?? low, low - pad)...Swift.max(ticks.last ?? high, high + pad)
        let area = PlotArea(left: 70, top: 50, width: 400, height: 380, xRange: range, yRange: range)
        area.drawAxes(&svg, xTitle: "actual", yTitle: "predicted", xTicks: ticks, yTicks: ticks)
        svg.line(x1: area.x(range.lowerBound), y1: area.y(range.lowerBound), x2: area.x(range.upperBound), y2: area.y(range.upperBound),
                 stroke: ChartStyle.axis, dash: "5,4")
        let count = Swift.min(actual.count, predicted.count)
        let step = Swift.max(1, (count + maxPoints - 1) / Swift.max(maxPoints, 1))
        for i in stride(from: 0, to: count, by: step) where actual[i].isFinite && predicted[i].isFinite {
            svg.circle(x: area.x(actual[i]), y: area.y(predicted[i]), radius: 2.5, fill: ChartStyle.positive)
        }
        return Chart(name: "predicted-vs-actual", title: title, svg: svg.rendered)
    }
}
