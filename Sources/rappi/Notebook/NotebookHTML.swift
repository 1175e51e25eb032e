import Foundation
import RappiCharts
import RappiScript

/// A notebook as one self-contained HTML page: inline CSS, charts as inline SVG, no scripts and
/// nothing fetched from the network — it opens the same offline, in a mail or from a file share.
enum NotebookHTML {
    static func render(_ notebook: NotebookDocument, title: String) -> String {
        var body: [String] = ["<h1>\(escape(title))</h1>"]
        if let introduction = notebook.introduction {
            // The markdown cell without its heading (the page has one) and without markdown marks.
            let lines = introduction.split(separator: "\n").filter { !$0.hasPrefix("#") }
            body.append("<div class=\"intro\">" + lines.map { "<p>\(escape($0.replacingOccurrences(of: "`", with: "")))</p>" }.joined() + "</div>")
        }
        for (index, cell) in notebook.cells.enumerated() {
            let count = cell.executionCount ?? index + 1
            var parts = ["<div class=\"cell\"><div class=\"in\"><span class=\"prompt\">[\(count)]</span><pre class=\"code\">\(escape(cell.source))</pre></div>"]
            for output in cell.display?.outputs(executionCount: count, code: cell.source) ?? [] {
                switch output.type {
                case "stream", "execute_result", "display_data":
                    let data = output.content["data"] as? [String: Any] ?? [:]
                    if let svg = data["image/svg+xml"] as? String {
                        parts.append("<div class=\"chart\">\(svg)</div>")
                    } else if let html = data["text/html"] as? String {
                        parts.append("<div class=\"out\">\(html)</div>")
                    } else {
                        let text = (output.content["text"] as? String) ?? (data["text/plain"] as? String) ?? ""
                        parts.append("<pre class=\"out\">\(escape(text.hasSuffix("\n") ? String(text.dropLast()) : text))</pre>")
                    }
                case "error":
                    let lines = (output.content["traceback"] as? [String]) ?? []
                    parts.append("<pre class=\"error\">\(escape(lines.joined(separator: "\n")))</pre>")
                default: break
                }
            }
            body.append(parts.joined(separator: "\n") + "</div>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font-family: \(ChartStyle.fontFamily); color: #222; max-width: 980px; margin: 2em auto; padding: 0 1em; }
            h1 { font-size: 1.4em; } .intro p { margin: 0.2em 0; color: #555; }
            .cell { margin: 1.2em 0; } .in { display: flex; gap: 0.6em; align-items: baseline; }
            .prompt { color: #0072B2; font-family: monospace; min-width: 3.5em; text-align: right; }
            pre { margin: 0.3em 0; padding: 0.5em 0.8em; overflow-x: auto; font-size: 13px; }
            pre.code { flex: 1; background: #f5f7fa; border: 1px solid #dde3ea; border-radius: 4px; }
            pre.out { margin-left: 4.1em; } pre.error { margin-left: 4.1em; background: #fdecea; color: #8a1c12; }
            div.out { margin-left: 4.1em; } div.out pre { margin: 0.3em 0; padding: 0 0.8em; }
            table.rappi-table { border-collapse: collapse; margin: 0.4em 0.8em; font-size: 13px; font-variant-numeric: tabular-nums; }
            table.rappi-table th, table.rappi-table td { padding: 0.2em 0.7em; text-align: left; white-space: nowrap; }
            table.rappi-table thead th { border-bottom: 1px solid #888; }
            table.rappi-table tbody tr:nth-child(even) { background: #f5f7fa; }
            .chart { margin-left: 4.1em; } .chart svg { max-width: 100%; height: auto; }
            </style></head>
            <body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    static func escape(_ text: String) -> String { OutputHTML.escape(text) }
}
