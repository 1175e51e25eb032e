import Foundation

/// The rappi code cells of a Jupyter notebook as one script, for `rappi run NOTEBOOK.ipynb`.
enum NotebookScript {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func source(of data: Data, file: String) throws -> String {
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
        return cells.filter { ($0["cell_type"] as? String) == "code" }.map { cell in
            if let lines = cell["source"] as? [String] { return lines.joined() }
            return cell["source"] as? String ?? ""
        }.joined(separator: "\n")
    }
}
