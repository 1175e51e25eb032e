import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection for clients that misbehave on purpose.
final class RawConnection {
    private let descriptor: Int32

    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw NSError(domain: "connect", code: Int(errno)) }
    }

    /// Sends all of `text` unless the connection fails; returns how many bytes went out.
    @discardableResult
    func send(_ text: String) -> Int {
        text.utf8CString.withUnsafeBufferPointer { buffer in
            var sent = 0
            while sent < buffer.count - 1 {
                let n = Glibc.send(descriptor, buffer.baseAddress! + sent, buffer.count - 1 - sent, Int32(MSG_NOSIGNAL))
                if n < 0 { if errno == EINTR { continue } else { break } }
                sent += n
            }
            return sent
        }
    }

    /// Everything the server sends until it closes the connection or `timeout` seconds pass.
    func receiveUntilClosed(timeout: Double) -> (text: String, closed: Bool) {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, wait) > 0 else { break }
            let n = recv(descriptor, &buffer, buffer.count, 0)
            if n <= 0 { return (String(decoding: bytes, as: UTF8.self), true) }
            bytes += buffer[0..<n]
        }
        return (String(decoding: bytes, as: UTF8.self), false)
    }

    func close() { Glibc.close(descriptor) }
}
