import Foundation
import RappiCharts
import RappiScript
import RappiWorkspace

/// A rappi notebook as nbformat 4.5 (cell ids, kernelspec and language_info metadata), the
/// form `rappi export` and the REPL's `.save FILE.ipynb` write and Jupyter opens.
struct NotebookDocument {
    struct CodeCell {
        let source: String
        let executionCount: Int?
        let display: CellDisplay?
    }

    /// A markdown cell at the top saying where the notebook came from (nil for none).
    var introduction: String?
    var cells: [CodeCell] = []
    /// Extra notebook metadata under `rappi` (the run it was exported from).
    var rappiMetadata: [String: Any] = [:]

    var json: [String: Any] {
        var list: [[String: Any]] = []
        if let introduction {
            list.append(["cell_type": "markdown", "id": "intro", "metadata": [:], "source": Self.lines(introduction)])
        }
        for (index, cell) in cells.enumerated() {
            let outputs = cell.display?.outputs(executionCount: cell.executionCount ?? index + 1, code: cell.source) ?? []
            list.append([
                "cell_type": "code", "id": "cell-\(index + 1)", "metadata": [:],
                "execution_count": cell.executionCount.map { $0 as Any } ?? NSNull(),
                "source": Self.lines(cell.source),
                "outputs": outputs.map { output -> [String: Any] in
                    var content = output.content.merging(["output_type": output.type]) { $1 }
                    // nbformat keeps multi-line strings as lists of lines, as Jupyter writes them.
                    if output.type == "stream", let text = content["text"] as? String { content["text"] = Self.lines(text) }
                    return content
                },
            ])
        }
        var metadata: [String: Any] = [
            "kernelspec": ["name": "rappi", "display_name": "rappi", "language": "rappi"],
            "language_info": ["name": "rappi", "version": Workspace.rappiVersion, "mimetype": "text/x-rappi",
                              "file_extension": ".rappi", "codemirror_mode": "shell", "pygments_lexer": "text"],
        ]
        if !rappiMetadata.isEmpty { metadata["rappi"] = rappiMetadata }
        return ["nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": list]
    }

    func write(to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try (data + Data("\n".utf8)).write(to: url, options: .atomic)
    }

    /// "a\nb" → ["a\n", "b"].
    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        if let last = lines.last { lines[lines.count - 1] = String(last.dropLast()) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
