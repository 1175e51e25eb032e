import Foundation

/// Rewrites the relative paths in statements typed in one folder so that they mean the same
/// files when the statements are saved as a script elsewhere: a script resolves relative paths
/// against its own folder (the REPL against the current directory), so `.save sub/s.rappi` must
/// turn `from data/x.csv` into `from ../data/x.csv`. Absolute paths, `~` and `$variables` stay.
public enum PathRebasing {
    public static func rebase(_ statement: String, typedIn base: URL, savedIn folder: URL, parser: Parser = Parser()) -> String {
        guard let parsed = try? parser.parse(statement), parsed.count == 1,
              case .success(let bound) = parsed[0].result, case .command(let invocation) = bound.kind else { return statement }
        let signature = invocation.command.signature
        let pathTokens = signature.arguments.filter { $0.kind == .path }.compactMap { invocation.arguments[$0.name] }
            + signature.options.filter { $0.kind == .path }.compactMap { invocation.options[$0.name] }
        var bytes = Array(statement.utf8)
        // Replace from the end so earlier offsets stay valid.
        for token in pathTokens.sorted(by: { $0.start > $1.start }) {
            switch token.kind {
            case .word, .string: break
            default: continue
            }
            let raw = token.text
            guard !raw.hasPrefix("/"), !raw.hasPrefix("~") else { continue }
            let target = URL(fileURLWithPath: raw, relativeTo: URL(fileURLWithPath: base.path, isDirectory: true)).standardizedFileURL
            let rebased = relativePath(to: target, from: folder.standardizedFileURL)
            bytes.replaceSubrange(token.start..<token.end, with: Array(written(rebased).utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `target` as a path relative to `folder` (`../data/x.csv`).
    static func relativePath(to target: URL, from folder: URL) -> String {
        let to = target.pathComponents, from = folder.pathComponents
        var common = 0
        while common < min(to.count, from.count), to[common] == from[common] { common += 1 }
        let parts = Array(repeating: "..", count: from.count - common) + to[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// A word when it lexes as one, else a "string".
    private static func written(_ path: String) -> String {
        let plain = path.allSatisfy { !$0.isWhitespace && !"\";{}()=$#\\".contains($0) }
        return plain ? path : "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
