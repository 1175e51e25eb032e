import Crypto
import Foundation

/// Immutable, content-addressed blobs under `artifacts/sha256/ab/abcdef…`.
/// A blob is written to a temporary file in the same file system, flushed, and renamed into
/// place, so a reader sees either no file or the whole file — never a partial one. Blobs are
/// 0400: only the owner may read them, and nobody writes them again.
///
/// A temporary file (`tmp/*.partial`) is locked (`flock`) by its writer from creation until it is
/// renamed into place or dropped; the kernel drops the lock when the writer dies in any way, so
/// opening the workspace removes exactly the temporaries of dead writers (see `StagedFile`).
public struct ArtifactStore: Sendable {
    public let root: URL
    /// Where a blob missing here comes from (a remote worker's scratch workspace downloads
    /// from the workspace server); nil: a missing blob is damage.
    var fetchMissing: (@Sendable (String) throws -> [UInt8])?

    public init(root: URL) throws {
        self.root = root
        try PrivateFiles.makeFolder(temporaryDirectory)
    }

    var temporaryDirectory: URL { root.appendingPathComponent("tmp") }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    public func url(for hash: String) -> URL {
        root.appendingPathComponent("sha256")
            .appendingPathComponent(String(hash.prefix(2)))
            .appendingPathComponent(hash)
    }

    public func contains(_ hash: String) -> Bool {
        FileManager.default.fileExists(atPath: url(for: hash).path)
    }

    /// A blob written to a temporary file, not yet visible under its hash.
    public struct Staged: Sendable {
        let file: StagedFile
        public let size: Int
        public var temporary: URL { file.url }
    }

    /// Stores `bytes` (whose SHA-256 is `hash`) unless a blob with that hash is already present.
    public func put(_ bytes: UnsafeRawBufferPointer, hash: String) throws {
        if contains(hash) { return }
        try commit(try stage(bytes), as: hash)
    }

    /// Writes `bytes` to a temporary file and flushes it.
    public func stage(_ bytes: UnsafeRawBufferPointer) throws -> Staged {
        let file = try StagedFile.create(in: temporaryDirectory)
        let fd = file.descriptor
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw abandon(file, "cannot write artifact")
            }
            offset += written
        }
        fsync(fd)
        return Staged(file: file, size: bytes.count)
    }

    /// Copies a file into a temporary file with the kernel's sendfile (no trip through user
    /// space: about 6× faster here than writing the bytes) and flushes it.
    public func stage(copyOf source: URL) throws -> Staged {
        let input = open(source.path, O_RDONLY)
        guard input >= 0 else { throw WorkspaceError("cannot read \(source.path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var info = stat()
        fstat(input, &info)
        let size = Int(info.st_size)
        let file = try StagedFile.create(in: temporaryDirectory)
        let fd = file.descriptor
        var offset = 0
        while offset < size {
            let copied = sendfile(fd, input, nil, size - offset)
            if copied < 0 {
                if errno == EINTR { continue }
                throw abandon(file, "cannot copy \(source.lastPathComponent) into the artifact store")
            }
            if copied == 0 { break }
            offset += copied
        }
        fsync(fd)
        return Staged(file: file, size: offset)
    }

    /// Renames a staged blob into place under `hash`, or drops it when that blob already exists.
    public func commit(_ staged: Staged, as hash: String) throws {
        let destination = url(for: hash)
        if FileManager.default.fileExists(atPath: destination.path) { discard(staged); return }
        try PrivateFiles.makeFolder(destination.deletingLastPathComponent())
        guard rename(staged.temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard(staged)
            throw WorkspaceError("cannot store artifact \(hash): \(reason)")
        }
    }

    public func discard(_ staged: Staged) { unlink(staged.temporary.path) }

    private func abandon(_ file: StagedFile, _ message: String) -> WorkspaceError {
        let reason = String(cString: strerror(errno))
        unlink(file.url.path)
        return WorkspaceError("\(message): \(reason)")
    }

    public func read(_ hash: String) throws -> Data {
        if let fetchMissing, !contains(hash) {
            let bytes = try fetchMissing(hash)
            let received = bytes.withUnsafeBytes { Self.hash($0) }
            guard received == hash else {
                throw WorkspaceError("artifact \(hash.prefix(12)) arrived with different content (SHA-256 \(received.prefix(12))) — not used")
            }
            try bytes.withUnsafeBytes { try put($0, hash: hash) }
        }
        do {
            return try Data(contentsOf: url(for: hash), options: .alwaysMapped)
        } catch {
            throw WorkspaceError("artifact \(hash.prefix(12)) is missing from \(root.path) — the workspace is damaged")
        }
    }

    /// A file under `sha256/`, named (when the store is sound) by its content's hash.
    public struct Blob {
        public let name: String
        public let url: URL
    }

    /// Every file under `sha256/`.
    public func blobs() -> [Blob] {
        let base = root.appendingPathComponent("sha256")
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [Blob] = []
        for case let file as URL in walker where (try? file.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            found.append(Blob(name: file.lastPathComponent, url: file))
        }
        return found
    }

    /// Number of blobs and their total size in bytes.
    public func usage() -> (count: Int, bytes: Int) {
        let base = root.appendingPathComponent("sha256")
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else {
            return (0, 0)
        }
        var count = 0, bytes = 0
        for case let file as URL in walker {
            let values = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if values?.isRegularFile == true { count += 1; bytes += values?.fileSize ?? 0 }
        }
        return (count, bytes)
    }
}
