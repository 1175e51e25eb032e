import RappiML
import Foundation
import RappiWorkspace

/// Re-executes a recorded script run against the exact dataset versions it resolved (even if
/// `latest` has moved since) and compares, value by value and model by model, what it
/// publishes now with what it published then.
///
/// A replay never disturbs live services: statements that deploy, undeploy, rotate keys, call an
/// endpoint or drive an A/B experiment are skipped (and listed, with what they published then) —
/// running them again would move live endpoints to new ports and keys under their clients.
/// Values that describe the environment rather than the results (ports, URLs, keys, timings, run
/// ids) are listed apart and not compared.
public struct Replayer {
    public let workspace: Workspace
    public let workspaceDirectory: URL

    public init(workspace: Workspace, workspaceDirectory: URL) {
        self.workspace = workspace
        self.workspaceDirectory = workspaceDirectory
    }

    public struct Difference {
        public let cell: Int
        public let statement: String
        public let name: String
        public let before: String
        public let after: String
    }

    /// A recorded statement the replay did not run, with what it published then.
    public struct Skipped {
        public let cell: Int
        public let statement: String
        public let recorded: [(name: String, value: String)]
    }

    public struct Report {
        public let runID: Int
        public let replayRunID: Int?
        public let cellsCompared: Int
        public let identicalValues: Int
        public let differences: [Difference]
        /// Per registered model in the run: name, hash then, hash now.
        public let models: [(name: String, before: String, after: String)]
        public let skipped: [Skipped]
        /// Environment values (ports, URLs, timings, ids) of replayed cells: shown, not compared.
        public let environment: [Difference]
        public let failure: String?

        public var identical: Bool { differences.isEmpty && failure == nil }

        public var text: String {
            var lines = ["replay of run \(runID)" + (replayRunID.map { " (recorded as run \($0))" } ?? "") +
                         ": \(cellsCompared) cells, \(identicalValues) values identical, \(differences.count) different" +
                         (skipped.isEmpty ? "" : ", \(skipped.count) not replayed")]
            for model in models {
                lines.append(model.before == model.after
                    ? "  model \(model.name): identical (sha256 \(model.before.prefix(16)))"
                    : "  model \(model.name): DIFFERENT (sha256 \(model.before.prefix(16)) then, \(model.after.prefix(16)) now)")
            }
            for d in differences {
                lines.append("  [\(d.cell)] \(d.statement): \(d.name) was \(d.before), now \(d.after)")
            }
            if !skipped.isEmpty {
                lines.append("  not replayed — a replay leaves live endpoints and experiments alone:")
                for s in skipped {
                    let then = s.recorded.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
                    lines.append("    [\(s.cell)] \(s.statement)" + (then.isEmpty ? "" : "  (then: \(then))"))
                }
            }
            if !environment.isEmpty {
                lines.append("  environment values, not compared (where and when it ran, not what it computed):")
                for e in environment {
                    lines.append("    [\(e.cell)] \(e.statement): \(e.name) \(e.before) then, \(e.after) now")
                }
            }
            if let failure { lines.append("  replay failed: \(failure)") }
            lines.append(identical ? "identical" : "different")
            return lines.joined(separator: "\n")
        }
    }

    /// Why a statement is not replayed, or nil to replay it: everything that deploys, stops,
    /// re-keys or calls a live endpoint (`package` only writes files, so it runs), and every A/B
    /// experiment statement (they start routers and send or read live traffic).
    static func reasonToSkip(_ parsed: ParsedStatement) -> String? {
        guard case .success(let statement) = parsed.result, case .command(let invocation) = statement.kind else { return nil }
        let signature = invocation.command.signature
        switch signature.area {
        case "endpoints" where signature.name != "package":
            return "a replay leaves live endpoints alone (it would move them to new ports and keys)"
        case "experiments":
            return "a replay leaves live A/B experiments alone"
        default:
            if signature.name == "predict" && invocation.arguments["endpoint"] != nil {
                return "a replay does not call live endpoints (it predicts with the models it rebuilds)"
            }
            return nil
        }
    }

    /// Whether a published value describes the environment a statement ran in — where, when,
    /// how fast, under which id — rather than what it computed.
    static func isEnvironmentValue(_ name: String) -> Bool {
        environmentNames.contains(name) || ["_ms", "_url", "_seconds", "_token", "_id", "_port"].contains { name.hasSuffix($0) }
    }

    static let environmentNames: Set<String> = ["url", "port", "key", "pid", "seconds", "throughput", "runs", "artifacts"]

