import Foundation

/// Writes `text` to standard error. Unbuffered (one write), and unlike `fputs(_, stderr)` it does
/// not touch the C `stderr` global, which Swift 6 rejects as unchecked shared state.
func writeToStandardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
