/// A confusion matrix as a heat map: truth down, predictions across, each cell's count written
/// in it and shaded by the share of its row (so a rare class's mistakes show as well as a common one's).
public enum ConfusionMatrixChart {
    public static func render(_ matrix: [[Int]], classes: [String], title: String = "Confusion matrix") -> Chart {
        let k = max(classes.count, 1)
        let labelWidth = min(140, (classes.map { ChartStyle.textWidth($0, size: ChartStyle.labelSize) }.max() ?? 0) + 12)
        let cell = min(90, max(34, (ChartStyle.width - 120 - labelWidth) / Double(k)))
        let footnote = "shade: share of each true class"
        let needed = 60 + labelWidth + max(cell * Double(k), ChartStyle.textWidth(footnote, size: ChartStyle.tickSize)) + 30
        let width = max(needed, ChartStyle.textWidth(title, size: ChartStyle.titleSize) + 40, 360)
        // Centred when a long title makes the picture wider than the matrix needs.
        let left = 60 + labelWidth + (width - needed) / 2, top = 70.0
        let height = top + cell * Double(k) + 60
        var svg = SVGDocument(width: width, height: height, title: title)
        svg.text("predicted", x: left + cell * Double(k) / 2, y: top - 28, anchor: "middle", fill: ChartStyle.muted)
        svg.text("truth", x: left - labelWidth - 38, y: top + cell * Double(k) / 2, anchor: "middle", fill: ChartStyle.muted, rotate: -90)
        for (j, name) in classes.enumerated() {
            svg.text(ChartStyle.fit(name, width: cell - 4, size: ChartStyle.labelSize), x: left + cell * (Double(j) + 0.5), y: top - 8, anchor: "middle")
        }
        for (i, row) in matrix.enumerated() {
            let total = max(row.reduce(0, +), 1)
            svg.text(ChartStyle.fit(classes[i], width: labelWidth - 8, size: ChartStyle.labelSize), x: left - 8,
                     y: top + cell * (Double(i) + 0.5) + 4, anchor: "end")
            for (j, count) in row.enumerated() {
                let share = Double(count) / Double(total)
                let x = left + cell * Double(j), y = top + cell * Double(i)
                svg.rect(x: x, y: y, width: cell, height: cell, fill: shade(share), stroke: "#ffffff")
                svg.text(String(count), x: x + cell / 2, y: y + cell / 2 + 5, size: 14, anchor: "middle",
                         fill: share > 0.55 ? "#ffffff" : ChartStyle.text, weight: "bold")
            }
        }
        svg.text(footnote, x: left, y: height - 16, size: ChartStyle.tickSize, fill: ChartStyle.muted)
        return Chart(name: "confusion-matrix", title: title, svg: svg.rendered)
    }

    /// White to the palette's blue.
    static func shade(_ share: Double) -> String {
        let t = min(max(share, 0), 1)
        let (r, g, b) = (0.0, 114.0, 178.0)
        func channel(_ c: Double) -> Int { Int((255 - (255 - c) * t).rounded()) }
        return "#" + [channel(r), channel(g), channel(b)].map { String(format: "%02x", $0) }.joined()
    }
}
