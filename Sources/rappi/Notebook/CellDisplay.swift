import Foundation
import RappiCharts
import RappiScript

/// One statement's outputs in Jupyter's terms, shared by the kernel (iopub messages) and the
/// notebook export (nbformat outputs, which are the same contents plus `output_type`):
/// its text as a `stream`, or as the `execute_result` when it is a cell's result (the last
/// statement, having published values — the cell's Out[n]), with an HTML form when it holds a
/// table (then as `display_data` when it is not the result); each chart as `display_data`; a
/// failure as one `error` with the rappi message, its line and column, and a caret.
struct CellDisplay {
    var text: String
    var charts: [Chart]
    var error: ScriptError?
    var isResult: Bool

    init(text: String, charts: [Chart], error: ScriptError?, isResult: Bool) {
        self.text = text
        self.charts = charts
        self.error = error
        self.isResult = isResult && error == nil
    }

    init(_ cell: CellResult, isLastInCell: Bool) {
        self.init(text: cell.output, charts: cell.charts, error: cell.error, isResult: isLastInCell && !cell.values.isEmpty)
    }

    /// `(msg_type / output_type, content)` in the order a person reads them; `code` is the cell's
    /// source, quoted under the error.
    func outputs(executionCount: Int, code: String) -> [(type: String, content: [String: Any])] {
        var outputs: [(type: String, content: [String: Any])] = []
        // Output holding a table is a rich bundle (its tables as HTML), since a stream is text only.
        let html = OutputHTML.render(text)
        if isResult {
            outputs.append(("execute_result", ["execution_count": executionCount, "data": Self.bundle(text: text, html: html), "metadata": [:]]))
        } else if html != nil {
            outputs.append(("display_data", ["data": Self.bundle(text: text, html: html), "metadata": [:]]))
        } else if !text.isEmpty {
            outputs.append(("stream", ["name": "stdout", "text": text + "\n"]))
        }
        for chart in charts {
            outputs.append(("display_data", ["data": Self.bundle(chart), "metadata": [:]]))
        }
        if let error { outputs.append(("error", Self.errorContent(error, code: code))) }
        return outputs
    }

    static func bundle(text: String, html: String?) -> [String: Any] {
        var data: [String: Any] = ["text/plain": text]
        if let html { data["text/html"] = html }
        return data
    }

    /// A chart as a MIME bundle: the SVG for front ends that draw, its title for those that cannot.
    static func bundle(_ chart: Chart) -> [String: Any] {
        ["image/svg+xml": chart.svg, "text/plain": "<\(chart.title)>"]
    }

    static func errorContent(_ error: ScriptError, code: String) -> [String: Any] {
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        var traceback = ["error (line \(error.position.line), column \(error.position.column)): \(error.message)"]
        if error.position.line >= 1, error.position.line - 1 < lines.count {
            traceback.append("  " + lines[error.position.line - 1])
            traceback.append("  " + String(repeating: " ", count: max(0, error.position.column - 1)) + "^")
        }
        return ["ename": "RappiError", "evalue": error.message, "traceback": traceback]
    }
}
