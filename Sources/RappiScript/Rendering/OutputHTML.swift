import Foundation

/// A command's printed output as HTML for front ends that show HTML (the Jupyter kernel, exported
/// notebooks): every table `TextTable` printed becomes a `<table>`, the rest stays preformatted text.
///
/// Tables are found in the text itself rather than carried beside it, so the same conversion works
/// for live cells and for outputs read back from a recorded run. That is exact, not a guess, because
/// of how `TextTable.render` lays a table out: a header line, then a rule line made only of `─` runs
/// joined by two spaces whose lengths are the column widths, then rows whose every cell fits its
/// column (cells are cut to fit) with two spaces between columns. The rule line gives each column's
/// position; a row is a following line, at the table's indent, that fits those columns.
public enum OutputHTML {
    /// The HTML of `text`, or nil when it holds no table (plain text needs no HTML form).
    public static func render(_ text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [String] = []
        var plain: [String] = []
        var foundTable = false
        func flushPlain() {
            guard !plain.isEmpty else { return }
            blocks.append("<pre>\(escape(plain.joined(separator: "\n")))</pre>")
            plain.removeAll()
        }
        var index = 0
        while index < lines.count {
            if index + 1 < lines.count, let layout = TableLayout(rule: lines[index + 1]), layout.fits(lines[index]) {
                var rows: [[String]] = []
                var next = index + 2
                while next < lines.count, layout.fits(lines[next]) {
                    rows.append(layout.cells(of: lines[next]))
                    next += 1
                }
                flushPlain()
                blocks.append(table(header: layout.cells(of: lines[index]), rows: rows))
                foundTable = true
                index = next
            } else {
                plain.append(lines[index])
                index += 1
            }
        }
        flushPlain()
        return foundTable ? "<div class=\"rappi-output\">" + blocks.joined() + "</div>" : nil
    }

    /// Numeric columns align right, as in the terminal.
    static func table(header: [String], rows: [[String]]) -> String {
        let numeric = header.indices.map { column in
            !rows.isEmpty && rows.allSatisfy { $0[column].isEmpty || TextTable.looksNumeric($0[column]) }
        }
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            "<\(tag)\(numeric[column] ? " style=\"text-align: right\"" : "")>\(escape(text))</\(tag)>"
        }
        let head = "<thead><tr>" + header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>"
        let body = rows.map { row in "<tr>" + row.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>" }.joined()
        return "<table class=\"rappi-table\">\(head)<tbody>\(body)</tbody></table>"
    }

    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Column positions read off a rule line.
    struct TableLayout {
        let indent: Int
        /// Each column's character range, relative to the line start.
        let columns: [Range<Int>]

        init?(rule line: String) {
            let characters = Array(line)
            let indent = characters.prefix { $0 == " " }.count
            var columns: [Range<Int>] = []
            var position = indent
            while position < characters.count {
                let start = position
                while position < characters.count, characters[position] == "─" { position += 1 }
                guard position > start else { return nil }
                columns.append(start..<position)
                if position == characters.count { break }
                guard position + 2 < characters.count, characters[position] == " ", characters[position + 1] == " " else { return nil }
                position += 2
            }
            guard !columns.isEmpty else { return nil }
            self.indent = indent
            self.columns = columns
        }

        /// A line belongs to the table when it is not blank, starts at the indent, ends within the
        /// last column and has the two separating spaces before every column it reaches.
        func fits(_ line: String) -> Bool {
            let characters = Array(line)
            guard characters.count > indent, characters.count <= columns.last!.upperBound,
                  characters.prefix(indent).allSatisfy({ $0 == " " }),
                  characters.contains(where: { $0 != " " }) else { return false }
            return columns.dropFirst().allSatisfy { column in
                (column.lowerBound - 2..<column.lowerBound).allSatisfy { $0 >= characters.count || characters[$0] == " " }
            }
        }

        func cells(of line: String) -> [String] {
            let characters = Array(line)
            return columns.map { column in
                guard column.lowerBound < characters.count else { return "" }
                return String(characters[column.lowerBound..<min(column.upperBound, characters.count)]).trimmingCharacters(in: .whitespaces)
            }
        }
    }
}
