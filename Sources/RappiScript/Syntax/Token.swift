/// The lexer's output. Words cover names, numbers, paths, `v3` and operators; the parser
/// decides what a word means from the command's declaration.
public enum TokenKind: Equatable, Sendable {
    case word(String)
    case string(String)          // "double quoted", escapes resolved
    case variable(String)        // $name
    case block(String)           // { … } verbatim, may span lines
    case equals                  // = (options and let)
    case leftParen, rightParen, comma
    case separator               // ; or newline
}

public struct Token: Equatable, Sendable {
    public let kind: TokenKind
    public let position: SourcePosition
    /// UTF-8 offsets of the token in the source, for reproducing statement text.
    public let start: Int
    public let end: Int
    /// For blocks: where the text inside the braces starts.
    public var innerPosition: SourcePosition?

    /// The token's text as the user meant it (strings unquoted, variables without `$`).
    public var text: String {
        switch kind {
        case .word(let s), .string(let s), .variable(let s), .block(let s): return s
        case .equals: return "="
        case .leftParen: return "("
        case .rightParen: return ")"
        case .comma: return ","
        case .separator: return ";"
        }
    }

    public var word: String? { if case .word(let w) = kind { return w }; return nil }
}
