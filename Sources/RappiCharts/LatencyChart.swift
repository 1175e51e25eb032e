/// A latency histogram (requests per latency bucket) with the percentiles marked as dashed lines,
/// their labels stacked at different heights so they never overlap.
public enum LatencyChart {
    public static func render(buckets: [(fromMs: Double, toMs: Double, requests: Int)], percentiles: [(label: String, ms: Double)],
                              title: String) -> Chart {
        let low = buckets.first?.fromMs ?? 0, high = max(buckets.last?.toMs ?? 1, percentiles.map(\.ms).max() ?? 0)
        let tallest = Double(max(buckets.map(\.requests).max() ?? 1, 1))
        let labelRows = Double(percentiles.count)
        let area = PlotArea(left: 80, top: 50 + 16 * labelRows, width: ChartStyle.width - 120, height: 260,
                            xRange: low...high, yRange: 0...tallest * 1.05)
        var svg = SVGDocument(width: ChartStyle.width, height: area.bottom + 60, title: title)
        area.drawAxes(&svg, xTitle: "latency (ms)", yTitle: "requests", xTicks: PlotArea.ticks(low...high, count: 6),
                      yTicks: PlotArea.ticks(0...tallest, count: 4))
        for bucket in buckets where bucket.requests > 0 {
            svg.rect(x: area.x(bucket.fromMs), y: area.y(Double(bucket.requests)), width: area.x(bucket.toMs) - area.x(bucket.fromMs) - 1,
                     height: area.bottom - area.y(Double(bucket.requests)), fill: ChartStyle.positive)
        }
        for (index, percentile) in percentiles.enumerated() {
            let colour = ChartStyle.palette[(index + 1) % ChartStyle.palette.count]
            let x = area.x(percentile.ms)
            let labelY = 50 + 16 * Double(index) + 10
            svg.line(x1: x, y1: labelY + 4, x2: x, y2: area.bottom, stroke: colour, width: 1.5, dash: "5,3")
            let text = "\(percentile.label) \(ChartStyle.format(percentile.ms, decimals: 2)) ms"
            // Right of the line unless that would leave the picture.
            let fitsRight = x + 4 + ChartStyle.textWidth(text, size: ChartStyle.tickSize) < ChartStyle.width - 4
            svg.text(text, x: fitsRight ? x + 4 : x - 4, y: labelY, size: ChartStyle.tickSize, anchor: fitsRight ? "start" : "end", fill: colour)
        }
        return Chart(name: "latency", title: title, svg: svg.rendered)
    }
}
