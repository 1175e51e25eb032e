import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The access log: one line per request, appended to a file. Request handlers only append to an
/// in-memory buffer under a lock; a background thread writes the buffer out every 100 ms (or when
/// it passes 64 KiB), so no request waits on the disk.
final class AccessLog: @unchecked Sendable {
    private let fd: Int32
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var closed = false
    private var flusherDone = false
    private static let flushBytes = 64 << 10

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ModelServerError("cannot open the access log '\(path)': \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(Self.flushBytes)
        let thread = Thread { [self] in self.flushLoop() }
        thread.name = "rappi-access-log"
        thread.start()
    }

    /// Appends one line (a newline is added).
    func append(_ line: String) {
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
        Glibc_close(fd)
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

#if canImport(Glibc)
private func Glibc_close(_ fd: Int32) { _ = Glibc.close(fd) }
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
#else
private func Glibc_close(_ fd: Int32) { _ = Darwin.close(fd) }
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
#endif
