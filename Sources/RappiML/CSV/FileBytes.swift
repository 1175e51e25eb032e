#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole contents of a file, memory-mapped read-only (or read into memory when mapping is
/// not possible, e.g. for pipes). Call `close()` when done; the bytes are invalid afterwards.
public final class FileBytes {
    public private(set) var bytes: UnsafeRawBufferPointer
    private var mapped = false
    private var owned: UnsafeMutableRawPointer?

    /// Opens and maps `path`; throws a `CSVError` naming the file when it cannot be read.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileBytes.failure(path, errno) }
        defer { _ = Glibc_close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileBytes.failure(path, errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw CSVError(file: path, line: 0, column: 0, problem: "is a directory, not a CSV file",
                           hint: "give the path of a .csv file")
        }
        let size = Int(st.st_size)
        if (st.st_mode & S_IFMT) == S_IFREG && size > 0 {
            #if os(Linux)
            let flags = MAP_PRIVATE | MAP_POPULATE
            #else
            let flags = MAP_PRIVATE
            #endif
            if let p = mmap(nil, size, PROT_READ, flags, fd, 0), p != MAP_FAILED {
                bytes = UnsafeRawBufferPointer(start: p, count: size)
                mapped = true
                return
            }
        }
        // Fallback: read until end of file.
        var capacity = Swift.max(size, 1 << 16)
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        var count = 0
        while true {
            if count == capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: count)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let r = Glibc_read(fd, buffer + count, capacity - count)
            if r < 0 {
                if errno == EINTR { continue }
                let e = errno
                buffer.deallocate()
                throw FileBytes.failure(path, e)
            }
            if r == 0 { break }
            count += r
        }
        owned = buffer
        bytes = UnsafeRawBufferPointer(start: buffer, count: count)
    }

    public func close() {
        if mapped, let p = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: p), bytes.count)
            mapped = false
        }
        owned?.deallocate()
        owned = nil
        bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    }

    deinit { close() }

    private static func failure(_ path: String, _ code: Int32) -> CSVError {
        let reason = String(cString: strerror(code))
        return CSVError(file: path, line: 0, column: 0, problem: "cannot read file (\(reason))",
                        hint: "check that the path exists and is readable")
    }
}

@inline(__always) private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
@inline(__always) private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
