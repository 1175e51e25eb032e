import FuzzSupport
@testable import RappiScript

/// The language: lexer, parser and binding to the command table, on any text (a REPL line, a
/// script, a notebook cell, a pipeline body read back from the workspace). Any outcome but a
/// crash or a hang is fine; a parse that succeeds must also lex the same way twice.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScript(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let text = FuzzInput(data, size).text else { return 0 }
    let parser = Parser(table: .standard)
    guard let statements = try? parser.parse(text) else { return 0 }
    for statement in statements {
        // Every statement's text is a slice of the source: parsing it alone must not crash either.
        _ = try? parser.parse(statement.text)
    }
    return 0
}
