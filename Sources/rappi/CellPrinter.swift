import Foundation
import RappiScript

/// Shows finished cells: numbered text blocks, or one JSON object per line with `--json`.
struct CellPrinter {
    let json: Bool
    /// Prefix of error lines in scripts (`FILE:LINE:COL: error: …`).
    let sourceName: String
    var showsStatement = true
    var timer = false
    /// `false` in the REPL, which shows a failed cell's error itself, with a caret under the input.
    var showsErrors = true
    /// Where a script position is, for people (a notebook says which cell).
    var locate: ((SourcePosition) -> String)? = nil

    func print(_ cell: CellResult) {
        if json {
            write(cell.jsonLine + "\n")
            return
        }
        var text = ""
        if showsStatement { text += "[\(cell.cell)] \(cell.statement.replacingOccurrences(of: "\n", with: "\n    "))\n" }
        if !cell.output.isEmpty {
            text += cell.output.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        if timer { text += String(format: "    (%.1f ms)\n", cell.durationSeconds * 1000) }
        write(text)
        if showsErrors, let error = cell.error {
            let place = locate?(error.position) ?? "\(error.position.line):\(error.position.column)"
            FileHandle.standardError.write(Data("\(sourceName):\(place): error: \(error.message)\n".utf8))
        }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
