import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A free loopback TCP port: bind 127.0.0.1:0, read the port the kernel chose, close.
/// (Another process could take it before it is used; callers that fail to bind should pick again.)
public enum FreePort {
    public static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DeployError("cannot pick a free port: socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw DeployError("cannot pick a free port: bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw DeployError("cannot pick a free port: getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Throws when something listens on 127.0.0.1:`port` (or on every address) already: a bind
    /// test with SO_REUSEADDR — the option servers use — so connections lingering in TIME_WAIT do
    /// not count, only a listener does.
    public static func checkAvailable(_ port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DeployError("cannot check port \(port): socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let problem = errno == EADDRINUSE ? "port \(port) is in use: another program listens on it"
                                              : "cannot listen on port \(port): \(String(cString: strerror(errno)))"
            throw DeployError("\(problem) — choose another port=, or leave port= out to get a free one")
        }
        // A listener only shows up on listen(): bind alone succeeds beside a SO_REUSEADDR listener.
        guard listen(fd, 1) == 0 else {
            throw DeployError("port \(port) is in use: another program listens on it — choose another port=, or leave port= out to get a free one")
        }
    }
}
