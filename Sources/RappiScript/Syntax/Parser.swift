import RappiML
import RappiWorkspace

/// Splits tokens into statements and binds each to the command table.
public struct Parser {
    public let table: CommandTable

    public init(table: CommandTable = .standard) { self.table = table }

    /// Parses a whole script. A lexical error (an unterminated string or block) fails the whole
    /// parse; a statement that does not bind is returned as a failed `ParsedStatement`.
    public func parse(_ source: String) throws(Lexer.Failure) -> [ParsedStatement] {
        let tokens = try Lexer.tokenize(source)
        let utf8 = Array(source.utf8)
        var statements: [ParsedStatement] = []
        var current: [Token] = []
        func flush() {
            guard let first = current.first, let last = current.last else { return }
            let text = String(decoding: utf8[first.start..<last.end], as: UTF8.self)
            let result: Result<Statement, ScriptError>
            do { result = .success(try bind(current, text: text)) } catch { result = .failure(error) }
            statements.append(ParsedStatement(text: text, position: first.position, result: result))
            current = []
        }
        for token in tokens {
            if token.kind == .separator { flush() } else { current.append(token) }
        }
        flush()
        return statements
    }

    func bind(_ tokens: [Token], text: String) throws(ScriptError) -> Statement {
        let first = tokens[0]
        guard let head = first.word else {
            throw ScriptError("a statement starts with a command name, not '\(first.text)' — try `help`", at: first.position)
        }
        if head == "let" { return try bindAssignment(tokens, text: text) }
        if head.lowercased() == "pipeline", tokens.contains(where: { if case .block = $0.kind { return true }; return false }) {
            return try bindPipelineDefinition(tokens, text: text)
        }

        guard let command = table.longestMatch(tokens.compactMapPrefixWords()) else {
            throw unknownCommand(tokens)
        }
        let nameCount = command.signature.nameWords.count
        var positional: [Token] = []
        var options: [String: Token] = [:]
        var optionPositions: [String: SourcePosition] = [:]
        var tags: [(key: String, value: Token)] = []
        var inTags = false
        var index = nameCount
        // A command that takes free words and no options (`echo trees=$trees`) reads `key=value` as text.
        let signature = command.signature
        let freeText = signature.options.isEmpty && !signature.acceptsParameters && !signature.acceptsTags
            && signature.pattern.contains { if case .rest = $0 { return true }; return false }
        while index < tokens.count {
            let token = tokens[index]
            if freeText {
                positional.append(token)
                index += 1
                continue
            }
            if command.signature.acceptsTags, token.word?.lowercased() == "tag" {
                inTags = true
                index += 1
                continue
            }
            if inTags, let key = token.word, index + 2 < tokens.count, tokens[index + 1].kind == .equals, Self.isValue(tokens[index + 2]) {
                tags.append((key, tokens[index + 2]))
                index += 3
                continue
            }
            if inTags {
                throw ScriptError("after 'tag', write KEY=VALUE pairs, as in tag team=ml", at: token.position)
            }
            if let key = token.word, index + 1 < tokens.count, tokens[index + 1].kind == .equals {
                guard index + 2 < tokens.count, Self.isValue(tokens[index + 2]) else {
                    throw ScriptError("option '\(key)' needs a value after '=', as in \(key)=VALUE", at: tokens[index + 1].position)
                }
                guard let spec = command.signature.option(named: key) else {
                    guard command.signature.acceptsParameters else { throw unknownOption(key, for: command.signature, at: token.position) }
                    if tags.contains(where: { $0.key == key }) { throw ScriptError("parameter '\(key)' is given twice — keep one", at: token.position) }
                    tags.append((key, tokens[index + 2]))
                    index += 3
                    continue
                }
                if optionPositions[key] != nil {
                    throw ScriptError("option '\(key)' is given twice — keep one", at: token.position)
                }
                let value = tokens[index + 2]
                // Values written as words are checked now, so a script fails before it runs; `$variables` at run time.
                if case .word(let text) = value.kind, let problem = spec.check(text) {
                    throw ScriptError("option '\(key)' \(problem)", at: value.position)
                }
                options[key] = value
                optionPositions[key] = token.position
                index += 3
                continue
            }
            if token.kind == .equals {
                throw ScriptError("unexpected '=' — options are written key=value with no spaces around '='", at: token.position)
            }
            positional.append(token)
            index += 1
        }

        var arguments: [String: Token] = [:]
        var rest: [Token] = []
        var cursor = 0
        let end = tokens.last.map { SourcePosition(line: $0.position.line, column: $0.position.column + $0.text.count) }
            ?? first.position
        try matchPattern(command.signature.pattern, positional, &cursor, &arguments, &rest, command.signature, end)
        if cursor < positional.count {
            let extra = positional[cursor]
            throw ScriptError("unexpected '\(extra.text)' — usage: \(command.signature.usage)", at: extra.position)
        }
        let invocation = Invocation(command: command, arguments: arguments, options: options,
                                    optionNamePositions: optionPositions, rest: rest, tags: tags, endPosition: end)
        return Statement(kind: .command(invocation), text: text, position: first.position)
    }

