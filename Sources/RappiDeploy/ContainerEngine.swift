import Foundation

/// The container engine that answers on this machine: podman, or docker with a reachable daemon.
public struct ContainerEngine: Sendable {
    public enum Kind: String, Sendable { case podman, docker }
    public let kind: Kind
    public let executable: String
    /// Options placed before every subcommand, e.g. `--runtime /usr/sbin/runc --storage-driver vfs`.
    public let globalArguments: [String]

    public init(kind: Kind, executable: String, globalArguments: [String] = []) {
        self.kind = kind
        self.executable = executable
        self.globalArguments = globalArguments
    }

    /// podman when `podman` is on PATH — with `--runtime runc --storage-driver vfs` when runc is
    /// installed, the settings that work in sandboxes where crun and overlay do not — else docker
    /// when `docker info` succeeds (a reachable daemon), else nil.
    /// `RAPPI_CONTAINER_ENGINE=podman|docker|none` forces the choice (`none`: nil).
    public static func detect() -> ContainerEngine? {
        let forced = ProcessInfo.processInfo.environment["RAPPI_CONTAINER_ENGINE"]?.lowercased()
        if forced == "none" { return nil }
        if forced == nil || forced == "podman", let podman = CommandRunner.which("podman") {
            var global: [String] = []
            if let runc = CommandRunner.which("runc") ?? ["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"]
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
                global = ["--runtime", runc, "--storage-driver", "vfs"]
            }
            return ContainerEngine(kind: .podman, executable: podman, globalArguments: global)
        }
        if forced == nil || forced == "docker", let docker = CommandRunner.which("docker"),
           let info = try? CommandRunner.run(docker, ["info", "--format", "{{.ServerVersion}}"], timeout: 15), info.succeeded {
            return ContainerEngine(kind: .docker, executable: docker)
        }
        return nil
    }

    /// The error to show when no engine answers.
    public static var unavailableError: DeployError {
        DeployError("""
        no container engine answers on this machine: `deploy … aci` and container builds need podman \
        (Debian/Ubuntu: `apt-get install -y podman runc`) or docker with a running daemon (`docker info` must succeed). \
        Deploy as a local process instead with `deploy … local`, or write the build context with `package MODEL into DIR` \
        and build it where an engine runs.
        """)
    }

    /// `build -t TAG DIR`. On failure the DeployError carries the last lines of the build output.
    public func build(context: URL, tag: String) throws {
        let result = try engine(["build", "-t", tag, context.path], timeout: 3600, merge: true)
        guard result.succeeded else {
            throw DeployError("\(kind.rawValue) build of \(context.path) failed\(statusText(result)):\n\(result.lastLines(20))")
        }
    }

    /// Runs `image` detached as container `name`, publishing 127.0.0.1:`hostPort` → 8080, with
    /// `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024`, `labels` (`--label KEY=VALUE`), the
    /// variables `environment` names passed from this process's environment together with
    /// `environmentValues` (so their values never appear on a command line), `keysDirectory`
    /// bind-mounted read-only at /run/rappi and `logsDirectory` at /var/log/rappi (the access
    /// log) when given. A container of that name that exists already is an error, never replaced:
    /// it may be someone else's. Returns the container id.
    public func run(image: String, name: String, hostPort: Int, keysDirectory: URL?, logsDirectory: URL? = nil,
                    labels: [String: String] = [:], environmentValues: [String: String] = [:]) throws -> String {
        if exists(name: name) {
            throw DeployError("a container named \(name) exists already — remove it with `\(commandLine(["rm", "-f", name]).joined(separator: " "))` if it is not in use")
        }
        // The image runs as a non-root user; here it mounts the workspace's own keys file (0600)
        // and log folder, which only their owner may use, so this container runs as root. A
        // Kubernetes pod keeps the image's user and gets its keys through a Secret.
        var arguments = ["run", "-d", "--name", name, "--user", "0:0",
                         "-p", "127.0.0.1:\(hostPort):\(BuildContext.containerPort)"] + Self.limits + noPull
        for key in labels.keys.sorted() { arguments += ["--label", "\(key)=\(labels[key]!)"] }
        for key in environmentValues.keys.sorted() { arguments += ["-e", key] }
        if let keysDirectory {
            let path = keysDirectory.standardizedFileURL.path
            guard !path.contains(":") && !path.contains(",") else {
                throw DeployError("cannot mount \(path) into the container: the path contains ':' or ','")
            }
            arguments += ["-v", "\(path):\(BuildContext.keysMountDirectory):ro"]
        }
        if let logsDirectory {
            let path = logsDirectory.standardizedFileURL.path
            guard !path.contains(":") && !path.contains(",") else {
                throw DeployError("cannot mount \(path) into the container: the path contains ':' or ','")
            }
            arguments += ["-v", "\(path):\(BuildContext.logDirectory)"]
        }
        arguments.append(image)
        let result = try engine(arguments, timeout: 600,
                                environment: environmentValues.keys.sorted().map { "\($0)=\(environmentValues[$0]!)" })
        guard result.succeeded else {
            throw DeployError("\(kind.rawValue) run \(image) as \(name) failed\(statusText(result)):\n\(result.lastLines(20))")
        }
        let id = result.stdout.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return id.isEmpty ? name : id
    }

    /// Runs `image` in the foreground to completion (`--rm`), optionally with another entrypoint,
    /// and returns its exit status and output (stdout and stderr interleaved).
    public func runToCompletion(image: String, entrypoint: String? = nil, arguments: [String] = [],
                                timeout: Double = 600) throws -> (status: Int32, output: String) {
        var command = ["run", "--rm"] + Self.limits + noPull
        if let entrypoint { command += ["--entrypoint", entrypoint] }
        command += [image] + arguments
        let result = try engine(command, timeout: timeout, merge: true)
        if result.timedOut { throw DeployError("\(kind.rawValue) run \(image) did not finish within \(Int(timeout)) s") }
        return (result.status, result.stdout)
    }

    /// Stops the container (SIGTERM, SIGKILL after 5 s) and removes it. No error when it does not exist.
    public func stop(name: String) throws {
        guard exists(name: name) else { return }
        _ = try? engine(["stop", "-t", "5", name], timeout: 60)
        let removed = try engine(["rm", "-f", name], timeout: 60)
        if !removed.succeeded && exists(name: name) {
            throw DeployError("cannot remove container \(name)\(statusText(removed)):\n\(removed.lastLines(10))")
        }
    }

    public func isRunning(name: String) -> Bool {
        guard let result = try? engine(["container", "inspect", "--format", "{{.State.Running}}", name], timeout: 30),
              result.succeeded else { return false }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "true"
    }

    /// The pid of the container's main process as the host sees it (for CPU and memory sampling
    /// from /proc), nil when it is not running.
    public func mainProcessID(name: String) -> Int32? {
        guard let result = try? engine(["container", "inspect", "--format", "{{.State.Pid}}", name], timeout: 30),
              result.succeeded,
              let pid = Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return nil }
        return pid
    }

    /// The last `tail` lines the container wrote (stdout and stderr), or why they cannot be read.
    ///
    /// Asked while a container is just exiting, the engine can answer with nothing: its monitor
    /// (podman's conmon) writes the last lines after the process ends. Only error paths read
    /// logs, so an empty answer is asked again for up to a second.
    public func logs(name: String, tail: Int) -> String {
        for attempt in 1...10 {
            guard let result = try? engine(["logs", "--tail", String(tail), name], timeout: 30, merge: true) else {
                return "(cannot run \(kind.rawValue) logs)"
            }
            let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty || attempt == 10 { return text }
            usleep(100_000)
        }
        return ""
    }

    /// Removes the image (ignoring errors: absent is fine). Not forced: an image some other
    /// container still uses stays, and so does that container.
    public func removeImage(_ tag: String) {
        _ = try? engine(["rmi", tag], timeout: 120)
    }

    /// The full id of the container `reference` (a name or an id) names, nil when there is none.
    public func containerID(_ reference: String) -> String? {
        guard let result = try? engine(["container", "inspect", "--format", "{{.Id}}", reference], timeout: 30),
              result.succeeded else { return nil }
        let id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }

    /// The value of label `key` on container `reference`, nil when it has none (or does not exist).
    public func label(_ key: String, of reference: String) -> String? {
        guard let result = try? engine(["container", "inspect", "--format", "{{index .Config.Labels \"\(key)\"}}", reference],
                                       timeout: 30), result.succeeded else { return nil }
        let value = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty || value == "<no value>" ? nil : value
    }

    /// Tags `localTag` as `reference` (a registry's name for it) and pushes it there.
    public func push(_ localTag: String, as reference: String) throws {
        let tagged = try engine(["tag", localTag, reference], timeout: 60, merge: true)
        guard tagged.succeeded else { throw DeployError("\(kind.rawValue) tag \(localTag) \(reference) failed:\n\(tagged.lastLines(10))") }
        let pushed = try engine(["push", reference], timeout: 900, merge: true)
        guard pushed.succeeded else { throw DeployError("\(kind.rawValue) push \(reference) failed\(statusText(pushed)):\n\(pushed.lastLines(10))") }
    }

    /// `podman kube play FILE` (podman only: docker has no equivalent), with the limits `run`
    /// gives containers, which this sandbox needs and `kube play` has no option for.
    public func kubePlay(_ file: URL) throws {
        guard kind == .podman else {
            throw DeployError("rehearsing a Kubernetes pod needs podman (`podman kube play`); docker cannot run Kubernetes manifests")
        }
        let result = try engine(["kube", "play", file.path], timeout: 600, merge: true, environment: try limitsConfiguration())
        guard result.succeeded else {
            _ = try? engine(["kube", "down", file.path], timeout: 120)
            throw DeployError("podman kube play \(file.path) failed\(statusText(result)):\n\(result.lastLines(20))")
        }
    }

    /// `podman kube down FILE`: stops and removes the pods `kubePlay(FILE)` started.
    public func kubeDown(_ file: URL) throws {
        let result = try engine(["kube", "down", file.path], timeout: 120, merge: true)
        guard result.succeeded || result.stdout.contains("no such pod") else {
            throw DeployError("podman kube down \(file.path) failed\(statusText(result)):\n\(result.lastLines(10))")
        }
    }

    /// Whether pod `name` exists and runs.
    public func podIsRunning(_ name: String) -> Bool {
        guard let result = try? engine(["pod", "inspect", "--format", "{{.State}}", name], timeout: 30), result.succeeded else { return false }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "Running"
    }

    /// The image's size in bytes as the engine stores it, nil when unknown.
    public func imageSize(_ tag: String) -> Int? {
        guard let result = try? engine(["image", "inspect", "--format", "{{.Size}}", tag], timeout: 30), result.succeeded else { return nil }
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `CONTAINERS_CONF` naming a configuration with `limits` as the default ulimits, for
    /// commands that take no `--ulimit`.
    private func limitsConfiguration() throws -> [String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-containers-limits.conf")
        let text = "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
        if (try? String(contentsOf: file, encoding: .utf8)) != text {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return ["CONTAINERS_CONF=\(file.path)"]
    }

    /// Whether a container of that name exists (running or not).
    public func exists(name: String) -> Bool {
        (try? engine(["container", "inspect", "--format", "{{.Id}}", name], timeout: 30))?.succeeded ?? false
    }

    // MARK: - Helpers

    /// The sandbox refuses raising limits beyond these; the server needs no more.
    static let limits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]

    /// Images are built here; asking a registry (unreachable here) would only add a slow failure.
    private var noPull: [String] { kind == .podman ? ["--pull=never"] : [] }

    /// The full command line for a subcommand, as it would be typed.
    public func commandLine(_ arguments: [String]) -> [String] { [executable] + globalArguments + arguments }

    private func engine(_ arguments: [String], timeout: Double, merge: Bool = false, environment: [String] = []) throws -> CommandResult {
        try CommandRunner.run(executable, globalArguments + arguments, timeout: timeout, mergeOutput: merge, environment: environment)
    }

    private func statusText(_ result: CommandResult) -> String {
        result.timedOut ? " (timed out)" : " (exit \(result.status))"
    }
}
