import CZMQ
import Foundation
import RappiCharts
import RappiScript
import RappiWorkspace
import Synchronization

/// `rappi kernel`: a Jupyter kernel (messaging protocol 5.3). One kernel is one session — the
/// values, current dataset and model carry over from cell to cell — recorded as one run of kind
/// "kernel". Shell requests run on the main thread; control (interrupt, shutdown) and the
/// heartbeat have their own threads so they answer while a long `train` is running.
final class Kernel {
    private let session: Session
    private let interpreter: Interpreter
    private let messenger: KernelMessenger
    private let context: UnsafeMutableRawPointer
    private let shell, control, stdin, heartbeat: ZMQSocket
    private var executionCount = 0
    /// When the last cell that asked `stop_on_error` (Jupyter's default) failed: execute requests
    /// sent before then were queued behind it (Run All) and are aborted, not run.
    private var abortRequestsSentBefore: Date?
    private var runID: Int?
    private var history = KernelHistory(session: 0)
    /// The request being executed: live output (pipeline steps) is sent as its stream.
    private var currentRequest: KernelMessage?
    private lazy var completion = KernelCompletion(session: session, table: interpreter.table)

    init(connection: KernelConnection, session: Session) throws {
        self.session = session
        interpreter = Interpreter(session: session)
        guard let context = zmq_ctx_new() else { throw KernelSetupError("zmq_ctx_new failed: \(ZMQSocket.lastError)") }
        self.context = context
        shell = try ZMQSocket(context: context, type: ZMQ_ROUTER, bindTo: connection.address(connection.shellPort))
        control = try ZMQSocket(context: context, type: ZMQ_ROUTER, bindTo: connection.address(connection.controlPort))
        stdin = try ZMQSocket(context: context, type: ZMQ_ROUTER, bindTo: connection.address(connection.stdinPort))
        // Only the messenger ever uses the iopub socket.
        nonisolated(unsafe) let iopub = try ZMQSocket(context: context, type: ZMQ_PUB, bindTo: connection.address(connection.iopubPort))
        messenger = KernelMessenger(signer: KernelMessage.Signer(key: connection.key), iopub: iopub)
        heartbeat = try ZMQSocket(context: context, type: ZMQ_REP, bindTo: connection.address(connection.hbPort))
    }

    /// Serves until a shutdown request; returns then.
    func run() throws {
        let workspace = try session.workspace()
        runID = try workspace.beginRun(kind: "kernel", source: "jupyter", scriptText: nil, parametersJSON: "{}",
                                       baseDirectory: session.baseDirectory.path)
        session.runID = runID
        history = KernelHistory(session: runID ?? 0)
        session.liveOutput = { [unowned self] line in
            if let request = currentRequest { stream(line + "\n", parent: request) }
        }
        installInterruptHandler()
        // From here on the heartbeat and control sockets each belong to their own thread.
        nonisolated(unsafe) let heartbeat = heartbeat, control = control
        let messenger = messenger
        startThread(name: "rappi-heartbeat") {
            while true { if let frames = heartbeat.receiveMultipart() { heartbeat.sendMultipart(frames) } }
        }
        startThread(name: "rappi-control") {
            while !messenger.shutdownRequested.load(ordering: .relaxed) {
                guard control.waitReadable(milliseconds: 200), let request = messenger.receive(on: control) else { continue }
                Self.handleControl(request, on: control, messenger: messenger)
            }
        }
        publishStatus("starting", parent: nil)
        while !messenger.shutdownRequested.load(ordering: .relaxed) {
            guard shell.waitReadable(milliseconds: 200), let request = receive(on: shell) else { continue }
            publishStatus("busy", parent: request)
            handleShell(request)
            publishStatus("idle", parent: request)
        }
        if let runID { try? workspace.finishRun(runID, status: "ended", error: nil) }
        // Let the last replies leave before the sockets close.
        Thread.sleep(forTimeInterval: 0.1)
    }

    // MARK: requests

    private func handleShell(_ request: KernelMessage) {
        switch request.type {
        case "kernel_info_request": reply(request, on: shell, type: "kernel_info_reply", content: Self.kernelInfo)
        case "execute_request":
            if isQueuedBehindAFailure(request) {
                reply(request, on: shell, type: "execute_reply", content: ["status": "aborted", "execution_count": executionCount])
            } else {
                execute(request)
            }
        case "complete_request": reply(request, on: shell, type: "complete_reply", content: completion.complete(request.content))
        case "is_complete_request": reply(request, on: shell, type: "is_complete_reply", content: isComplete(request.content))
        case "inspect_request": reply(request, on: shell, type: "inspect_reply", content: completion.inspect(request.content))
        case "history_request": reply(request, on: shell, type: "history_reply", content: ["status": "ok", "history": history.reply(request.content)])
        case "comm_info_request": reply(request, on: shell, type: "comm_info_reply", content: ["status": "ok", "comms": [:]])
        case "shutdown_request": messenger.shutdown(request, on: shell)
        default: break  // unknown requests get no reply, as the protocol allows
        }
    }

    /// On the control thread: answers while the shell thread is busy with a cell.
    private static func handleControl(_ request: KernelMessage, on control: ZMQSocket, messenger: KernelMessenger) {
        messenger.publishStatus("busy", parent: request)
        switch request.type {
        case "interrupt_request":
            Interrupt.request()
            messenger.reply(request, on: control, type: "interrupt_reply", content: ["status": "ok"])
        case "shutdown_request": messenger.shutdown(request, on: control)
        case "kernel_info_request": messenger.reply(request, on: control, type: "kernel_info_reply", content: Self.kernelInfo)
        default: break
        }
        messenger.publishStatus("idle", parent: request)
    }