    public func replay(runID: Int) throws -> Report {
        guard let run = try workspace.run(runID) else {
            throw CommandFailure("no run \(runID) — `runs` lists the recorded runs")
        }
        guard let script = try workspace.scriptText(of: run) else {
            throw CommandFailure("run \(runID) is a REPL session; only script runs can be replayed — `.save` a session to a script and run it")
        }
        let recorded = try workspace.runCells(runID)
        guard !recorded.isEmpty else { throw CommandFailure("run \(runID) recorded no statements") }

        let session = Session(workspaceDirectory: workspaceDirectory,
                              baseDirectory: URL(fileURLWithPath: run.baseDirectory ?? FileManager.default.currentDirectoryPath),
                              parameters: Self.parameters(run.parametersJSON))
        session.pinnedLoads = Self.resolvedLoads(recorded)
        let interpreter = Interpreter(session: session)
        var runner = ScriptRunner(interpreter: interpreter, kind: "replay", sourceName: "replay of run \(runID)", keepGoing: false)
        // Statements reach `skipping` one by one, in cell order: count them to know which cells were skipped.
        let skippedCells = CellNumbers()
        runner.skipping = { statement in
            skippedCells.seen += 1
            let reason = Self.reasonToSkip(statement)
            if reason != nil { skippedCells.numbers.insert(skippedCells.seen) }
            return reason
        }
        var fresh: [CellResult] = []
        let outcome = runner.run(script) { fresh.append($0) }

        var differences: [Difference] = []
        var environment: [Difference] = []
        var skipped: [Skipped] = []
        var identical = 0
        var compared = 0
        var models: [(name: String, before: String, after: String)] = []
        for old in recorded {
            guard let new = fresh.first(where: { $0.cell == old.cell }) else { continue }
            let before = Self.values(old.valuesJSON)
            if skippedCells.numbers.contains(new.cell) {
                skipped.append(Skipped(cell: old.cell, statement: old.statement,
                                       recorded: before.keys.sorted().map { ($0, before[$0]!) }))
                continue
            }
            compared += 1
            let after = Dictionary(new.values.map { ($0.name, $0.value.json) }, uniquingKeysWith: { $1 })
            // `created` says whether an upload stored something new; a replay re-uploading the
            // same content rightly stores nothing, so it is not a difference in results.
            for name in before.keys.sorted() where name != "created" {
                let now = after[name] ?? "(nothing)"
                if Self.isEnvironmentValue(name) {
                    environment.append(Difference(cell: old.cell, statement: old.statement, name: name, before: before[name]!, after: now))
                } else if before[name] == now { identical += 1 } else {
                    differences.append(Difference(cell: old.cell, statement: old.statement, name: name, before: before[name]!, after: now))
                }
            }
            if let hash = before["model_hash"], let name = before["model"] {
                models.append((Self.unquote(name), Self.unquote(hash), Self.unquote(after["model_hash"] ?? "\"(none)\"")))
            }
        }
        let failure = fresh.first { !$0.ok }.map { "\($0.error!.position): \($0.error!.message)" }
        return Report(runID: runID, replayRunID: outcome.runID, cellsCompared: compared,
                      identicalValues: identical, differences: differences, models: models, skipped: skipped,
                      environment: environment, failure: failure)
    }

    /// Dataset versions each `load dataset` resolved, in order, by dataset name.
    static func resolvedLoads(_ cells: [RunCellRecord]) -> [String: [Int]] {
        var loads: [String: [Int]] = [:]
        for cell in cells where cell.ok && cell.statement.lowercased().hasPrefix("load dataset") {
            let values = Self.values(cell.valuesJSON)
            guard let name = values["dataset"].map(unquote), let version = values["version"].flatMap({ Int($0) }) else { continue }
            loads[name, default: []].append(version)
        }
        return loads
    }

    /// A recorded values object as name → JSON text of the value.
    static func values(_ json: String) -> [String: String] {
        Dictionary(JSONText.flatFields(json).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    static func parameters(_ json: String) -> [String: Value] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return [:] }
        var out: [String: Value] = [:]
        for (key, value) in object {
            out[key] = Value(literal: (value as? String) ?? "\(value)")
        }
        return out
    }

    static func unquote(_ json: String) -> String {
        json.hasPrefix("\"") && json.hasSuffix("\"") && json.count >= 2 ? String(json.dropFirst().dropLast()) : json
    }
}

/// Cell numbers collected while a script runs.
private final class CellNumbers {
    var seen = 0
    var numbers: Set<Int> = []
}
