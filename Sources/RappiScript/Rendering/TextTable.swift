import Foundation

/// A plain-text table: a header, a rule, rows; numeric-looking cells align right.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Cells longer than this are cut with "…".
    public var maxCellWidth = 32

    public init(_ headers: [String]) { self.headers = headers }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render(indent: String = "") -> String {
        let cut = { (s: String) -> String in
            let flat = TerminalText.escapingControls(s.replacingOccurrences(of: "\n", with: "⏎"))
            return flat.count > maxCellWidth ? String(flat.prefix(maxCellWidth - 1)) + "…" : flat
        }
        let cells = rows.map { $0.map(cut) }
        let head = headers.map(cut)
        var widths = head.map(\.count)
        for row in cells {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        let numericColumns = widths.indices.map { i in
            !cells.isEmpty && cells.allSatisfy { i >= $0.count || $0[i].isEmpty || Self.looksNumeric($0[i]) }
        }
        func line(_ row: [String]) -> String {
            let padded = widths.indices.map { i -> String in
                let cell = i < row.count ? row[i] : ""
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return numericColumns[i] ? pad + cell : cell + pad
            }
            return indent + padded.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [line(head), indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += cells.map(line)
        return out.joined(separator: "\n")
    }

    static func looksNumeric(_ s: String) -> Bool {
        Double(s) != nil || s == "nan" || s == "—"
    }
}

/// Byte counts for people: 1.2 MB.
public func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
