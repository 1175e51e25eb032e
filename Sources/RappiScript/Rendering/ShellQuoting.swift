/// Quotes a word for a POSIX shell when it needs it, so a printed command can be pasted as is
/// (`podman build -t t:v1 '/tmp/dir with space'`).
enum ShellQuoting {
    static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0)) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
