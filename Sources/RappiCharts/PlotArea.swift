import Foundation

/// The rectangle data is drawn in, its value ranges, and the axes around it: ticks, grid lines
/// and axis titles placed so they never overlap the data or each other.
struct PlotArea {
    let left: Double, top: Double, width: Double, height: Double
    let xRange: ClosedRange<Double>
    let yRange: ClosedRange<Double>

    var right: Double { left + width }
    var bottom: Double { top + height }

    func x(_ value: Double) -> Double {
        left + (value - xRange.lowerBound) / max(xRange.upperBound - xRange.lowerBound, 1e-12) * width
    }

    func y(_ value: Double) -> Double {
        bottom - (value - yRange.lowerBound) / max(yRange.upperBound - yRange.lowerBound, 1e-12) * height
    }

    /// Grid lines and labelled ticks on both axes, then the axis titles.
    func drawAxes(_ svg: inout SVGDocument, xTitle: String?, yTitle: String?, xTicks: [Double]?, yTicks: [Double]?) {
        for value in yTicks ?? [] {
            svg.line(x1: left, y1: y(value), x2: right, y2: y(value), stroke: ChartStyle.grid)
            svg.text(ChartStyle.format(value), x: left - 6, y: y(value) + 4, size: ChartStyle.tickSize, anchor: "end", fill: ChartStyle.muted)
        }
        for value in xTicks ?? [] {
            svg.line(x1: x(value), y1: top, x2: x(value), y2: bottom, stroke: ChartStyle.grid)
            svg.text(ChartStyle.format(value), x: x(value), y: bottom + 16, size: ChartStyle.tickSize, anchor: "middle", fill: ChartStyle.muted)
        }
        svg.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: ChartStyle.axis)
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: ChartStyle.axis)
        if let xTitle { svg.text(xTitle, x: left + width / 2, y: bottom + 36, anchor: "middle") }
        if let yTitle { svg.text(yTitle, x: left - 42, y: top + height / 2, anchor: "middle", rotate: -90) }
    }

    /// About `count` round tick values covering `range` (steps of 1, 2 or 5 × 10ⁿ).
    static func ticks(_ range: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0 else { return [range.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        // Counted in whole steps and rounded to the step's decimals: 3 × 0.2 is 0.6, not 0.6000000000000001.
        let scale = pow(10, max(0, -floor(log10(step))) + 1)
        let first = ceil(range.lowerBound / step - 1e-9)
        var values: [Double] = []
        var index = 0.0
        while (first + index) * step <= range.upperBound + step * 1e-9 {
            let value = ((first + index) * step * scale).rounded() / scale
            values.append(value == 0 ? 0 : value)
            index += 1
        }
        return values
    }
}

/// A legend row at the top right: a coloured square and a label per series.
func drawLegend(_ svg: inout SVGDocument, entries: [(label: String, colour: String)], right: Double, top: Double) {
    var y = top
    let width = (entries.map { ChartStyle.textWidth($0.label, size: ChartStyle.tickSize) }.max() ?? 0) + 20
    for entry in entries {
        svg.rect(x: right - width, y: y - 9, width: 10, height: 10, fill: entry.colour)
        svg.text(entry.label, x: right - width + 16, y: y, size: ChartStyle.tickSize)
        y += 16
    }
}
