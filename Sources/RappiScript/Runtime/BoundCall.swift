import RappiML
import Foundation
import RappiWorkspace

/// A command's arguments and options with `$variables` resolved, typed on request.
/// Every accessor's error names the argument or option and points at it.
public struct BoundCall {
    public let invocation: Invocation
    let session: Session

    var signature: CommandSignature { invocation.command.signature }

    /// The raw text of an argument or option (after `$` resolution), or the option's default.
    public func text(_ name: String) throws(ScriptError) -> String? {
        if let token = invocation.arguments[name] ?? invocation.options[name] {
            return try resolve(token, name: name)
        }
        return signature.option(named: name)?.defaultValue
    }

    public func has(_ name: String) -> Bool {
        invocation.arguments[name] != nil || invocation.options[name] != nil
    }

    /// A path resolved against the script's folder (or the current directory); in a run
    /// triggered over REST, only one under the session's data roots.
    func path(_ name: String) throws(ScriptError) -> URL? {
        guard let raw = try text(name) else { return nil }
        let expanded = (raw as NSString).expandingTildeInPath
        let url = URL(fileURLWithPath: expanded, relativeTo: session.baseDirectory).standardizedFileURL
        guard let roots = session.dataRoots else { return url }
        do { return try roots.confine(url, given: raw) } catch { throw self.error(error.message, at: name) }
    }

    /// The remaining words (`echo …`), resolved. Tokens written without space between them
    /// join into one word, as in a shell: `v$version` is `v2`.
    public func restTexts() throws(ScriptError) -> [String] {
        var texts: [String] = []
        var previousEnd = -1
        for token in invocation.rest {
            let text = try resolve(token, name: "")
            if token.start == previousEnd, !texts.isEmpty { texts[texts.count - 1] += text } else { texts.append(text) }
            previousEnd = token.end
        }
        return texts
    }

    /// `tag KEY=VALUE` pairs, resolved.
    public func tags() throws(ScriptError) -> [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        for (key, token) in invocation.tags { out.append((key, try resolve(token, name: ""))) }
        return out
    }

    /// Where an argument or option was written, for errors raised while executing.
    public func position(of name: String) -> SourcePosition {
        invocation.optionNamePositions[name] ?? invocation.arguments[name]?.position ?? invocation.endPosition
    }

    public func error(_ message: String, at name: String) -> ScriptError {
        ScriptError(message, at: position(of: name))
    }

    private func resolve(_ token: Token, name: String) throws(ScriptError) -> String {
        switch token.kind {
        case .variable(let variable):
            guard let value = session.lookup(variable) else { throw session.undefinedName(variable, at: token.position) }
            let text = value.description
            if let option = signature.option(named: name), let problem = option.check(text) {
                throw ScriptError("option '\(name)' \(problem) (from $\(variable))", at: token.position)
            }
            if let kind = kind(of: name), let expected = kind.check(text) {
                throw ScriptError("\(describe(name)) expects \(expected), but $\(variable) is '\(text)'", at: token.position)
            }
            return text
        case .string(let s): return try session.interpolate(s, at: token.position)
        default: return token.text
        }
    }

    private func kind(of name: String) -> ValueKind? {
        if let option = signature.option(named: name) { return option.kind }
        return signature.arguments.first { $0.name == name }?.kind
    }

    private func describe(_ name: String) -> String {
        signature.option(named: name) != nil ? "option '\(name)'" : name.uppercased()
    }

}
