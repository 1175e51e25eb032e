import Foundation
import RappiDeploy
import RappiWorkspace

/// `package MODEL[:vN] into DIR` — the self-contained container build context `deploy aci` uses:
/// Dockerfile, staged binary and libraries, the model, a README with build and run commands.
public enum PackageCommand: RappiCommand {
    static let model = CommandArgument<String>("model", help: "MODEL, MODEL:v2 or MODEL:production")
    static let auth = CommandOption("auth", default: AuthMode.key, help: "whether the image expects API keys mounted at /run/rappi")
    static let directory = CommandArgument<String>("directory", kind: .path, help: "a new or empty folder")

    public static let signature = CommandSignature(
        "package", area: "endpoints",
        summary: "Write a container build context for a model (Dockerfile, staged files, model, README); alias: dockerize.",
        pattern: [
            model.spec,
            .keyword("into"),
            directory.spec,
        ],
        options: [auth.spec],
        publishes: ["context_hash", "files"],
        examples: ["package titanic_rf:v1 into build/titanic_rf"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let version = try ModelReference.resolve(try call.value(Self.model), in: context, for: "package")
        let directory = try call.path(Self.directory)
        let workspace = try context.workspace()
        // A folder holding an earlier rappi context is ours to replace; anything else is refused.
        let manifest = directory.appendingPathComponent("MANIFEST.sha256")
        if FileManager.default.fileExists(atPath: manifest.path),
           FileManager.default.fileExists(atPath: directory.appendingPathComponent("Dockerfile").path) {
            try FileManager.default.removeItem(at: directory)
        }
        let build = try BuildContext.write(modelBytes: try workspace.loadModelBytes(version), modelName: version.name,
                                           modelVersion: version.version, binary: Deployer.executable,
                                           authenticated: try call.value(Self.auth) == .key, into: directory)
        let total = build.files.reduce(0) { $0 + $1.size }
        let lines = [
            "packaged \(version.name) v\(version.version) into \(directory.path): \(build.files.count) files, \(formatBytes(total)), context sha256 \(build.contextHash.prefix(16))",
            "  build  podman build -t \(version.name.lowercased()):v\(version.version) \(ShellQuoting.quote(directory.path))",
            "  run    see \(directory.appendingPathComponent("README.md").path)",
        ]
        return CommandResult(lines.joined(separator: "\n"), values: [
            ("context_hash", .string(build.contextHash)), ("files", .int(build.files.count)),
        ])
    }
}

/// `dockerize MODEL[:vN] into DIR` — `package` under the name the original scripts used.
public enum DockerizeCommand: RappiCommand {
    public static let signature = CommandSignature(
        "dockerize", area: "endpoints", summary: "Same as `package` (after the original 09-dockerize-model).",
        pattern: PackageCommand.signature.pattern, options: PackageCommand.signature.options,
        publishes: PackageCommand.signature.publishes, examples: ["dockerize titanic_rf into build/titanic_rf"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        try PackageCommand.execute(call, in: context)
    }
}
