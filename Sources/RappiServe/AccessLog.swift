import Foundation
import RappiWorkspace
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The access log: one line per request, appended to a file. Request handlers only append to an
/// in-memory buffer under a lock; a background thread writes the buffer out every 100 ms (or when
/// it passes 64 KiB), so no request waits on the disk.
///
/// The file is the owner's alone (0600); secrets sent in a query string (`?api_key=…`) are
/// replaced by `[redacted]` before a line is kept; past `rotateBytes` the file is renamed to
/// `PATH.1` (older ones move to `.2`, `.3`; the oldest is dropped) and a new one is started.
final class AccessLog: @unchecked Sendable {
    private let path: String
    private var fd: Int32
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var closed = false
    private var flusherDone = false
    /// Serialises writing and rotating (the flusher and `flush()` both write).
    private let fileLock = NSLock()
    private var fileBytes: Int
    let rotateBytes: Int
    static let keptFiles = 3
    static let defaultRotateBytes = 16 << 20
    private static let flushBytes = 64 << 10

    init(path: String, rotateBytes: Int = AccessLog.defaultRotateBytes) throws {
        self.path = path
        self.rotateBytes = Swift.max(1, rotateBytes)
        fd = try Self.open(path)
        var info = stat()
        fileBytes = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        buffer.reserveCapacity(Self.flushBytes)
        let thread = Thread { [self] in self.flushLoop() }
        thread.name = "rappi-access-log"
        thread.start()
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
        condition.lock()
        if !closed {
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            if buffer.count >= Self.flushBytes { condition.signal() }
        }
        condition.unlock()
    }

    /// Writes what is buffered and stops the flusher; later lines are dropped.
    func close() {
        condition.lock()
        if closed { condition.unlock(); return }
        closed = true
        condition.signal()
        while !flusherDone { condition.wait() }
        condition.unlock()
        fileLock.lock()
        Glibc_close(fd)
        fileLock.unlock()
    }

    /// Writes out what is buffered now (for tests and shutdown).
    func flush() {
        condition.lock()
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        condition.unlock()
        write(pending)
    }

    private func flushLoop() {
        condition.lock()
        while true {
            if buffer.count < Self.flushBytes && !closed {
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
            }
            let pending = buffer
            buffer.removeAll(keepingCapacity: true)
            let stop = closed
            condition.unlock()
            write(pending)
            condition.lock()
            if stop { break }
        }
        flusherDone = true
        condition.broadcast()
        condition.unlock()
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        fileLock.lock()
        defer { fileLock.unlock() }
        if fileBytes > 0, fileBytes + bytes.count > rotateBytes { rotate() }
        fileBytes += bytes.count
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }
}

extension AccessLog {
    /// `PATH` → `PATH.1` → `PATH.2` …; the oldest kept file is dropped. Called under `fileLock`.
    private func rotate() {
        unlink("\(path).\(Self.keptFiles)")
        for generation in stride(from: Self.keptFiles - 1, through: 1, by: -1) {
            rename("\(path).\(generation)", "\(path).\(generation + 1)")
        }
        rename(path, "\(path).1")
        guard let fresh = try? Self.open(path) else { return }  // keep writing to the renamed file
        Glibc_close(fd)
        fd = fresh
        fileBytes = 0
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
