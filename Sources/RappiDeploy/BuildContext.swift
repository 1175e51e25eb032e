import Foundation
import RappiML
import RappiWorkspace
#if canImport(Glibc)
import Glibc
#endif

/// Files that make a self-contained container build context for one model.
///
///     Dockerfile                      FROM scratch; COPY rootfs/ /; EXPOSE 8080; ENTRYPOINT rappi serve-model …
///     rootfs/usr/local/bin/rappi      the rappi binary, stripped
///     rootfs/<every library ldd lists, at the path the loader looks it up, symlinks resolved to plain files, stripped>
///     rootfs/etc/passwd, rootfs/etc/group, rootfs/tmp (1777)
///     rootfs/model/model.rappimodel   the model file
///     README.md                       what this is; the podman/docker commands to build and run it
///     MANIFEST.sha256                 `sha256  size  path` for every other file, sorted by path
///
/// The same inputs give the same context, byte for byte: files are written in sorted order with fixed
/// permissions (0755 executables and libraries, 0644 the rest, 0755 folders, 1777 /tmp) and a fixed
/// modification time (2000-01-01T00:00:00Z), so image layers and their hashes are stable.
public struct BuildContext {
    public let directory: URL
    /// Every file of the context except MANIFEST.sha256, sorted by path (relative, `/`-separated).
    public let files: [(path: String, size: Int, sha256: String)]
    /// sha256 of MANIFEST.sha256: one hash that names the whole context.
    public let contextHash: String

    /// The port the server listens on inside the container.
    public static let containerPort = 8080
    /// Where the image expects its API keys file (one key per line: primary, then secondary).
    public static let keysMountDirectory = "/run/rappi"
    public static let keysFile = "/run/rappi/keys"
    /// Where the server appends its access log; `deploy aci` mounts the workspace's log folder here.
    public static let logDirectory = "/var/log/rappi"
    public static let accessLogFile = "/var/log/rappi/access.log"
    public static let binaryPath = "/usr/local/bin/rappi"
    public static let modelPath = "/model/model.rappimodel"
    /// The numeric user and group the server runs as (`nobody`): not root, and numeric so
    /// Kubernetes can check `runAsNonRoot` without reading the image's /etc/passwd.
    public static let serverUser = 65534
    /// 2000-01-01T00:00:00Z, the modification time of every file and folder in a context.
    public static let fixedModificationTime: time_t = 946_684_800

