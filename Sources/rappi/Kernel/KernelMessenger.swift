import Foundation
import RappiScript
import Synchronization

/// What the kernel's threads share: message signing, the iopub socket — which the shell and the
/// control thread both publish on, one message at a time — and the shutdown flag. Everything
/// else in `Kernel` belongs to the shell (main) thread.
final class KernelMessenger: Sendable {
    let signer: KernelMessage.Signer
    let sessionID = UUID().uuidString.lowercased()
    private let iopub: Mutex<ZMQSocket>
    let shutdownRequested = Atomic<Bool>(false)

    init(signer: KernelMessage.Signer, iopub: sending ZMQSocket) {
        self.signer = signer
        self.iopub = Mutex(iopub)
    }

    func receive(on socket: ZMQSocket) -> KernelMessage? {
        guard let frames = socket.receiveMultipart() else { return nil }
        do { return try KernelMessage(frames: frames, signer: signer) } catch {
            // A message that is not signed with our key is not from our client: drop it.
            FileHandle.standardError.write(Data("rappi kernel: ignored a message: \(error)\n".utf8))
            return nil
        }
    }

    func reply(_ request: KernelMessage, on socket: ZMQSocket, type: String, content: [String: Any]) {
        let message = KernelMessage(type: type, session: sessionID, parent: request, content: content, identities: request.identities)
        socket.sendMultipart(message.frames(signer: signer))
    }

    func publish(_ type: String, parent: KernelMessage?, content: [String: Any]) {
        let message = KernelMessage(type: type, session: sessionID, parent: parent, content: content,
                                    identities: [Array("kernel.\(sessionID).\(type)".utf8)])
        let frames = message.frames(signer: signer)
        iopub.withLock { $0.sendMultipart(frames) }
    }

    func publishStatus(_ state: String, parent: KernelMessage?) {
        publish("status", parent: parent, content: ["execution_state": state])
    }

    /// Replies, then stops: a running command stops at its next check; the main loop then leaves.
    func shutdown(_ request: KernelMessage, on socket: ZMQSocket) {
        let restart = request.content["restart"] as? Bool ?? false
        reply(request, on: socket, type: "shutdown_reply", content: ["status": "ok", "restart": restart])
        shutdownRequested.store(true, ordering: .relaxed)
        Interrupt.request()
    }
}
