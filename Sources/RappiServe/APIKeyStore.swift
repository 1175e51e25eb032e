import Foundation
import RappiWorkspace
import Synchronization
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
final class APIKeyStore: Sendable {
    private let path: String?
    /// The keys as last read, the file's identity then, and when it was last checked.
    private struct Loaded {
        var keys: [[UInt8]]
        var stamp: FileStamp?
        var lastCheck: UInt64 = 0
    }
    private let loaded: Mutex<Loaded>
    /// Fixed keys, or the keys file as read at start-up: whether requests need a key.
    let isEnabled: Bool

    /// Fixed keys.
    init(keys: [String]) {
        path = nil
        let keys = keys.filter { !$0.isEmpty }.map { Array($0.utf8) }
        loaded = Mutex(Loaded(keys: keys))
        isEnabled = !keys.isEmpty
    }

    /// Keys from a file; throws when it cannot be read at start-up.
    init(file: String) throws {
        path = file
        guard let stamp = FileStamp(path: file), let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ModelServerError("cannot read the keys file '\(file)'")
        }
        loaded = Mutex(Loaded(keys: Self.parse(text), stamp: stamp, lastCheck: Self.now()))
        isEnabled = true
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
        loaded.withLock { loaded in
            guard let path else { return loaded.keys }
            let now = Self.now()
            if now &- loaded.lastCheck >= Self.recheckNanoseconds {
                loaded.lastCheck = now
                if let fresh = FileStamp(path: path), fresh != loaded.stamp,
                   let text = try? String(contentsOfFile: path, encoding: .utf8) {
                    // A file being rewritten in place might be read half-written; a later stamp change re-reads it.
                    loaded.stamp = fresh
                    loaded.keys = Self.parse(text)
                }
            }
            return loaded.keys
        }
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
struct FileStamp: Equatable, Sendable {
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
