import Foundation
import RappiScript
import RappiWorkspace

/// `complete_request` and `inspect_request`: the REPL's completer and the commands' help, given
/// a cell and a cursor position (counted in Unicode scalars, as the protocol says).
struct KernelCompletion {
    let session: Session
    let table: CommandTable

    /// The same word breaks as the REPL's line editor, so `trees=` completes its value.
    private static let wordBreaks = Set(" \t\n\"=;{}(),".unicodeScalars)

    func complete(_ content: [String: Any]) -> [String: Any] {
        let (line, cursor) = Self.lineBeforeCursor(content)
        let scalars = Array(line.unicodeScalars)
        var start = scalars.count
        while start > 0, !Self.wordBreaks.contains(scalars[start - 1]) { start -= 1 }
        let before = String(String.UnicodeScalarView(scalars[..<start]))
        let word = String(String.UnicodeScalarView(scalars[start...]))
        let matches: [String]
        switch completer.complete(before: before, word: word) {
        case .words(let words): matches = words
        case .files: matches = files(matching: word)
        }
        return ["status": "ok", "matches": matches, "cursor_start": cursor - (scalars.count - start),
                "cursor_end": cursor, "metadata": [:]]
    }

    /// The help of the command on the cursor's line (`help upload dataset`, as a person would type it).
    func inspect(_ content: [String: Any]) -> [String: Any] {
        let code = content["code"] as? String ?? ""
        let cursor = min(content["cursor_pos"] as? Int ?? 0, code.unicodeScalars.count)
        let scalars = Array(code.unicodeScalars)
        var start = cursor, end = cursor
        while start > 0, scalars[start - 1] != "\n", scalars[start - 1] != ";" { start -= 1 }
        while end < scalars.count, scalars[end] != "\n", scalars[end] != ";" { end += 1 }
        let statement = String(String.UnicodeScalarView(scalars[start..<end]))
        let words = statement.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let command = table.longestMatch(words) else {
            return ["status": "ok", "found": false, "data": [:], "metadata": [:]]
        }
        return ["status": "ok", "found": true, "data": ["text/plain": HelpCommand.details(command.signature)], "metadata": [:]]
    }

    private var completer: Completer {
        guard let workspace = try? session.workspace() else { return Completer(table: table) }
        return Completer(session: session, workspace: workspace, table: table)
    }

    /// Paths (relative to the session's folder) starting with `word`; folders end in `/`.
    private func files(matching word: String) -> [String] {
        let slash = word.lastIndex(of: "/")
        let folderPart = slash.map { String(word[...$0]) } ?? ""
        let prefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        let folder = URL(fileURLWithPath: folderPart.isEmpty ? "." : folderPart, relativeTo: session.baseDirectory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }.sorted().map { name in
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isFolder)
            return folderPart + name + (isFolder.boolValue ? "/" : "")
        }
    }

    /// The cursor's line up to the cursor, and the cursor offset in the whole cell.
    private static func lineBeforeCursor(_ content: [String: Any]) -> (String, Int) {
        let code = content["code"] as? String ?? ""
        let scalars = Array(code.unicodeScalars)
        let cursor = min(max(content["cursor_pos"] as? Int ?? scalars.count, 0), scalars.count)
        var start = cursor
        while start > 0, scalars[start - 1] != "\n" { start -= 1 }
        return (String(String.UnicodeScalarView(scalars[start..<cursor])), cursor)
    }
}
