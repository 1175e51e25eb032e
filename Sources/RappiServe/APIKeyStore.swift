import Foundation
import RappiWorkspace
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The accepted API keys: fixed (`apiKeys`), or read from a keys file (one key per line —
/// primary, secondary) that is re-read when it changes, so `endpoint rotate-key` takes effect
/// without a restart. The file's identity (mtime, size, inode) is checked with one `stat` at most
/// every `recheckNanoseconds` (100 ms: ten `stat`s a second cost nothing next to the requests, and a
/// rotated key is accepted almost at once — `endpoint rotate-key` waits until it is).
///
/// No keys at all (no file, empty `apiKeys`) means no authentication. A keys file that exists but
/// holds no key rejects every request (fail closed) rather than opening the endpoint.
final class APIKeyStore: @unchecked Sendable {
    private let path: String?
    private let lock = NSLock()
    private var keys: [[UInt8]]
    private var stamp: FileStamp?
    private var lastCheck: UInt64 = 0

    /// Fixed keys.
    init(keys: [String]) {
        path = nil
        self.keys = keys.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Keys from a file; throws when it cannot be read at start-up.
    init(file: String) throws {
        path = file
        guard let stamp = FileStamp(path: file), let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ModelServerError("cannot read the keys file '\(file)'")
        }
        self.stamp = stamp
        keys = Self.parse(text)
        lastCheck = Self.now()
    }

    /// `true` when requests need a key.
    var isEnabled: Bool {
        if path != nil { return true }
        return !keys.isEmpty
    }

    /// Checks a presented key against every accepted key, in constant time per key (every key is
    /// compared, whether or not an earlier one matched).
    func accepts(_ presented: Substring) -> Bool {
        var matched = false
        for key in currentKeys() where !key.isEmpty {
            matched = ConstantTime.equal(key, presented.utf8) || matched
        }
        return matched
    }

    private func currentKeys() -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        guard let path else { return keys }
        let now = Self.now()
        if now &- lastCheck >= Self.recheckNanoseconds {
            lastCheck = now
            if let fresh = FileStamp(path: path), fresh != stamp,
               let text = try? String(contentsOfFile: path, encoding: .utf8) {
                // A file being rewritten in place might be read half-written; a later stamp change re-reads it.
                stamp = fresh
                keys = Self.parse(text)
            }
        }
        return keys
    }

    static let recheckNanoseconds: UInt64 = 100_000_000

    /// One key per line; blank lines and `#` comments are skipped.
    static func parse(_ text: String) -> [[UInt8]] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).compactMap { line in
            let key = line.trimmingCharacters(in: .whitespaces)
            return key.isEmpty || key.hasPrefix("#") ? nil : Array(key.utf8)
        }
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// What identifies one version of a file without reading it.
struct FileStamp: Equatable {
    let seconds: Int
    let nanoseconds: Int
    let size: Int64
    let inode: UInt64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
        seconds = Int(st.st_mtimespec.tv_sec)
        nanoseconds = Int(st.st_mtimespec.tv_nsec)
        #else
        seconds = Int(st.st_mtim.tv_sec)
        nanoseconds = Int(st.st_mtim.tv_nsec)
        #endif
        size = Int64(st.st_size)
        inode = UInt64(st.st_ino)
    }
}
