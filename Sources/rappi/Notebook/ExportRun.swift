import ArgumentParser
import Foundation
import RappiCharts
import RappiScript
import RappiWorkspace

/// `rappi export RUN [to FILE.ipynb | FILE.html]` — a recorded run (script, `-c`, REPL or kernel
/// session) as a notebook: one code cell per statement, with what it printed and its charts.
struct ExportRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a recorded run as a Jupyter notebook (.ipynb) or one self-contained HTML page.",
        discussion: "rappi export 12                  writes run-12.ipynb\nrappi export 12 to report.html   one page with its charts, no network needed")

    @Argument(help: "A run id from `runs`.") var runID: Int
    @Argument(help: ArgumentHelp("`to FILE.ipynb` or `to FILE.html` (default: run-RUN.ipynb).", valueName: "to file"))
    var destination: [String] = []
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard destination.isEmpty || (destination.count == 2 && destination[0] == "to") else {
            throw ValidationError("write the destination as `to FILE`, as in `rappi export \(runID) to run-\(runID).ipynb`")
        }
        let file = destination.last ?? "run.ipynb"
        guard file.hasSuffix(".ipynb") || file.hasSuffix(".html") else {
            throw ValidationError("'\(file)' must end in .ipynb (a notebook) or .html (one page)")
        }
    }

    func run() throws {
        let directory = Workspace.resolveDirectory(option: common.workspace)
        // Exporting reads a workspace; it must not create an empty one by mistake.
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("workspace.sqlite").path) else {
            throw ValidationError("no workspace at \(directory.path) — pass --workspace DIR (or set RAPPI_WORKSPACE)")
        }
        let workspace = try Workspace(directory: directory)
        guard let run = try workspace.run(runID) else {
            throw ValidationError("no run \(runID) in \(workspace.directory.path) — `rappi -c runs` lists them")
        }
        let notebook = try Self.notebook(of: run, in: workspace)
        let url = URL(fileURLWithPath: destination.last ?? "run-\(runID).ipynb").standardizedFileURL
        if url.pathExtension == "html" {
            try NotebookHTML.render(notebook, title: "rappi run \(run.id) — \(run.source)").write(to: url, atomically: true, encoding: .utf8)
        } else {
            try notebook.write(to: url)
        }
        print("exported run \(run.id) (\(notebook.cells.count) cells) to \(url.path)")
    }

    static func notebook(of run: RunRecord, in workspace: Workspace) throws -> NotebookDocument {
        let outputs = try workspace.cellOutputs(run: run.id)
        var notebook = NotebookDocument()
        notebook.introduction = """
            # rappi run \(run.id): \(run.kind) `\(run.source)`
            Started \(run.startedAt), \(run.status)\(run.error.map { " — \($0)" } ?? ""). Parameters: `\(run.parametersJSON)`.
            """
        notebook.rappiMetadata = ["run": run.id, "kind": run.kind, "source": run.source, "status": run.status]
        for cell in try workspace.runCells(run.id) {
            let stored = outputs[cell.cell]
            let charts = try (stored?.charts ?? []).map { Chart(name: $0.name, title: $0.title, svg: try workspace.chartSVG($0)) }
            let display = CellDisplay(text: stored?.output ?? "", charts: charts, error: cell.error.map { Self.error($0, cellLine: cell.line) },
                                      isResult: cell.valuesJSON != "{}")
            notebook.cells.append(.init(source: cell.statement, executionCount: cell.cell, display: display))
        }
        return notebook
    }

    /// A stored error (`LINE:COLUMN: error: MESSAGE`) with its position made relative to the statement.
    static func error(_ text: String, cellLine: Int) -> ScriptError {
        let parts = text.split(separator: ":", maxSplits: 2)
        if parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1]) {
            let message = parts[2].trimmingCharacters(in: .whitespaces)
            return ScriptError(message.hasPrefix("error: ") ? String(message.dropFirst(7)) : message,
                               at: SourcePosition(line: max(1, line - cellLine + 1), column: column))
        }
        return ScriptError(text, at: SourcePosition(line: 1, column: 1))
    }
}
