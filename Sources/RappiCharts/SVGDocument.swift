import Foundation

/// Builds one SVG document element by element; every text is escaped.
struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        body.append("<title>\(Self.escape(title))</title>")
        body.append(#"<rect x="0" y="0" width="\#(n(width))" height="\#(n(height))" fill="\#(ChartStyle.background)"/>"#)
        text(ChartStyle.fit(title, width: width - 20, size: ChartStyle.titleSize), x: width / 2, y: 26, size: ChartStyle.titleSize,
             anchor: "middle", weight: "bold")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil) {
        let outline = stroke.map { #" stroke="\#($0)" stroke-width="1""# } ?? ""
        body.append(#"<rect x="\#(n(x))" y="\#(n(y))" width="\#(n(max(width, 0)))" height="\#(n(max(height, 0)))" fill="\#(fill)"\#(outline)/>"#)
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        let dashing = dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
        body.append(#"<line x1="\#(n(x1))" y1="\#(n(y1))" x2="\#(n(x2))" y2="\#(n(y2))" stroke="\#(stroke)" stroke-width="\#(n(width))"\#(dashing)/>"#)
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append(#"<polyline points="\#(list)" fill="none" stroke="\#(stroke)" stroke-width="\#(n(width))" stroke-linejoin="round"/>"#)
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String, stroke: String? = nil) {
        let outline = stroke.map { #" stroke="\#($0)" stroke-width="1.5""# } ?? ""
        body.append(#"<circle cx="\#(n(x))" cy="\#(n(y))" r="\#(n(radius))" fill="\#(fill)"\#(outline)/>"#)
    }

    mutating func text(_ content: String, x: Double, y: Double, size: Double = ChartStyle.labelSize, anchor: String = "start",
                       fill: String = ChartStyle.text, weight: String = "normal", rotate: Double? = nil) {
        let rotation = rotate.map { #" transform="rotate(\#(n($0)) \#(n(x)) \#(n(y)))""# } ?? ""
        let bold = weight == "normal" ? "" : #" font-weight="\#(weight)""#
        body.append(#"<text x="\#(n(x))" y="\#(n(y))" font-size="\#(n(size))" text-anchor="\#(anchor)" fill="\#(fill)"\#(bold)\#(rotation)>\#(Self.escape(content))</text>"#)
    }

    var rendered: String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" font-family="\(ChartStyle.fontFamily)">
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Coordinates with at most two decimals, so golden files do not churn on float noise.
    private func n(_ value: Double) -> String { ChartStyle.format(value, decimals: 2) }
}
