import RappiML
import Foundation
import RappiScript
import RappiWorkspace

/// The interactive notebook: numbered cells, readline editing and history kept per workspace,
/// completion from the command table, `{` continuation, Ctrl-C that never ends the session.
final class REPL {
    private let session: Session
    private let interpreter: Interpreter
    private var printer: CellPrinter
    private var successful: [CellResult] = []
    private var runID: Int?

    static let dotCommands: [(String, String)] = [
        (".help", "this list"),
        (".history", "show the input history (kept per workspace)"),
        (".save FILE", "write this session's successful statements as a replayable script (.rappi) or notebook (.ipynb)"),
        (".timer on|off", "show how long each statement took"),
        (".mode text|json", "show cells as text, or as the --json protocol"),
        (".quit", "leave (Ctrl-D does too)"),
    ]

    init(session: Session, json: Bool) {
        self.session = session
        interpreter = Interpreter(session: session)
        printer = CellPrinter(json: json, sourceName: "<repl>", showsStatement: false, showsErrors: false)
    }

    func run() {
        let workspace: Workspace
        do { workspace = try session.workspace() } catch {
            writeToStandardError("rappi: \(error)\n")
            return
        }
        let completer = Completer(session: session, workspace: workspace)
        let editor = LineEditor(historyFile: workspace.historyFile.path, completer: completer,
                                dotCommands: Self.dotCommands.map { String($0.0.split(separator: " ")[0]) })
        runID = try? workspace.beginRun(kind: "repl", source: "repl", scriptText: nil, parametersJSON: "{}",
                                        baseDirectory: session.baseDirectory.path)
        session.runID = runID
        print("rappi \(Workspace.rappiVersion) — workspace \(workspace.directory.path)")
        print("Type `help` for commands, `.help` for REPL commands, Ctrl-D to leave.")

        var buffer = ""
        while true {
            let prompt = buffer.isEmpty ? "rappi [\(interpreter.cellCount + 1)]> " : "      ...> "
            switch editor.readLine(prompt: prompt) {
            case .endOfInput:
                print("")
                finish(workspace)
                return
            case .interrupted:
                buffer = ""
                continue
            case .line(let line):
                if buffer.isEmpty, line.trimmingCharacters(in: .whitespaces).hasPrefix(".") {
                    editor.remember(line)
                    if !dotCommand(line.trimmingCharacters(in: .whitespaces), editor: editor) {
                        finish(workspace)
                        return
                    }
                    continue
                }
                buffer += buffer.isEmpty ? line : "\n" + line
                let parsed: [ParsedStatement]
                do {
                    parsed = try interpreter.parser.parse(buffer)
                } catch .incompleteBlock {
                    continue  // a `{` is open: keep reading with the continuation prompt
                } catch {
                    guard case .error(let error) = error else { continue }
                    editor.remember(buffer)
                    show(error, promptWidth: prompt.count)
                    buffer = ""
                    continue
                }
                editor.remember(buffer)
                buffer = ""
                for statement in parsed {
                    Interrupt.clear()
                    var cell = interpreter.execute(statement)
                    cell.chartFiles = record(cell, workspace)  // first, so `.mode json` lists the stored charts
                    printer.print(cell)
                    if let error = cell.error { show(error, promptWidth: prompt.count, printed: printer.json) }
                    else { successful.append(cell) }
                    if Interrupt.isRequested { Interrupt.clear(); break }
                }
            }
        }
    }

    /// Errors point at the column: a caret under the input when it was a single line. The only
    /// place a REPL error is printed in text mode (the cell printer leaves it out); in JSON mode
    /// the cell's line carries it.
    private func show(_ error: ScriptError, promptWidth: Int, printed: Bool = false) {
        guard !printed || !printer.json else { return }
        let pad = String(repeating: " ", count: max(0, promptWidth + error.position.column - 1))
        if error.position.line == 1 {
            writeToStandardError("\(pad)^\nerror: \(error.message)\n")
        } else {
            writeToStandardError("error (line \(error.position.line), column \(error.position.column)): \(error.message)\n")
        }
    }

    /// Runs a dot command; returns false to leave.
    private func dotCommand(_ line: String, editor: LineEditor) -> Bool {
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""
        switch words[0] {
        case ".quit", ".exit":
            return false
        case ".help":
            for (name, help) in Self.dotCommands { print("  " + name.padding(toLength: 18, withPad: " ", startingAt: 0) + help) }
        case ".history":
            for (index, entry) in editor.history.enumerated() { print(String(format: "%5d  ", index + 1) + entry) }
        case ".save":
            guard !argument.isEmpty else { writeToStandardError("error: .save needs a file name, as in .save session.rappi\n"); break }
            let url = URL(fileURLWithPath: argument, relativeTo: session.baseDirectory).standardizedFileURL
            // Paths typed here are rewritten to be relative to the script's folder, where it replays from.
            let statements = successful.map {
                PathRebasing.rebase($0.statement, typedIn: session.baseDirectory, savedIn: url.deletingLastPathComponent(),
                                    parser: interpreter.parser)
            }
            do {
                if url.pathExtension == "ipynb" {
                    // A notebook keeps what each statement printed and drew, as Jupyter would show it.
                    var notebook = NotebookDocument()
                    notebook.cells = zip(statements, successful).enumerated().map { index, pair in
                        .init(source: pair.0, executionCount: index + 1, display: CellDisplay(pair.1, isLastInCell: true))
                    }
                    try notebook.write(to: url)
                } else {
                    let text = "# saved from a rappi REPL session\n" + statements.joined(separator: "\n") + "\n"
                    try text.write(to: url, atomically: true, encoding: .utf8)
                }
                print("saved \(successful.count) statements to \(url.path)")
            } catch {
                writeToStandardError("error: cannot write \(url.path): \(error.localizedDescription)\n")
            }
        case ".timer":
            guard ["on", "off"].contains(argument) else { writeToStandardError("error: use .timer on or .timer off\n"); break }
            printer.timer = argument == "on"
        case ".mode":
            guard ["text", "json"].contains(argument) else { writeToStandardError("error: use .mode text or .mode json\n"); break }
            printer = CellPrinter(json: argument == "json", sourceName: "<repl>", showsStatement: false, timer: printer.timer, showsErrors: false)
        default:
            let names = Self.dotCommands.map { String($0.0.split(separator: " ")[0]) }
            let hint = NameSuggestion.closest(to: words[0], in: names).map { " — did you mean \($0)?" } ?? " — try .help"
            writeToStandardError("error: unknown command \(words[0])\(hint)\n")
        }
        return true
    }

    /// Records the cell with the session's run; returns where its charts were stored.
    private func record(_ cell: CellResult, _ workspace: Workspace) -> [String] {
        guard let runID else { return [] }
        return (try? workspace.record(cell, run: runID)) ?? []
    }

    private func finish(_ workspace: Workspace) {
        if let runID { try? workspace.finishRun(runID, status: "ended", error: nil) }
    }
}