    /// Writes a context into `directory`, which must be empty or not exist yet. `binary` is the rappi
    /// executable to stage (nil: the running one, `/proc/self/exe`). With `authenticated` the server
    /// reads its keys from `/run/rappi/keys`, mounted when the container runs.
    public static func write(modelBytes: [UInt8], modelName: String, modelVersion: Int, binary: String?,
                             authenticated: Bool, into directory: URL) throws -> BuildContext {
        let fileManager = FileManager.default
        let directory = directory.standardizedFileURL
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw DeployError("cannot write a build context into \(directory.path): it is a file, not a folder")
            }
            let contents = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
            guard contents.isEmpty else {
                throw DeployError("cannot write a build context into \(directory.path): the folder is not empty (\(contents.count) entries) — choose a new or empty folder")
            }
        }

        let sourceBinary = try resolveBinary(binary)
        let libraries = try SharedLibraries.required(by: sourceBinary)

        // Every file of the context: relative path → where its bytes come from, and its mode.
        var entries: [(path: String, source: Source, mode: mode_t)] = []
        entries.append(("rootfs" + Self.binaryPath, .bytes(try stripped(sourceBinary, option: "--strip-all")), 0o755))
        for library in libraries {
            // --strip-unneeded keeps what the dynamic linker needs.
            entries.append(("rootfs" + library, .bytes(try stripped(URL(fileURLWithPath: library).resolvingSymlinksInPath().path,
                                                                    option: "--strip-unneeded")), 0o755))
        }
        entries.append(("rootfs" + modelPath, .bytes(modelBytes), 0o644))
        entries.append(("rootfs/etc/passwd", .bytes(Array("root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n".utf8)), 0o644))
        entries.append(("rootfs/etc/group", .bytes(Array("root:x:0:\nnogroup:x:65534:\n".utf8)), 0o644))
        entries.append(("Dockerfile", .bytes(Array(dockerfile(modelName: modelName, modelVersion: modelVersion,
                                                               authenticated: authenticated).utf8)), 0o644))
        entries.append(("README.md", .bytes(Array(readme(modelName: modelName, modelVersion: modelVersion,
                                                         authenticated: authenticated, libraries: libraries).utf8)), 0o644))
        entries.sort { precedes($0.path, $1.path) }
        for (a, b) in zip(entries, entries.dropFirst()) where a.path == b.path {
            throw DeployError("build context: two files want the same path \(a.path)")
        }

        // Write into a sibling folder and rename it into place, so a failure leaves nothing half-written.
        let parent = directory.deletingLastPathComponent()
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try makeDirectory(staging, mode: 0o755)
            var written: [(path: String, size: Int, sha256: String)] = []
            var directories: Set<String> = [""]
            for entry in entries {
                let bytes: [UInt8]
                switch entry.source {
                case .bytes(let value): bytes = value
                case .file(let path):
                    guard let data = fileManager.contents(atPath: path) else {
                        throw DeployError("cannot read \(path) to stage it into the build context")
                    }
                    bytes = [UInt8](data)
                }
                let target = staging.appendingPathComponent(entry.path)
                try ensureDirectories(for: entry.path, under: staging, made: &directories)
                try writeFile(bytes, to: target, mode: entry.mode)
                written.append((entry.path, bytes.count, bytes.withUnsafeBytes { ArtifactStore.hash($0) }))
            }
            let tmp = staging.appendingPathComponent("rootfs/tmp")
            try makeDirectory(tmp, mode: 0o1777)
            directories.insert("rootfs/tmp")
            // /var/log/rappi, writable like /tmp, so the server can append its access log even
            // when nothing is mounted there.
            var path = "rootfs"
            for component in logDirectory.split(separator: "/") {
                path += "/" + component
                let isLast = path.hasSuffix(logDirectory)
                try makeDirectory(staging.appendingPathComponent(path), mode: isLast ? 0o1777 : 0o755)
                directories.insert(path)
            }

            let manifest = written.map { "\($0.sha256)  \($0.size)  \($0.path)\n" }.joined()
            let manifestBytes = Array(manifest.utf8)
            try writeFile(manifestBytes, to: staging.appendingPathComponent("MANIFEST.sha256"), mode: 0o644)
            let hash = manifestBytes.withUnsafeBytes { ArtifactStore.hash($0) }

            // Folders last (writing a file changes its folder's mtime), deepest first.
            for relative in directories.sorted(by: { $0.count > $1.count || ($0.count == $1.count && precedes($0, $1)) }) {
                let url = relative.isEmpty ? staging : staging.appendingPathComponent(relative)
                try setFixedTime(url)
            }

            if fileManager.fileExists(atPath: directory.path) {
                // rename(2) replaces an empty folder atomically.
                guard rename(staging.path, directory.path) == 0 else {
                    throw DeployError("cannot move the build context into \(directory.path): \(String(cString: strerror(errno)))")
                }
            } else {
                guard rename(staging.path, directory.path) == 0 else {
                    throw DeployError("cannot create \(directory.path): \(String(cString: strerror(errno)))")
                }
            }
            return BuildContext(directory: directory, files: written, contextHash: hash)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    /// A tag podman and docker accept for this model: `rappi-NAME:vN` with NAME lowercased and
    /// anything but `[a-z0-9._-]` replaced by `-`.
    public static func suggestedTag(modelName: String, modelVersion: Int) -> String {
        "rappi-\(sanitizedName(modelName)):v\(modelVersion)"
    }

    // MARK: - Contents

    static func dockerfile(modelName: String, modelVersion: Int, authenticated: Bool) -> String {
        var command = [binaryPath, "serve-model", "--model", modelPath, "--name", modelName,
                       "--version", String(modelVersion), "--host", "0.0.0.0", "--port", String(containerPort)]
        if authenticated { command += ["--keys-file", keysFile] }
        command += ["--access-log", accessLogFile]
        let entrypoint = "[" + command.map(JSONText.quote).joined(separator: ", ") + "]"
        return """
        # rappi model service: \(singleLine(modelName)) v\(modelVersion) (\(authenticated ? "API key required" : "no authentication")).
        # Generated by rappi; see README.md. Everything the server needs is staged under rootfs/.
        FROM scratch
        COPY rootfs/ /
        # Nothing in the image is writable by this user but /tmp and \(logDirectory).
        USER \(serverUser):\(serverUser)
        EXPOSE \(containerPort)
        ENTRYPOINT \(entrypoint)

        """
    }

    static func readme(modelName: String, modelVersion: Int, authenticated: Bool, libraries: [String]) -> String {
        let tag = suggestedTag(modelName: modelName, modelVersion: modelVersion)
        let container = "rappi-\(sanitizedName(modelName))"
        let keysMount = authenticated ? " \\\n        -v \"$PWD/keys:\(keysMountDirectory):ro\"" : ""
        let ulimits = " \\\n        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
        let auth = authenticated ? " \\\n        -H \"Authorization: Bearer $KEY\"" : ""
        var text = """
        # \(singleLine(modelName)) v\(modelVersion) — a rappi model service image

        This folder is a self-contained container build context, written by `rappi package` (or
        `deploy … aci`). It needs no registry and no base image: the image is `FROM scratch` and holds
        only the rappi binary, the shared libraries it links (as `ldd` lists them), and the model.
        The container runs

            \(binaryPath) serve-model --model \(modelPath) --name \(modelName) --version \(modelVersion) --host 0.0.0.0 --port \(containerPort)\(authenticated ? " --keys-file \(keysFile)" : "")

        and serves `POST /score`, `POST /invocations`, `GET /health/live`, `GET /health/ready`,
        `GET /metrics` and `GET /openapi.json` on port \(containerPort).

        ## Build

            podman build -t \(tag) .

        or `docker build -t \(tag) .` — run either from this folder. Where podman only works with
        the runc runtime and the vfs storage driver (sandboxes, CI), use
        `podman --runtime runc --storage-driver vfs build -t \(tag) .` and pass the same two options to
        every podman command below.

        ## Run


        """
        if authenticated {
            text += """
            The server requires an API key. Put the accepted keys in `keys/keys`, one per line (primary,
            then secondary); the folder is mounted read-only at `\(keysMountDirectory)`:

                mkdir -p keys && printf '%s\\n' "$KEY" > keys/keys


            """
        } else {
            text += "This image was built with `auth=none`: the server accepts requests without a key.\n\n"
        }
        text += """
            podman run -d --name \(container) -p 127.0.0.1:8080:\(containerPort)\(ulimits)\(keysMount) \\
                \(tag)

        (`docker run` takes the same arguments.) Then

            curl -fsS http://127.0.0.1:8080/health/ready
            curl -fsS http://127.0.0.1:8080/score\(auth) \\
                -H 'Content-Type: application/json' -d '{"data": [{ … one record … }]}'

        Stop it with `podman stop -t 5 \(container) && podman rm \(container)`.

        ## Contents

        `MANIFEST.sha256` lists `sha256  size  path` for every other file, sorted by path; its own sha256
        names the whole context. Check it with

            awk '{print $1 "  " $3}' MANIFEST.sha256 | sha256sum -c

        Shared libraries staged under `rootfs/` (\(libraries.count)):


        """
        for library in libraries { text += "- `\(library)`\n" }
        return text
    }

    // MARK: - Helpers

    private enum Source {
        case bytes([UInt8])
        case file(String)
    }

    /// The file without symbols or debug sections (`strip OPTION`): the server needs neither,
    /// and a debug build's are most of its size (a debug rappi: 90 MB, stripped 52 MB). The file
    /// as it is when `strip` is not installed or fails.
    static func stripped(_ path: String, option: String) throws -> [UInt8] {
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("rappi-stripped-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { unlink(temporary) }
        if let strip = CommandRunner.which("strip"),
           let result = try? CommandRunner.run(strip, [option, "-o", temporary, path], timeout: 120), result.succeeded,
           let data = FileManager.default.contents(atPath: temporary) {
            return [UInt8](data)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeployError("cannot read \(path) to stage it into the build context")
        }
        return [UInt8](data)
    }

    static func resolveBinary(_ binary: String?) throws -> String {
        let path = binary ?? "/proc/self/exe"
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DeployError("cannot stage the rappi binary: \(path) does not exist")
        }
        guard FileManager.default.isExecutableFile(atPath: resolved) else {
            throw DeployError("cannot stage the rappi binary: \(path) is not executable")
        }
        return resolved
    }

    static func sanitizedName(_ name: String) -> String {
        var result = ""
        for scalar in name.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", ".", "_", "-": result.unicodeScalars.append(scalar)
            default: result += "-"
            }
        }
        while let first = result.first, !(first.isLetter || first.isNumber) { result.removeFirst() }
        while let last = result.last, !(last.isLetter || last.isNumber) { result.removeLast() }
        return result.isEmpty ? "model" : result
    }

    /// Byte-wise ordering, the same in every locale.
    static func precedes(_ a: String, _ b: String) -> Bool {
        Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }

    private static func singleLine(_ value: String) -> String {
        value.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }

    private static func ensureDirectories(for relativePath: String, under root: URL, made: inout Set<String>) throws {
        let components = relativePath.split(separator: "/").dropLast()
        var current = ""
        for component in components {
            current = current.isEmpty ? String(component) : current + "/" + component
            if made.contains(current) { continue }
            try makeDirectory(root.appendingPathComponent(current), mode: 0o755)
            made.insert(current)
        }
    }

    private static func makeDirectory(_ url: URL, mode: mode_t) throws {
        if mkdir(url.path, 0o700) != 0 && errno != EEXIST {
            throw DeployError("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        guard chmod(url.path, mode) == 0 else {
            throw DeployError("cannot set permissions on \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    private static func writeFile(_ bytes: [UInt8], to url: URL, mode: mode_t) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeployError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        try bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DeployError("cannot write \(url.path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
        guard fchmod(fd, mode) == 0 else {
            throw DeployError("cannot set permissions on \(url.path): \(String(cString: strerror(errno)))")
        }
        var times = [timespec(tv_sec: fixedModificationTime, tv_nsec: 0), timespec(tv_sec: fixedModificationTime, tv_nsec: 0)]
        guard futimens(fd, &times) == 0 else {
            throw DeployError("cannot set the modification time of \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    private static func setFixedTime(_ url: URL) throws {
        var times = [timespec(tv_sec: fixedModificationTime, tv_nsec: 0), timespec(tv_sec: fixedModificationTime, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, url.path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw DeployError("cannot set the modification time of \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}
