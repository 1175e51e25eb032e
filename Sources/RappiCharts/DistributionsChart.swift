import Foundation

/// Small multiples for `describe`: per column, a histogram of a numeric column's values or bars for
/// a text column's most frequent categories, in a grid of equal panels.
public enum DistributionsChart {
    public enum Panel {
        case histogram(column: String, values: [Double], missing: Int)
        case categories(column: String, counts: [(label: String, count: Int)], distinct: Int, missing: Int)
    }

    static let columns = 3
    static let panelWidth = ChartStyle.width / Double(columns)
    static let panelHeight = 150.0
    static let bins = 20
    static let maxCategories = 5

    public static func render(_ panels: [Panel], title: String, note: String? = nil) -> Chart {
        let rows = (panels.count + columns - 1) / columns
        let height = 50 + panelHeight * Double(max(rows, 1)) + (note == nil ? 10 : 30)
        var svg = SVGDocument(width: ChartStyle.width, height: height, title: title)
        for (index, panel) in panels.enumerated() {
            let left = panelWidth * Double(index % columns) + 12
            let top = 50 + panelHeight * Double(index / columns)
            switch panel {
            case .histogram(let column, let values, let missing):
                histogram(&svg, column: column, values: values, missing: missing, left: left, top: top)
            case .categories(let column, let counts, let distinct, let missing):
                categories(&svg, column: column, counts: counts, distinct: distinct, missing: missing, left: left, top: top)
            }
        }
        if let note { svg.text(note, x: 12, y: height - 12, size: ChartStyle.tickSize, fill: ChartStyle.muted) }
        return Chart(name: "distributions", title: title, svg: svg.rendered)
    }

    private static func heading(_ svg: inout SVGDocument, _ column: String, missing: Int, left: Double, top: Double) {
        let suffix = missing > 0 ? " (\(missing) missing)" : ""
        svg.text(ChartStyle.fit(column + suffix, width: panelWidth - 24, size: ChartStyle.labelSize), x: left, y: top + 12, weight: "bold")
    }

    private static func histogram(_ svg: inout SVGDocument, column: String, values: [Double], missing: Int, left: Double, top: Double) {
        heading(&svg, column, missing: missing, left: left, top: top)
        guard let lo = values.min(), let hi = values.max() else { return }
        var counts = [Int](repeating: 0, count: bins)
        let span = hi - lo
        for value in values {
            let bin = span > 0 ? min(Int((value - lo) / span * Double(bins)), bins - 1) : 0
            counts[bin] += 1
        }
        // Bars start below the "peak" label, so no text sits on a bar.
        let plotWidth = panelWidth - 30, plotHeight = panelHeight - 76
        let base = top + 36 + plotHeight
        let tallest = Double(max(counts.max() ?? 1, 1))
        let barWidth = plotWidth / Double(bins)
        for (bin, count) in counts.enumerated() where count > 0 {
            let h = Double(count) / tallest * plotHeight
            svg.rect(x: left + barWidth * Double(bin), y: base - h, width: barWidth - 1, height: h, fill: ChartStyle.positive)
        }
        svg.line(x1: left, y1: base, x2: left + plotWidth, y2: base, stroke: ChartStyle.axis)
        svg.text(ChartStyle.format(lo, decimals: 2), x: left, y: base + 14, size: ChartStyle.tickSize, fill: ChartStyle.muted)
        svg.text(ChartStyle.format(hi, decimals: 2), x: left + plotWidth, y: base + 14, size: ChartStyle.tickSize, anchor: "end", fill: ChartStyle.muted)
        svg.text("peak \(Int(tallest))", x: left + plotWidth, y: top + 30, size: ChartStyle.tickSize, anchor: "end", fill: ChartStyle.muted)
    }

    private static func categories(_ svg: inout SVGDocument, column: String, counts: [(label: String, count: Int)], distinct: Int,
                                   missing: Int, left: Double, top: Double) {
        heading(&svg, column, missing: missing, left: left, top: top)
        let shown = Array(counts.prefix(maxCategories))
        let labelWidth = 62.0, rowHeight = 17.0
        let barSpace = panelWidth - 30 - labelWidth - 36
        let largest = Double(max(shown.map(\.count).max() ?? 1, 1))
        for (index, entry) in shown.enumerated() {
            let y = top + 22 + rowHeight * Double(index)
            svg.text(ChartStyle.fit(entry.label, width: labelWidth - 4, size: ChartStyle.tickSize), x: left + labelWidth - 4, y: y + 12,
                     size: ChartStyle.tickSize, anchor: "end")
            let w = Double(entry.count) / largest * barSpace
            svg.rect(x: left + labelWidth, y: y + 3, width: w, height: rowHeight - 5, fill: ChartStyle.palette[1])
            svg.text(String(entry.count), x: left + labelWidth + w + 3, y: y + 12, size: ChartStyle.tickSize, fill: ChartStyle.muted)
        }
        if distinct > shown.count {
            svg.text("… \(distinct - shown.count) more", x: left + labelWidth, y: top + 22 + rowHeight * Double(shown.count) + 12,
                     size: ChartStyle.tickSize, fill: ChartStyle.muted)
        }
    }
}
