/// Tab completion derived from the command table: command words, the next keyword,
/// option names (`trees=`), option values, names of stored datasets, pipelines and compute targets, and — by saying `.files` — paths.
public struct Completer {
    public enum Completion: Equatable {
        case words([String])
        /// The next word is a path: let the line editor complete file names.
        case files
    }

    public let table: CommandTable
    /// Names of stored things (datasets, pipelines, compute targets), read when completing.
    public let storedNames: (Catalog) -> [String]
    public let publishedNames: () -> [String]

    public init(table: CommandTable = .standard, storedNames: @escaping (Catalog) -> [String] = { _ in [] },
                publishedNames: @escaping () -> [String] = { [] }) {
        self.table = table
        self.storedNames = storedNames
        self.publishedNames = publishedNames
    }

    /// - Parameters:
    ///   - before: the line up to the start of the word being completed.
    ///   - word: the partial word.
    public func complete(before: String, word: String) -> Completion {
        let statement = String(before.split(separator: ";", omittingEmptySubsequences: false).last ?? "")
        let filter = { (candidates: [String]) -> Completion in
            var seen = Set<String>()
            return .words(candidates.filter { $0.hasPrefix(word) && seen.insert($0).inserted }.sorted())
        }
        // `key=` directly before the word: complete the option's value.
        if statement.hasSuffix("=") {
            let words = statement.dropLast().split(separator: " ").map(String.init)
            guard let key = words.last, let command = table.longestMatch(words),
                  let option = command.signature.option(named: key) else { return .words([]) }
            return valueCompletion(option.kind).map(filter) ?? .files
        }
        let words = statement.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words.isEmpty {
            return filter(table.commands.map { $0.signature.nameWords[0] } + ["let"])
        }
        let lowered = words.map { $0.lowercased() }
        // Inside a command name: `upload ` → `dataset`.
        let continuing = table.commands.compactMap { command -> String? in
            let name = command.signature.nameWords
            guard name.count > lowered.count, name.starts(with: lowered) else { return nil }
            return name[lowered.count]
        }
        guard let command = table.longestMatch(words) else { return filter(continuing) }
        if lowered.first == "help" { return filter(table.commands.map { $0.signature.nameWords[0] }) }

        let signature = command.signature
        let afterName = Array(words.dropFirst(signature.nameWords.count))
        let usedOptions = Set(afterName.compactMap { $0.split(separator: "=").first.map(String.init) }
            .filter { name in afterName.contains { $0.hasPrefix(name + "=") } })
        let positional = afterName.filter { !$0.contains("=") }
        let optionWords = signature.options.map(\.name).filter { !usedOptions.contains($0) }.map { $0 + "=" }

        var candidates = continuing + optionWords
        for kind in nextExpected(signature.pattern, after: positional) {
            switch kind {
            case .keyword(let word): candidates.append(word)
            case .argument(let spec):
                if spec.kind == .path, word.isEmpty || !optionWords.contains(where: { $0.hasPrefix(word) }) { return .files }
                candidates += valueCompletion(spec.kind) ?? []
            default: break
            }
        }
        return filter(candidates)
    }

    private func valueCompletion(_ kind: ValueKind) -> [String]? {
        switch kind {
        case .choice(let options): return options
        case .boolean: return ["true", "false"]
        case .stored(let catalog): return storedNames(catalog)
        case .version: return ["latest"]
        case .comparison: return ["==", "!=", "<", "<=", ">", ">="]
        case .publishedValue: return publishedNames()
        case .path: return nil
        default: return []
        }
    }

    /// The parts that could come next after `typed` positional words.
    private func nextExpected(_ pattern: [PatternPart], after typed: [String]) -> [PatternPart] {
        var index = 0
        var pending: [PatternPart] = []
        func walk(_ parts: [PatternPart]) -> Bool {
            for part in parts {
                switch part {
                case .keyword, .argument:
                    if index >= typed.count { pending.append(part); return false }
                    index += 1
                    pending = []
                case .optional(let sub):
                    if index >= typed.count {
                        if let first = sub.first { pending.append(first) }
                        continue
                    }
                    if matches(sub.first, typed[index]) { if !walk(sub) { return false } }
                case .rest:
                    return false
                }
            }
            return true
        }
        _ = walk(pattern)
        return pending
    }

    private func matches(_ part: PatternPart?, _ word: String) -> Bool {
        switch part {
        case .keyword(let keyword): return keyword == word.lowercased()
        case .argument(let spec): return word.hasPrefix("$") || spec.kind.check(word) == nil
        default: return false
        }
    }
}
