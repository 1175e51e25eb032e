import Foundation
import RappiScript

/// The rappi code cells of a Jupyter notebook as one script, for `rappi run NOTEBOOK.ipynb`:
/// the cells in order, each starting on a new line, and a way back from a script line to its cell.
struct NotebookScript {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let source: String
    /// The script line each code cell starts on (1-based), in order.
    private let firstLines: [Int]

    init(data: Data, file: String) throws {
        guard let notebook = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let cells = notebook["cells"] as? [[String: Any]] else {
            throw Failure(description: "'\(file)' is not a Jupyter notebook (no JSON object with a `cells` list)")
        }
        guard (notebook["nbformat"] as? Int) == 4 else {
            throw Failure(description: "'\(file)' is nbformat \(notebook["nbformat"] ?? "?"); rappi reads nbformat 4 — open and save it in a current Jupyter first")
        }
        let metadata = notebook["metadata"] as? [String: Any]
        let language = ((metadata?["kernelspec"] as? [String: Any])?["language"] as? String)
            ?? ((metadata?["language_info"] as? [String: Any])?["name"] as? String)
        if let language, language != "rappi" {
            throw Failure(description: "'\(file)' is a \(language) notebook — `rappi run` replays notebooks written for the rappi kernel")
        }
        let code = cells.filter { ($0["cell_type"] as? String) == "code" }.map { cell -> String in
            let text = (cell["source"] as? [String])?.joined() ?? cell["source"] as? String ?? ""
            return text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        var line = 1
        firstLines = code.map { text in
            defer { line += text.split(separator: "\n", omittingEmptySubsequences: false).count }
            return line
        }
        source = code.joined(separator: "\n")
    }

    /// `cell 3, line 2, column 5` for a position in the joined script (code cells counted from 1).
    func locate(_ position: SourcePosition) -> String {
        let index = (firstLines.lastIndex { $0 <= position.line } ?? 0)
        let line = position.line - (firstLines.isEmpty ? 1 : firstLines[index]) + 1
        return "cell \(index + 1), line \(line), column \(position.column)"
    }
}
