import ArgumentParser
import Foundation
import RappiClient
import RappiDeploy
import RappiML
import RappiScript
import RappiServe
import RappiWorkspace

/// Options every mode shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Workspace directory (default: $RAPPI_WORKSPACE, else workspaces/default).")
    var workspace: String?

    @Option(name: .customShort("D"), help: ArgumentHelp("Script parameter NAME=VALUE, read as $NAME.", valueName: "name=value"))
    var defines: [String] = []

    @Flag(name: .long, help: "Print one JSON object per statement (see README: the --json protocol).")
    var json = false

    @Flag(name: .long, help: "Run every statement even after one fails; exit 1 if any failed.")
    var keepGoing = false

    func parameters() throws -> [String: Value] {
        var result: [String: Value] = [:]
        for define in defines {
            guard let eq = define.firstIndex(of: "="), eq != define.startIndex else {
                throw ValidationError("-D expects NAME=VALUE, got '\(define)'")
            }
            result[String(define[..<eq])] = Value(literal: String(define[define.index(after: eq)...]))
        }
        return result
    }

    func session(baseDirectory: URL) throws -> Session {
        let session = Session(workspaceDirectory: Workspace.resolveDirectory(option: workspace),
                              baseDirectory: baseDirectory, parameters: try parameters())
        // Progress bars only for a person watching a terminal.
        session.showsProgress = !json && isatty(STDERR_FILENO) == 1
        if !json {
            session.liveOutput = { line in
                print(line)
                fflush(nil)  // all output streams: Swift 6 rejects the C `stdout` global
            }
        }
        return session
    }
}

@main
struct Rappi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rappi",
        abstract: "A notebook-style scripting host for the ML engineering lifecycle.",
        discussion: """
            With no arguments: the REPL on a terminal, or a script read from standard input.
            `rappi run FILE.rappi` replays a script; `rappi -c "statements"` runs one line.
            """,
        version: Workspace.rappiVersion,
        subcommands: [RunScript.self, ReplayRun.self, ExportRun.self, KernelCommand.self, ServeWorkspace.self, ServeModel.self, ServeRouter.self, PipelineWorkerCommand.self,
                      BenchCSV.self, BenchTrain.self, BenchFeatures.self, BenchLoad.self])

    @OptionGroup var common: CommonOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("Run these statements and exit.", valueName: "statements"))
    var statements: String?

    func run() throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let session = try common.session(baseDirectory: cwd)
        if let statements {
            throw ExitCode(runScript(statements, kind: "command", name: "-c", session: session,
                                     json: common.json, keepGoing: common.keepGoing))
        }
        if isatty(STDIN_FILENO) == 1 {
            REPL(session: session, json: common.json).run()
            return
        }
        let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        throw ExitCode(runScript(input, kind: "stdin", name: "<stdin>", session: session,
                                 json: common.json, keepGoing: common.keepGoing))
    }
}

/// `rappi run FILE.rappi [-D k=v]… [--keep-going] [--json]`
struct RunScript: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Replay a .rappi script (or a rappi notebook's code cells); stops at the first failing statement with exit code 1.")

    @Argument(help: "The script to run: FILE.rappi, or FILE.ipynb (its code cells in order).") var file: String
    @OptionGroup var common: CommonOptions

    func run() throws {
        let url = URL(fileURLWithPath: file).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            FileHandle.standardError.write(Data("rappi: cannot read script '\(file)' — check the path\n".utf8))
            throw ExitCode(2)
        }
        guard var source = String(data: data, encoding: .utf8) else {
            FileHandle.standardError.write(Data("rappi: '\(file)' is not UTF-8 text\n".utf8))
            throw ExitCode(2)
        }
        // A notebook saved in Jupyter replays as the script its code cells make.
        var notebook: NotebookScript?
        if url.pathExtension == "ipynb" {
            do { notebook = try NotebookScript(data: data, file: file) } catch {
                FileHandle.standardError.write(Data("rappi: \(error)\n".utf8))
                throw ExitCode(2)
            }
            source = notebook!.source
        }
        let session = try common.session(baseDirectory: url.deletingLastPathComponent())
        throw ExitCode(runScript(source, kind: "script", name: file, session: session,
                                 json: common.json, keepGoing: common.keepGoing, locate: notebook.map { $0.locate }))
    }
}

/// `rappi replay RUN` — re-execute a recorded run and compare.
struct ReplayRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a recorded script against the dataset versions it resolved; report identical or different.")

    @Argument(help: "A run id from `runs`.") var runID: Int
    @OptionGroup var common: CommonOptions

    func run() throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let session = try common.session(baseDirectory: cwd)
        throw ExitCode(runScript("replay \(runID)", kind: "command", name: "replay", session: session,
                                 json: common.json, keepGoing: false))
    }
}

/// `rappi serve-model --model FILE …` — the model server every deployment target runs.
struct ServeModel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-model",
        abstract: "Serve one model file over HTTP (/score, /invocations, /health/*, /metrics, /openapi.json) until SIGTERM.")

    @Option(help: "The model file (as written by `register`).") var model: String
    @Option(help: "The model's registry name, echoed in responses.") var name: String
    @Option(help: "The model's registry version.") var version: Int
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "File with the accepted API keys, one per line (re-read when it changes); none means no auth.") var keysFile: String?
    @Option(help: "Largest accepted request body, in bytes.") var maxBody = 1 << 20
    @Option(help: "Append one line per request to this file.") var accessLog: String?
    @OptionGroup var tls: TLSOptions

    func run() async throws {
        var configuration = ModelServerConfiguration(modelPath: model, modelName: name, modelVersion: version)
        configuration.tls = try tls.files()
        configuration.host = host
        configuration.port = port
        configuration.keysFile = keysFile
        configuration.maxBodyBytes = maxBody
        configuration.accessLogPath = accessLog
        configuration.readinessNonce = ProcessInfo.processInfo.environment[ReadinessProof.nonceVariable]
        try await ModelServer.run(configuration)
    }
}

