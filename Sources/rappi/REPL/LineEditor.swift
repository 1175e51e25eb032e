import CReadline
import Foundation
import RappiScript

/// GNU readline through its callback interface, so Ctrl-C can abandon the line being typed
/// without killing the process: the SIGINT handler only raises a flag, and the wait for input
/// (poll) returns EINTR, after which the line is discarded and a fresh prompt shown.
final class LineEditor {
    enum Input {
        case line(String)
        case interrupted
        case endOfInput
    }

    private let historyFile: String

    init(historyFile: String, completer: Completer, dotCommands: [String]) {
        self.historyFile = historyFile
        activeCompletion = CompletionState(completer: completer, dotCommands: dotCommands)
        rappi_readline_configure({ _ in interruptibleGetc() }, { text, start, end in attemptCompletion(text, start, end) })
        using_history()
        stifle_history(5000)
        read_history(historyFile)
        installInterruptHandler()
    }

    func readLine(prompt: String) -> Input {
        pendingLine = nil
        reachedEnd = false
        rl_callback_handler_install(prompt, { line in
            if let line {
                pendingLine = String(cString: line)
                free(line)
            } else {
                reachedEnd = true
            }
            rl_callback_handler_remove()
        })
        while pendingLine == nil && !reachedEnd {
            // The flag is checked before every wait, and the wait is bounded, because Ctrl-C
            // can arrive between two waits rather than during one.
            if Interrupt.isRequested {
                Interrupt.clear()
                rl_callback_sigcleanup()
                rl_replace_line("", 0)
                rl_callback_handler_remove()
                print("^C")
                fflush(nil)
                return .interrupted
            }
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 100) > 0 { rl_callback_read_char() }
        }
        if reachedEnd { return .endOfInput }
        return .line(pendingLine!)
    }

    func remember(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        add_history(line)
        if append_history(1, historyFile) != 0 { write_history(historyFile) }
        history_truncate_file(historyFile, 5000)
    }

    /// The history, oldest first.
    var history: [String] {
        (0..<Int(rappi_history_length())).compactMap { offset in
            history_get(rappi_history_base() + Int32(offset)).map { String(cString: $0.pointee.line) }
        }
    }

    private func installInterruptHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupt.request() }
        sigemptyset(&action.sa_mask)
        // SA_RESTART keeps reads and writes elsewhere from failing with EINTR; poll is never
        // restarted whatever the flag, so the input loop still wakes up at once.
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }
}

/// Reads one byte for readline, giving up when Ctrl-C is pressed. Readline's own reader blocks
/// in pselect, and the terminal discards pending input on Ctrl-C, so a SIGINT landing between
/// "input is ready" and the read would otherwise leave it waiting forever.
private func interruptibleGetc() -> Int32 {
    while true {
        if Interrupt.isRequested { return 3 }  // Ctrl-C: the caller abandons the line
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 100) > 0 else { continue }
        var byte: UInt8 = 0
        let count = read(STDIN_FILENO, &byte, 1)
        if count == 1 { return Int32(byte) }
        if count == 0 { return EOF }
        if errno != EINTR && errno != EAGAIN { return EOF }
    }
}

// Readline calls back through C function pointers, which cannot capture context;
// the editor's state lives in these globals (the REPL is single-threaded).
nonisolated(unsafe) private var pendingLine: String?
nonisolated(unsafe) private var reachedEnd = false
nonisolated(unsafe) private var activeCompletion: CompletionState?
nonisolated(unsafe) private var completionMatches: [String] = []
nonisolated(unsafe) private var completionIndex = 0

private struct CompletionState {
    let completer: Completer
    let dotCommands: [String]
}

private func attemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    guard let state = activeCompletion, let buffer = rappi_readline_line_buffer() else { return nil }
    let line = String(cString: buffer)
    let word = text.map { String(cString: $0) } ?? ""
    let utf8 = Array(line.utf8)
    var before = String(decoding: utf8[0..<min(Int(start), utf8.count)], as: UTF8.self)
    if before.hasSuffix("\"") { before.removeLast() }  // the word is inside a quote the user opened

    let candidates: [String]
    if before.trimmingCharacters(in: .whitespaces).isEmpty, word.hasPrefix(".") {
        candidates = state.dotCommands.filter { $0.hasPrefix(word) }
    } else {
        switch state.completer.complete(before: before, word: word) {
        case .files:
            return nil  // readline's own file name completion
        case .words(let words):
            candidates = words
        }
    }
    guard !candidates.isEmpty else {
        rappi_readline_completion_done(32)
        return nil
    }
    rappi_readline_completion_done(candidates.allSatisfy { $0.hasSuffix("=") } ? 0 : 32)
    completionMatches = candidates
    return rl_completion_matches(text, { _, state in
        if state == 0 { completionIndex = 0 }
        guard completionIndex < completionMatches.count else { return nil }
        defer { completionIndex += 1 }
        return strdup(completionMatches[completionIndex])
    })
}