    private func matchPattern(
        _ parts: [PatternPart], _ tokens: [Token], _ cursor: inout Int,
        _ arguments: inout [String: Token], _ rest: inout [Token],
        _ signature: CommandSignature, _ end: SourcePosition
    ) throws(ScriptError) {
        for part in parts {
            switch part {
            case .keyword(let word):
                guard cursor < tokens.count else {
                    throw ScriptError("\(signature.name): expected '\(word)' — usage: \(signature.usage)", at: end)
                }
                guard tokens[cursor].word?.lowercased() == word else {
                    throw ScriptError("expected '\(word)', found '\(tokens[cursor].text)' — usage: \(signature.usage)", at: tokens[cursor].position)
                }
                cursor += 1
            case .argument(let spec):
                guard cursor < tokens.count else {
                    throw ScriptError("\(signature.name): missing \(spec.name.uppercased()) (\(spec.help)) — usage: \(signature.usage)", at: end)
                }
                let token = tokens[cursor]
                guard Self.isValue(token) else {
                    throw ScriptError("expected \(spec.kind.expectation) for \(spec.name.uppercased()), found '\(token.text)'", at: token.position)
                }
                try Self.checkLiteral(token, kind: spec.kind, what: spec.name.uppercased())
                arguments[spec.name] = token
                cursor += 1
            case .optional(let subparts):
                guard cursor < tokens.count, let firstPart = subparts.first,
                      Self.canStart(firstPart, with: tokens[cursor]) else { continue }
                try matchPattern(subparts, tokens, &cursor, &arguments, &rest, signature, end)
            case .rest:
                rest = Array(tokens[cursor...])
                cursor = tokens.count
            }
        }
    }

    private static func canStart(_ part: PatternPart, with token: Token) -> Bool {
        switch part {
        case .keyword(let word): return token.word?.lowercased() == word
        case .argument(let spec):
            if case .block = token.kind { return spec.kind == .json || spec.kind == .text }
            if spec.kind == .json { return false }
            if case .variable = token.kind { return true }
            guard isValue(token), case .word(let text) = token.kind else {
                return spec.kind == .text && isValue(token)
            }
            return spec.kind.check(text) == nil
        case .optional(let parts): return parts.first.map { canStart($0, with: token) } ?? false
        case .rest: return true
        }
    }

    private static func isValue(_ token: Token) -> Bool {
        switch token.kind {
        case .word, .string, .variable, .block: return true
        default: return false
        }
    }

    /// Literal words are checked now, so a script fails before it runs; variables at run time.
    static func checkLiteral(_ token: Token, kind: ValueKind, what: String) throws(ScriptError) {
        guard case .word(let text) = token.kind, let expected = kind.check(text) else { return }
        throw ScriptError("\(what) expects \(expected), got '\(text)'", at: token.position)
    }

    private func bindAssignment(_ tokens: [Token], text: String) throws(ScriptError) -> Statement {
        guard tokens.count == 4, case .word(let name) = tokens[1].kind, tokens[2].kind == .equals, Self.isValue(tokens[3]) else {
            let at = tokens.count > 1 ? tokens[1].position : tokens[0].position
            throw ScriptError("write an assignment as: let NAME = VALUE", at: at)
        }
        guard name.first.map({ $0.isLetter || $0 == "_" }) == true, name.utf8.allSatisfy(Lexer.isNameByte) else {
            throw ScriptError("'\(name)' is not a variable name — use letters, digits and '_'", at: tokens[1].position)
        }
        return Statement(kind: .assignment(name: name, value: tokens[3]), text: text, position: tokens[0].position)
    }

    private func unknownCommand(_ tokens: [Token]) -> ScriptError {
        let words = tokens.compactMapPrefixWords()
        let first = words.first ?? ""
        let position = tokens[0].position
        // A known first word with an unknown second one: `upload datset`.
        let sameStart = table.commands.filter { $0.signature.nameWords.first == first }
        if !sameStart.isEmpty {
            let typed = words.prefix(2).joined(separator: " ")
            let names = sameStart.map { $0.signature.name }
            let hint = NameSuggestion.closest(to: typed, in: names).map { "did you mean '\($0)'?" }
                ?? "'\(first)' goes with: " + names.joined(separator: ", ")
            return ScriptError("unknown command '\(typed)' — \(hint)", at: position)
        }
        if let close = table.suggestion(for: first) {
            return ScriptError("unknown command '\(first)' — did you mean '\(close)'?", at: position)
        }
        return ScriptError("unknown command '\(first)' — type `help` to list commands", at: position)
    }

    private func unknownOption(_ key: String, for signature: CommandSignature, at position: SourcePosition) -> ScriptError {
        let names = signature.options.map(\.name)
        if let close = NameSuggestion.closest(to: key, in: names) {
            return ScriptError("unknown option '\(key)' — did you mean '\(close)'?", at: position)
        }
        if names.isEmpty { return ScriptError("\(signature.name) takes no options, but got '\(key)='", at: position) }
        return ScriptError("unknown option '\(key)' — \(signature.name) takes: \(names.joined(separator: ", "))", at: position)
    }
}

extension Array where Element == Token {
    /// The leading plain words (a command name can only be made of those).
    func compactMapPrefixWords() -> [String] {
        var words: [String] = []
        for (offset, token) in enumerated() {
            guard let word = token.word else { break }
            // `key=value` is an option, never part of a command name.
            if offset + 1 < count, self[offset + 1].kind == .equals { break }
            words.append(word)
        }
        return words
    }
}