/// `rappi serve-router --workspace DIR --experiment NAME …` — the A/B router `abtest start` runs.
struct ServeRouter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-router",
        abstract: "Route an A/B experiment's traffic between its two models (/score, /invocations, /feedback) until SIGTERM.",
        shouldDisplay: false)

    @OptionGroup var common: CommonOptions   // --workspace: the workspace holding the experiment
    @Option(help: "The experiment's name.") var experiment: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "File with the accepted API keys, one per line (re-read when it changes); none means no auth.") var keysFile: String?
    @Option(help: "Largest accepted request body, in bytes.") var maxBody = 1 << 20
    @Option(help: "Append one line per request to this file.") var accessLog: String?
    @OptionGroup var tls: TLSOptions

    func run() async throws {
        var configuration = ExperimentRouterConfiguration(workspacePath: Workspace.resolveDirectory(option: common.workspace).path,
                                                          experiment: experiment)
        configuration.tls = try tls.files()
        configuration.host = host
        configuration.port = port
        configuration.keysFile = keysFile
        configuration.maxBodyBytes = maxBody
        configuration.accessLogPath = accessLog
        try await ExperimentRouter.run(configuration)
    }
}

/// `rappi bench-csv FILE` — times the CSV reader alone (used by scripts/bench/ingest.sh).
struct BenchCSV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-csv", abstract: "Time the CSV reader on a file.", shouldDisplay: false)

    @Argument var file: String
    @Option var repeats = 3

    func run() throws {
        print(CSVBenchmark.run(path: file, repeats: repeats))
    }
}

/// Runs a whole script, printing cells as they finish; returns the process exit code.
func runScript(_ source: String, kind: String, name: String, session: Session, json: Bool, keepGoing: Bool,
               locate: ((SourcePosition) -> String)? = nil) -> Int32 {
    let interpreter = Interpreter(session: session)
    let runner = ScriptRunner(interpreter: interpreter, kind: kind, sourceName: name, keepGoing: keepGoing)
    var printer = CellPrinter(json: json, sourceName: name)
    printer.locate = locate
    let outcome = runner.run(source) { printer.print($0) }
    return outcome.succeeded ? 0 : 1
}

/// `rappi bench-train …` — times the estimators alone (used by scripts/bench/train.sh).
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train", abstract: "Time training and prediction on numeric CSVs.", shouldDisplay: false)

    @Option var train: String
    @Option var test: String?
    @Option var target: String
    @Option var algorithm = "rf"
    @Option var trees = 100
    @Option var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option var repeats = 3
    @Option var cv: Int?

    func run() throws {
        print(TrainBenchmark.run(trainCSV: train, testCSV: test, target: target, algorithm: algorithm, trees: trees,
                                 threads: threads, repeats: repeats, cvFolds: cv))
    }
}

/// `rappi bench-features --recipe titanic IN.csv OUT.csv` — the recipe's feature matrix plus the
/// target as a numeric CSV, so another tool can train on exactly the same features.
struct BenchFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-features", abstract: "Write a recipe's features as a numeric CSV.", shouldDisplay: false)

    @Option var recipe = "titanic"
    @Option var target = "Survived"
    @Flag var standardize = false
    @Argument var input: String
    @Argument var output: String

    func run() throws {
        guard let recipe = Recipe(rawValue: recipe) else { throw ValidationError("unknown recipe '\(recipe)'") }
        let frame = try CSVReader.read(path: input).frame
        let rows = Array(0..<frame.rowCount)
        let preprocessor = try Preprocessor.fit(frame, rows: rows, target: target, recipe: recipe, standardize: standardize)
        let features = try preprocessor.transform(frame)
        let labels = try TargetEncoding.fit(frame, target: target, rows: rows).encode(frame, rows: rows)
        var writer = CSVWriter(header: features.names + [target])
        for r in 0..<features.rows {
            writer.append((0..<features.columns).map { "\(features[r, $0])" } + [String(labels.indices[r])])
        }
        try writer.text.write(toFile: output, atomically: true, encoding: .utf8)
        print("wrote \(features.rows) rows × \(features.columns) features + \(target) to \(output)")
    }
}

/// `rappi bench-load --url URL --body-file FILE …` — the `profile endpoint` load generator aimed
/// at any URL, so a peer service (FastAPI) is measured with the very same client.
struct BenchLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-load", abstract: "Drive POST load at a URL with the libcurl load generator.", shouldDisplay: false)

    @Option var url: String
    @Option var bodyFile: String
    @Option var requests = 2000
    @Option var concurrency = 8
    @Option(parsing: .singleValue) var header: [String] = []

    func run() throws {
        guard let body = FileManager.default.contents(atPath: bodyFile) else { throw ValidationError("cannot read \(bodyFile)") }
        var headers = ["Content-Type": "application/json"]
        for line in header {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { headers[parts[0]] = parts[1] }
        }
        let report = LoadGenerator.run(url: url, body: Array(body), headers: headers, requests: requests, concurrency: concurrency)
        let statuses = report.statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        print(String(format: "requests=%d concurrency=%d seconds=%.3f throughput=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d",
                     report.requests, report.concurrency, report.seconds, report.throughput, report.milliseconds(at: 50),
                     report.milliseconds(at: 90), report.milliseconds(at: 99), report.milliseconds(at: 99.9),
                     report.maxMilliseconds, report.errors) + " statuses=\(statuses)")
    }
}
