/// The one look every chart shares: sizes, font, colours (a colour-blind-safe palette).
public enum ChartStyle {
    public static let width = 640.0
    public static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    public static let titleSize = 16.0
    public static let labelSize = 12.0
    public static let tickSize = 11.0
    public static let text = "#222222"
    public static let muted = "#666666"
    public static let grid = "#e5e5e5"
    public static let axis = "#888888"
    public static let background = "#ffffff"
    /// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
    public static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
    public static let positive = "#0072B2"
    public static let negative = "#D55E00"

    /// A width estimate for text in the chart font (DejaVu Sans averages ~0.6 em per glyph), used
    /// to size margins and shorten labels so that no two texts overlap.
    public static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }

    /// `text` cut to fit `width` with an ellipsis.
    public static func fit(_ text: String, width: Double, size: Double) -> String {
        let fitting = Int(width / (size * 0.6))
        guard text.count > fitting, fitting >= 2 else { return text }
        return String(text.prefix(fitting - 1)) + "…"
    }

    /// A number for an axis tick or a label: no trailing zeros, at most `decimals` decimals.
    public static func format(_ value: Double, decimals: Int = 3) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
