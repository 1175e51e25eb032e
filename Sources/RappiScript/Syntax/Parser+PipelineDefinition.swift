import RappiML

/// `pipeline NAME(version=latest, trees=200) { load dataset titanic $version; train rf trees=$trees }`
extension Parser {
    func bindPipelineDefinition(_ tokens: [Token], text: String) throws(ScriptError) -> Statement {
        let usage = "write a pipeline as: pipeline NAME(param=default, …) { statements }"
        guard tokens.count >= 3, let name = tokens[1].word else {
            throw ScriptError("a pipeline needs a name — \(usage)", at: tokens[min(1, tokens.count - 1)].position)
        }
        guard name.first.map({ $0.isLetter }) == true else {
            throw ScriptError("'\(name)' is not a pipeline name — start with a letter", at: tokens[1].position)
        }
        var index = 2
        var parameters: [(name: String, defaultValue: String)] = []
        if tokens[index].kind == .leftParen {
            index += 1
            while index < tokens.count, tokens[index].kind != .rightParen {
                let token = tokens[index]
                guard let parameter = token.word, index + 2 < tokens.count, tokens[index + 1].kind == .equals else {
                    throw ScriptError("each pipeline parameter needs a default, as in trees=200 — \(usage)", at: token.position)
                }
                let value = tokens[index + 2]
                switch value.kind {
                case .word, .string: break
                default: throw ScriptError("the default of '\(parameter)' must be a word, number or \"string\"", at: value.position)
                }
                guard parameter.first.map({ $0.isLetter || $0 == "_" }) == true, parameter.utf8.allSatisfy(Lexer.isNameByte) else {
                    throw ScriptError("'\(parameter)' is not a parameter name — use letters, digits and '_'", at: token.position)
                }
                if parameters.contains(where: { $0.name == parameter }) {
                    throw ScriptError("parameter '\(parameter)' is given twice — keep one", at: token.position)
                }
                parameters.append((parameter, value.text))
                index += 3
                if index < tokens.count, tokens[index].kind == .comma { index += 1 }
            }
            guard index < tokens.count else { throw ScriptError("')' is missing after the parameters — \(usage)", at: tokens[tokens.count - 1].position) }
            index += 1
        }
        guard index == tokens.count - 1, case .block(let body) = tokens[index].kind else {
            let at = index < tokens.count ? tokens[index].position : tokens[tokens.count - 1].position
            throw ScriptError("expected the pipeline's { statements } here — \(usage)", at: at)
        }
        let bodyStart = tokens[index].innerPosition ?? tokens[index].position
        let steps = try checkPipelineBody(body, parameters: parameters.map(\.name), at: bodyStart)
        guard !steps.isEmpty else { throw ScriptError("pipeline '\(name)' has no statements — put its steps inside { }", at: tokens[index].position) }
        return Statement(kind: .pipelineDefinition(PipelineSyntax(name: name, parameters: parameters, body: body, steps: steps)),
                         text: text, position: tokens[0].position)
    }

    /// Parses the body now, so a mistake is reported where it is written, before anything is stored.
    /// Every `$name` must be a parameter, a `let` earlier in the body, or a value a command publishes.
    private func checkPipelineBody(_ body: String, parameters: [String], at start: SourcePosition) throws(ScriptError) -> [(kind: String, statement: String)] {
        func absolute(_ position: SourcePosition) -> SourcePosition {
            position.line == 1
                ? SourcePosition(line: start.line, column: start.column + position.column - 1)
                : SourcePosition(line: start.line + position.line - 1, column: position.column)
        }
        let statements: [ParsedStatement]
        do { statements = try parse(body) } catch {
            switch error {
            case .error(let e), .incompleteBlock(let e): throw ScriptError(e.message, at: absolute(e.position))
            }
        }
        let published = Set(table.commands.flatMap { $0.signature.publishes })
        var known = Set(parameters)
        var steps: [(kind: String, statement: String)] = []
        for parsed in statements {
            let statement: Statement
            do { statement = try parsed.result.get() } catch { throw ScriptError(error.message, at: absolute(error.position)) }
            let tokens: [Token]
            do { tokens = try Lexer.tokenize(parsed.text) } catch { tokens = [] }
            for token in tokens {
                guard case .variable(let variable) = token.kind, !known.contains(variable), !published.contains(variable) else { continue }
                let hint = NameSuggestion.closest(to: variable, in: known.sorted()).map { " — did you mean $\($0)?" }
                    ?? " — add it to the parameters, as in pipeline NAME(\(variable)=DEFAULT) { … }"
                let at = SourcePosition(line: parsed.position.line, column: parsed.position.column + token.position.column - 1)
                throw ScriptError("$\(variable) is not a parameter of this pipeline\(hint)", at: absolute(at))
            }
            switch statement.kind {
            case .assignment(let name, _):
                known.insert(name)
                steps.append(("let", parsed.text))
            case .command(let invocation):
                let command = invocation.command
                guard command.allowedInPipelines else {
                    throw ScriptError("""
                        a pipeline cannot use `\(command.signature.name)`: a run waiting inside another run holds a compute \
                        slot the inner run may need — run the pipelines one after the other from a script instead
                        """, at: absolute(parsed.position))
                }
                steps.append((command.signature.name, parsed.text))
            case .pipelineDefinition:
                throw ScriptError("a pipeline cannot define another pipeline — define it at the top level", at: absolute(parsed.position))
            }
        }
        return steps
    }
}