    static var kernelInfo: [String: Any] {
        [
            "status": "ok", "protocol_version": KernelMessage.protocolVersion,
            "implementation": "rappi", "implementation_version": Workspace.rappiVersion,
            "language_info": [
                "name": "rappi", "version": Workspace.rappiVersion, "mimetype": "text/x-rappi",
                "file_extension": ".rappi", "pygments_lexer": "text", "codemirror_mode": "shell",
            ] as [String: Any],
            "banner": "rappi \(Workspace.rappiVersion) — type `help` for commands",
            "help_links": [],
        ]
    }

    // MARK: execute

    /// Runs a cell: every statement is checked first (as a script is), then run in order, its
    /// outputs sent as `CellDisplay` says.
    private func execute(_ request: KernelMessage) {
        let code = request.content["code"] as? String ?? ""
        let silent = request.content["silent"] as? Bool ?? false
        if !silent { executionCount += 1 }
        // An interrupt that came while idle is dropped; from execute_input on, one stops this cell.
        Interrupt.clear()
        publish("execute_input", parent: request, content: ["code": code, "execution_count": executionCount])
        if !silent && request.content["store_history"] as? Bool ?? true { history.record(line: executionCount, input: code) }
        currentRequest = request
        defer { currentRequest = nil }

        let statements: [ParsedStatement]
        do {
            statements = try interpreter.parser.parse(code)
        } catch {
            switch error {
            case .error(let e), .incompleteBlock(let e): return fail(request, e, code: code)
            }
        }
        if let bad = statements.lazy.compactMap({ if case .failure(let e) = $0.result { return e }; return nil }).first {
            return fail(request, bad, code: code)
        }
        let known = Set(session.parameters.keys).union(session.variables.keys).union(session.published.keys)
        if let unresolved = NameResolver(table: interpreter.table).firstUnresolved(in: statements, known: known) {
            return fail(request, unresolved, code: code)
        }
        for (index, statement) in statements.enumerated() {
            let cell = interpreter.execute(statement)
            if let runID { _ = try? session.workspace().record(cell, run: runID) }
            if let error = cell.error, silent { return fail(request, error, code: code, publishes: false) }
            if silent { continue }
            let display = CellDisplay(cell, isLastInCell: index == statements.count - 1)
            for output in display.outputs(executionCount: executionCount, code: code) where output.type != "error" {
                publish(output.type, parent: request, content: output.content)
                if output.type == "execute_result" { history.setOutput(display.text, line: executionCount) }
            }
            if let error = cell.error { return fail(request, error, code: code) }
        }
        reply(request, on: shell, type: "execute_reply", content: [
            "status": "ok", "execution_count": executionCount, "user_expressions": [:], "payload": [],
        ])
    }

    /// One `error` output with the rappi message and where it is, and an error reply.
    private func fail(_ request: KernelMessage, _ error: ScriptError, code: String, publishes: Bool = true) {
        if request.content["stop_on_error"] as? Bool ?? true { abortRequestsSentBefore = Date() }
        let content = CellDisplay.errorContent(error, code: code)
        if publishes { publish("error", parent: request, content: content) }
        reply(request, on: shell, type: "execute_reply", content: content.merging([
            "status": "error", "execution_count": executionCount,
            "line": error.position.line, "column": error.position.column,
        ]) { $1 })
    }

    /// A cell that was sent before an earlier cell failed was queued behind it (Run All): it is
    /// answered "aborted" instead of run, so a notebook stops at its first error as a script does.
    /// Decided by the request's own timestamp, not by when it arrives, so a slow client neither
    /// runs the rest of a Run All nor loses a cell typed after the error was shown.
    private func isQueuedBehindAFailure(_ request: KernelMessage) -> Bool {
        guard let cutoff = abortRequestsSentBefore, let sent = (request.header["date"] as? String).flatMap(Self.date) else { return false }
        return sent < cutoff
    }

    /// `2026-11-30T17:25:00.123456Z` (jupyter_client) or `….123Z` (browsers) — any number of decimals.
    static func date(_ text: String) -> Date? {
        var base = text, fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            base = String(text[..<dot]) + String(text[text.index(after: dot)...].dropFirst(digits.count))
        }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: base).map { $0.addingTimeInterval(fraction) }
    }

    /// An open `{` asks for more lines; a statement that cannot bind is invalid.
    private func isComplete(_ content: [String: Any]) -> [String: Any] {
        let code = content["code"] as? String ?? ""
        do {
            let statements = try interpreter.parser.parse(code)
            let valid = statements.allSatisfy { if case .success = $0.result { return true }; return false }
            return ["status": valid ? "complete" : "invalid"]
        } catch {
            if case .incompleteBlock = error { return ["status": "incomplete", "indent": "  "] }
            return ["status": "invalid"]
        }
    }

    // MARK: sending

    private func receive(on socket: ZMQSocket) -> KernelMessage? { messenger.receive(on: socket) }

    private func reply(_ request: KernelMessage, on socket: ZMQSocket, type: String, content: [String: Any]) {
        messenger.reply(request, on: socket, type: type, content: content)
    }

    private func publish(_ type: String, parent: KernelMessage?, content: [String: Any]) {
        messenger.publish(type, parent: parent, content: content)
    }

    private func publishStatus(_ state: String, parent: KernelMessage?) { messenger.publishStatus(state, parent: parent) }

    private func stream(_ text: String, parent: KernelMessage) {
        publish("stream", parent: parent, content: ["name": "stdout", "text": text])
    }

    private func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    /// Jupyter interrupts a kernel with SIGINT by default: it stops the running command the way
    /// Ctrl-C does in the REPL, and the kernel lives on.
    private func installInterruptHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupt.request() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }
}
