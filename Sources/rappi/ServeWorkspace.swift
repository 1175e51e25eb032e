import ArgumentParser
import Foundation
import RappiDeploy
import RappiScript
import RappiServe
import RappiWorkspace

/// `rappi serve [--port N]` — the workspace server: the REST API for published pipelines and the
/// worker loop that executes queued runs on their compute targets. SIGTERM finishes running work
/// within `--drain-seconds`, requeues what is left, and exits 0.
struct ServeWorkspace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the workspace server: REST API for published pipelines and the pipeline run queue's worker.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8321
    @Option(help: "On SIGTERM, seconds to let running pipeline runs finish before requeueing them.") var drainSeconds = 30.0
    @Option(name: .customLong("data-root"), help: ArgumentHelp(
        "A folder runs triggered over REST may read and write (repeatable; default: the workspace's data/).", valueName: "dir"))
    var dataRoots: [String] = []
    @Option(help: "Seconds before an idle connection is closed, and within which a request must arrive whole.") var idleTimeout = 30
    @OptionGroup var tls: TLSOptions
    @Flag(help: "Workers of local targets reach the workspace only over HTTP, as a cluster node's would.") var remoteWorkers = false
    @Option(help: "Seconds without a heartbeat after which a remote worker counts as dead (its run is requeued).") var workerHeartbeatTimeout = 30.0
    @Option(help: ArgumentHelp("The URL remote workers (Ray nodes) reach this server at (default http://HOST:PORT).", valueName: "url"))
    var advertiseURL: String?

    func run() async throws {
        let directory = Workspace.resolveDirectory(option: common.workspace)
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let roots = dataRoots.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath, relativeTo: cwd).standardizedFileURL }
        for root in roots {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--data-root \(root.path) is not a folder — give an existing folder REST-triggered runs may read")
            }
        }
        let tlsFiles = try tls.files()
        guard workerHeartbeatTimeout > 0 else { throw ValidationError("--worker-heartbeat-timeout must be a positive number of seconds") }
        let workerTokens = WorkerTokens()
        let controlPlane = PipelineRunExecutor.ControlPlane(server: advertiseURL ?? "\(tlsFiles == nil ? "http" : "https")://\(host):\(port)", tokens: workerTokens,
                                                            heartbeatTimeout: workerHeartbeatTimeout)
        let scheduler = PipelineScheduler(workspaceDirectory: directory, dataRoots: roots, controlPlane: controlPlane,
                                          localWorkersOverHTTP: remoteWorkers) { line in
            FileHandle.standardError.write(Data("[\(Timestamp.short(Timestamp.now()))] \(line)\n".utf8))
        }
        if let other = WorkspaceServerRecord.live(in: directory), other.pid != getpid() {
            throw ValidationError("a workspace server already runs for \(directory.path) at \(other.baseURL) (pid \(other.pid)) — stop it first")
        }
        var configuration = WorkspaceServer.Configuration(workspaceDirectory: directory)
        configuration.host = host
        configuration.port = port
        configuration.workerTokens = workerTokens
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be at least 1 second") }
        configuration.idleTimeoutSeconds = idleTimeout
        configuration.requestTimeoutSeconds = idleTimeout
        configuration.tls = tlsFiles
        configuration.checkParameters = { definition, values in
            PipelineParameterCheck.problem(in: definition, values: values).map { ($0.parameter, $0.message) }
        }
        configuration.parameterSchemas = { ParameterSchema.properties(of: $0) }
        try await WorkspaceServer.run(configuration, services: [PipelineSchedulerService(scheduler, drainSeconds: drainSeconds)],
                                      onEnqueue: { scheduler.wake() }, onReady: { record in
            print("rappi workspace server for \(directory.path) listening on \(record.baseURL) (pid \(record.pid))")
            fflush(nil)  // all output streams: Swift 6 rejects the C `stdout` global
        })
    }
}

/// `rappi pipeline-worker` — executes one claimed pipeline run (started by an executor; hidden).
/// With `--workspace` it opens the workspace's files; with `--server URL --token T` it talks to
/// the workspace server only (a Ray node, or `rappi serve --remote-workers`).
struct PipelineWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline-worker", abstract: "Execute one claimed pipeline run (internal).", shouldDisplay: false)

    @OptionGroup var common: CommonOptions
    @Option(name: .customLong("run")) var runID: Int
    @Option var threads: Int
    @Option(help: "Memory limit in bytes (0: none).") var memory = 0
    @Option(help: "The executor's pid: the worker dies with it (a local executor's worker).") var parent: Int32?
    @Option(name: .customLong("data-root"), help: "Where a run triggered over REST may read and write (repeatable).") var dataRoots: [String] = []
    @Option(help: "The workspace server's URL: reach the workspace only over HTTP (no workspace path).") var server: String?
    @Option(help: "The worker token the executor made for this run (with --server; default $RAPPI_WORKER_TOKEN).") var token: String?
    @Option(help: "Seconds between heartbeats to the workspace server (with --server).") var heartbeatSeconds = 2.0

    private var workerToken: String? {
        token ?? ProcessInfo.processInfo.environment[PipelineRunExecutor.ControlPlane.tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        if server != nil, common.workspace != nil {
            throw ValidationError("give either --workspace (open the workspace's files) or --server and --token (over HTTP), not both")
        }
        if server != nil, workerToken == nil {
            throw ValidationError("--server needs the run's worker token: --token T or $\(PipelineRunExecutor.ControlPlane.tokenVariable)")
        }
    }

    func run() throws {
        // Die with the executor, so a crashed server leaves no orphan writing to the run.
        // (prctl(PR_SET_PDEATHSIG) is variadic C and not callable from Swift; watch instead.)
        if let executor = parent {
            guard getppid() == executor else { throw ExitCode(3) }
            Thread.detachNewThread {
                while getppid() == executor { usleep(100_000) }
                _exit(3)
            }
        }
        // An instrumented build reserves terabytes of shadow address space, which RLIMIT_DATA
        // counts: it would die at once. The executor's resident-memory watch still applies.
        if memory > 0, !SanitizerRuntime.isActive {
            var limit = rlimit(rlim_cur: rlim_t(memory), rlim_max: rlim_t(memory))
            setrlimit(Int32(RLIMIT_DATA.rawValue), &limit)
        }
        let succeeded: Bool
        if let server, let token = workerToken {
            var worker = RemotePipelineWorker(server: server, token: token, runID: runID, threads: max(1, threads))
            worker.heartbeatSeconds = max(0.05, heartbeatSeconds)
            succeeded = try worker.run()
        } else {
            let workspace = try Workspace(directory: Workspace.resolveDirectory(option: common.workspace))
            succeeded = try PipelineWorker(workspace: workspace, runID: runID, threads: max(1, threads),
                                           dataRoots: dataRoots.map { URL(fileURLWithPath: $0) }).run()
        }
        throw ExitCode(succeeded ? 0 : 1)
    }
}
