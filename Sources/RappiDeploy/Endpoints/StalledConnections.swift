import Foundation

/// Connections that send a request's head and the start of its body, then stall — each holds
/// one of the server's in-flight slots. `test endpoint` uses them to fill an endpoint to its
/// limit and see the overload answer (503) for real.
public final class StalledConnections {
    private var descriptors: [Int32] = []

    /// Opens up to `count` connections to 127.0.0.1:`port`, each sending `head` (which announces
    /// a larger body than it sends).
    public init(port: Int, count: Int, head: String) {
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { Glibc.close(fd); break }
            _ = head.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
            descriptors.append(fd)
        }
    }

    public var count: Int { descriptors.count }

    public func close() {
        descriptors.forEach { Glibc.close($0) }
        descriptors = []
    }

    deinit { close() }
}
