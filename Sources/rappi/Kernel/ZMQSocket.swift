import CZMQ
import Foundation

/// One ZeroMQ socket bound to an address. A socket is used by one thread at a time (ZeroMQ
/// sockets are not thread-safe); the kernel gives each its own thread or guards it with a lock.
final class ZMQSocket {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let handle: UnsafeMutableRawPointer

    init(context: UnsafeMutableRawPointer, type: Int32, bindTo address: String) throws {
        guard let socket = zmq_socket(context, type) else { throw Failure(description: "zmq_socket: \(Self.lastError)") }
        handle = socket
        var linger: Int32 = 0  // shutdown must not wait for a departed client to read
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_bind(handle, address) == 0 else {
            throw Failure(description: "cannot listen on \(address): \(Self.lastError) — is another kernel using this port?")
        }
    }

    deinit { zmq_close(handle) }

    static var lastError: String { String(cString: zmq_strerror(zmq_errno())) }

    /// Waits up to `milliseconds` for a message; false on timeout or a signal.
    func waitReadable(milliseconds: Int) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        return zmq_poll(&item, 1, milliseconds) > 0 && item.revents & Int16(ZMQ_POLLIN) != 0
    }

    /// Receives every frame of one multipart message (blocking); nil when interrupted.
    func receiveMultipart() -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let size = zmq_msg_recv(&message, handle, 0)
            if size < 0 { return frames.isEmpty ? nil : frames }  // EINTR before any frame: try again later
            let bytes = zmq_msg_data(&message).map { Array(UnsafeRawBufferPointer(start: $0, count: Int(size))) } ?? []
            frames.append(bytes)
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    func sendMultipart(_ frames: [[UInt8]]) {
        for (index, frame) in frames.enumerated() {
            let flags = index == frames.count - 1 ? Int32(0) : Int32(ZMQ_SNDMORE)
            frame.withUnsafeBytes { buffer in
                // Retry only an interrupted call; other failures (a vanished peer) drop the message, as ZeroMQ does.
                while zmq_send(handle, buffer.baseAddress, buffer.count, flags) < 0 && zmq_errno() == EINTR {}
            }
        }
    }
}
