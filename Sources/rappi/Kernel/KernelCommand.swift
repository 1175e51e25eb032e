import ArgumentParser
import Foundation
import RappiScript
import RappiWorkspace

/// `rappi kernel -f CONNECTION_FILE` — what Jupyter starts; `rappi kernel install` registers it.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run as a Jupyter kernel (started by Jupyter with a connection file), or install the kernelspec.",
        discussion: "`rappi kernel install --user` once, then pick \"rappi\" as the kernel in Jupyter.",
        subcommands: [KernelInstall.self])

    @Option(name: .customShort("f"), help: ArgumentHelp("The connection file Jupyter wrote.", valueName: "connection-file"))
    var connectionFile: String?

    @Option(help: "Workspace directory (default: $RAPPI_WORKSPACE, else workspaces/default under the notebook's folder).")
    var workspace: String?

    func run() throws {
        guard let connectionFile else {
            throw ValidationError("rappi kernel is started by Jupyter with -f CONNECTION_FILE; to make it available, run `rappi kernel install --user`")
        }
        let connection = try KernelConnection.read(path: connectionFile)
        // Jupyter starts a kernel in the notebook's folder: relative paths in cells resolve there.
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let session = Session(workspaceDirectory: Workspace.resolveDirectory(option: workspace), baseDirectory: cwd)
        try Kernel(connection: connection, session: session).run()
    }
}

/// `rappi kernel install [--user | --prefix DIR] [--workspace DIR]` — writes
/// `kernels/rappi/kernel.json` where Jupyter looks for kernelspecs.
struct KernelInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Write the rappi kernelspec (kernel.json) for Jupyter.")

    @Flag(help: "Install for this user (~/.local/share/jupyter/kernels), the default.") var user = false
    @Option(help: "Install under DIR/share/jupyter/kernels (a virtualenv or conda prefix).") var prefix: String?
    @Option(help: "Workspace the kernel opens (default: $RAPPI_WORKSPACE, else workspaces/default under the notebook's folder).")
    var workspace: String?
    @Option(help: "Name shown in Jupyter's kernel picker.") var displayName = "rappi"

    func validate() throws {
        if user && prefix != nil { throw ValidationError("--user and --prefix exclude each other: pick one place to install") }
    }

    func run() throws {
        let base: URL
        if let prefix {
            base = URL(fileURLWithPath: prefix).standardizedFileURL.appendingPathComponent("share/jupyter/kernels")
        } else {
            let data = ProcessInfo.processInfo.environment["XDG_DATA_HOME"].map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share")
            base = data.appendingPathComponent("jupyter/kernels")
        }
        let folder = base.appendingPathComponent("rappi")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var argv = [Self.executablePath(), "kernel", "-f", "{connection_file}"]
        if let workspace { argv += ["--workspace", URL(fileURLWithPath: workspace).standardizedFileURL.path] }
        let spec: [String: Any] = [
            "argv": argv, "display_name": displayName, "language": "rappi", "interrupt_mode": "signal",
            "metadata": ["rappi_version": Workspace.rappiVersion],
        ]
        let json = try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try json.write(to: folder.appendingPathComponent("kernel.json"), options: .atomic)
        print("installed the rappi kernel in \(folder.path)")
    }

    /// The absolute path of this binary, so the kernelspec works from any folder.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
