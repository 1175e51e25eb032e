import Foundation
import RappiWorkspace
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The access log: one line per request, appended to a file. Request handlers only append to an
/// in-memory buffer; `flusher`, a service of the server's application, writes the buffer out
/// every 100 ms and once more when the server stops, so no request waits on the disk.
///
/// The file is the owner's alone (0600); secrets sent in a query string (`?api_key=…`) are
/// replaced by `[redacted]` before a line is kept; past `rotateBytes` the file is renamed to
/// `PATH.1` (older ones move to `.2`, `.3`; the oldest is dropped) and a new one is started.
final class AccessLog: Sendable {
    private let path: String
    /// Lines not written yet; nil once the log is closed (later lines are dropped).
    private let buffer: Mutex<[UInt8]?>
    /// The open file and how many bytes it holds. Holding it serialises writing and rotating.
    private let file: Mutex<(fd: Int32, bytes: Int)>
    let rotateBytes: Int
    static let keptFiles = 3
    static let defaultRotateBytes = 16 << 20

    init(path: String, rotateBytes: Int = AccessLog.defaultRotateBytes) throws {
        self.path = path
        self.rotateBytes = Swift.max(1, rotateBytes)
        let fd = try Self.open(path)
        var info = stat()
        file = Mutex((fd: fd, bytes: fstat(fd, &info) == 0 ? Int(info.st_size) : 0))
        var lines: [UInt8] = []
        lines.reserveCapacity(64 << 10)
        buffer = Mutex(lines)
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Glibc_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ModelServerError("cannot open the access log '\(path)': \(String(cString: strerror(errno)))")
        }
        fchmod(fd, 0o600)  // a log made by an older rappi was 0644
        return fd
    }

    /// Appends one line (a newline is added).
    func append(_ line: String) {
        let line = SecretRedaction.redactingQuery(line)
        buffer.withLock { buffer in
            guard buffer != nil else { return }
            buffer!.append(contentsOf: line.utf8)
            buffer!.append(0x0A)
        }
    }

    /// The service that writes the buffer every 100 ms while the server runs, and the rest when it stops.
    var flusher: PeriodicFlush { PeriodicFlush(every: .milliseconds(100)) { self.flush() } }

    /// Writes what is buffered and closes the file; later lines are dropped.
    func close() {
        let pending = buffer.withLock { buffer -> [UInt8]? in
            defer { buffer = nil }
            return buffer
        }
        guard let pending else { return }  // closed already
        write(pending)
        file.withLock { Glibc_close($0.fd) }
    }

    /// Writes out what is buffered now.
    func flush() {
        let pending = buffer.withLock { buffer -> [UInt8] in
            guard let lines = buffer, !lines.isEmpty else { return [] }
            buffer!.removeAll(keepingCapacity: true)
            return lines
        }
        write(pending)
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        file.withLock { file in
            if file.bytes > 0, file.bytes + bytes.count > rotateBytes { rotate(&file) }
            file.bytes += bytes.count
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc_write(file.fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue } else { return } }
                    offset += n
                }
            }
        }
    }
}

extension AccessLog {
    /// `PATH` → `PATH.1` → `PATH.2` …; the oldest kept file is dropped. Called holding `file`.
    private func rotate(_ file: inout (fd: Int32, bytes: Int)) {
        unlink("\(path).\(Self.keptFiles)")
        for generation in stride(from: Self.keptFiles - 1, through: 1, by: -1) {
            rename("\(path).\(generation)", "\(path).\(generation + 1)")
        }
        rename(path, "\(path).1")
        guard let fresh = try? Self.open(path) else { return }  // keep writing to the renamed file
        Glibc_close(file.fd)
        file = (fresh, 0)
    }
}

#if canImport(Glibc)
private func Glibc_open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
private func Glibc_close(_ fd: Int32) { _ = Glibc.close(fd) }
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
#else
private func Glibc_open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
private func Glibc_close(_ fd: Int32) { _ = Darwin.close(fd) }
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
#endif
