import Foundation
import XCTest
@testable import RappiDeploy

final class ContainerEngineTests: XCTestCase {
    func testDetectFindsPodmanWhenInstalled() throws {
        guard let podman = CommandRunner.which("podman") else {
            print("ContainerEngineTests: podman is not on PATH; detect() must fall back to docker or nil")
            if let engine = ContainerEngine.detect() { XCTAssertEqual(engine.kind, .docker) }
            return
        }
        let engine = try XCTUnwrap(ContainerEngine.detect())
        XCTAssertEqual(engine.kind, .podman)
        XCTAssertEqual(engine.executable, podman)
        if CommandRunner.which("runc") != nil || FileManager.default.isExecutableFile(atPath: "/usr/sbin/runc") {
            XCTAssertEqual(engine.globalArguments.count, 4)
            XCTAssertEqual(engine.globalArguments.first, "--runtime")
            XCTAssertTrue(engine.globalArguments[1].hasSuffix("runc"))
            XCTAssertEqual(Array(engine.globalArguments.suffix(2)), ["--storage-driver", "vfs"])
        }
    }

    func testEngineCanBeForcedOff() {
        let saved = ProcessInfo.processInfo.environment["RAPPI_CONTAINER_ENGINE"]
        setenv("RAPPI_CONTAINER_ENGINE", "none", 1)
        defer { if let saved { setenv("RAPPI_CONTAINER_ENGINE", saved, 1) } else { unsetenv("RAPPI_CONTAINER_ENGINE") } }
        XCTAssertNil(ContainerEngine.detect())
    }

    func testUnavailableErrorSaysWhatToDo() {
        let message = ContainerEngine.unavailableError.message
        XCTAssertTrue(message.contains("apt-get install -y podman runc"), message)
        XCTAssertTrue(message.contains("local"), message)
        XCTAssertTrue(message.contains("docker"), message)
    }

    func testCommandRunnerDrainsLargeOutputOnBothStreams() throws {
        // 1 MB on each stream: far beyond a pipe's buffer, so a sequential reader would deadlock.
        let result = try CommandRunner.run("/bin/sh", ["-c", "head -c 1048576 /dev/zero | tr '\\0' a; head -c 1048576 /dev/zero | tr '\\0' b >&2; exit 7"],
                                           timeout: 60)
        XCTAssertEqual(result.status, 7)
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.stdout.utf8.count, 1_048_576)
        XCTAssertEqual(result.stderr.utf8.count, 1_048_576)
        let slow = try CommandRunner.run("/bin/sleep", ["30"], timeout: 0.5)
        XCTAssertTrue(slow.timedOut)
        XCTAssertFalse(slow.succeeded)
    }
}

/// Builds a real image from the real rappi binary and runs it with the engine found here.
final class ContainerImageTests: XCTestCase {
    private var root: URL!
    private var engine: ContainerEngine!
    private var images: [String] = []
    private var containers: [String] = []

    override func setUpWithError() throws {
        guard let engine = ContainerEngine.detect() else {
            let why = "no container engine: podman is not on PATH and `docker info` fails (install with `apt-get install -y podman runc`)"
            print("ContainerImageTests skipped — \(why)")
            throw XCTSkip(why)
        }
        self.engine = engine
        root = try TestSupport.scratchDirectory("image")
    }

    override func tearDown() {
        for name in containers { try? engine?.stop(name: name) }
        for tag in images { engine?.removeImage(tag) }
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func rappi() throws -> String {
        let binary = try XCTUnwrap(TestSupport.rappiBinary(),
                                   "the rappi binary was not found beside the tests, in .build-deploy/debug or .build/debug (set RAPPI_BINARY)")
        print("ContainerImageTests: using \(binary) with \(engine.commandLine([]).joined(separator: " "))")
        return binary
    }

    private func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let began = Date()
        defer { print(String(format: "ContainerImageTests: %@ took %.1f s", label, Date().timeIntervalSince(began))) }
        return try body()
    }

    func testImageRunsTheStagedRappiBinary() throws {
        let binary = try rappi()
        let context = try BuildContext.write(modelBytes: Array("not a model".utf8), modelName: "deploytest", modelVersion: 1,
                                             binary: binary, authenticated: false, into: root.appendingPathComponent("ctx"))
        let tag = "localhost/rappi-deploytest:v1-\(context.contextHash.prefix(12))"
        images.append(tag)
        try timed("\(engine.kind.rawValue) build (\(context.files.reduce(0) { $0 + $1.size } / 1_000_000) MB context)") {
            try engine.build(context: context.directory, tag: tag)
        }
        let (status, output) = try timed("\(engine.kind.rawValue) run --version") {
            try engine.runToCompletion(image: tag, entrypoint: BuildContext.binaryPath, arguments: ["--version"])
        }
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")

        // The default entrypoint is serve-model; with a bogus model it must fail, not hang.
        let name = "rappi-deploytest-\(UUID().uuidString.prefix(6).lowercased())"
        containers.append(name)
        _ = try engine.run(image: tag, name: name, hostPort: try FreePort.pick(), keysDirectory: nil)
        XCTAssertTrue(TestSupport.waitUntil(30) { !engine.isRunning(name: name) }, engine.logs(name: name, tail: 20))
        XCTAssertFalse(engine.logs(name: name, tail: 20).isEmpty, "serve-model says why it stopped")
        try engine.stop(name: name)
        XCTAssertFalse(engine.exists(name: name))
        try engine.stop(name: name)  // a second stop is fine

        let missing = Date()
        XCTAssertThrowsError(try engine.run(image: "localhost/rappi-no-such-image:v0", name: "rappi-deploytest-none",
                                            hostPort: try FreePort.pick(), keysDirectory: nil)) {
            XCTAssertTrue("\($0)".contains("rappi-no-such-image"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(missing), 30, "a missing image fails fast, without a registry round trip")
        XCTAssertThrowsError(try engine.build(context: root.appendingPathComponent("missing"), tag: "localhost/rappi-none:v1")) {
            XCTAssertTrue("\($0)".contains("build"), "\($0)")
        }
    }

    /// The whole path `deploy … aci` takes: a real model (made with the rappi CLI), an authenticated
    /// image, keys mounted read-only, readiness, stop.
    func testContainerServesARealModelWithKeys() throws {
        let binary = try rappi()
        let model = try makeModel(binary)
        let context = try BuildContext.write(modelBytes: model, modelName: "deploytest", modelVersion: 2,
                                             binary: binary, authenticated: true, into: root.appendingPathComponent("ctx"))
        let tag = "localhost/rappi-deploytest:v2-\(context.contextHash.prefix(12))"
        images.append(tag)
        try timed("\(engine.kind.rawValue) build (keyed)") { try engine.build(context: context.directory, tag: tag) }

        let keys = root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try Data("primary-key-123\nsecondary-key-456\n".utf8).write(to: keys.appendingPathComponent("keys"))
        let port = try FreePort.pick()
        let name = "rappi-deploytest-\(UUID().uuidString.prefix(6).lowercased())"
        containers.append(name)
        let id = try timed("\(engine.kind.rawValue) run -d") {
            try engine.run(image: tag, name: name, hostPort: port, keysDirectory: keys)
        }
        XCTAssertFalse(id.isEmpty)
        try timed("readiness") {
            try Readiness.wait(url: "http://127.0.0.1:\(port)/health/ready", timeout: 60) {
                "container logs:\n" + engine.logs(name: name, tail: 20)
            }
        }
        XCTAssertTrue(engine.isRunning(name: name))
        XCTAssertNotNil(engine.mainProcessID(name: name))

        // A name in use is an error, never a replacement: the container may be someone else's.
        XCTAssertThrowsError(try engine.run(image: tag, name: name, hostPort: try FreePort.pick(), keysDirectory: keys)) {
            XCTAssertTrue("\($0)".contains("a container named \(name) exists already"), "\($0)")
        }
        XCTAssertEqual(engine.containerID(name), engine.containerID(id), "the running container was left alone")
        XCTAssertTrue(engine.isRunning(name: name))

        let began = Date()
        try engine.stop(name: name)
        print(String(format: "ContainerImageTests: stop took %.1f s", Date().timeIntervalSince(began)))
        XCTAssertFalse(engine.isRunning(name: name))
        XCTAssertFalse(engine.exists(name: name))
        XCTAssertNil(engine.mainProcessID(name: name))
    }

    /// A small trained model from the rappi CLI (upload, train, register, package), or a skip
    /// saying why the CLI could not make one.
    private func makeModel(_ binary: String) throws -> [UInt8] {
        let data = TestSupport.repository.appendingPathComponent("scripts/data/titanic/ds_half")
        guard FileManager.default.fileExists(atPath: data.path) else { throw XCTSkip("no sample data at \(data.path)") }
        let packaged = root.appendingPathComponent("packaged")
        let script = "upload dataset t from \(data.path) target=Survived; load dataset t; train logreg; register as m; package m into \(packaged.path) auth=none"
        let result = try CommandRunner.run(binary, ["--workspace", root.appendingPathComponent("ws").path, "-c", script], timeout: 300)
        let file = packaged.appendingPathComponent("rootfs/model/model.rappimodel")
        guard result.succeeded, let bytes = FileManager.default.contents(atPath: file.path) else {
            let why = "the rappi CLI could not make a model to serve (exit \(result.status)): \(result.lastLines(8))"
            print("ContainerImageTests: \(why)")
            throw XCTSkip(why)
        }
        return [UInt8](bytes)
    }
}
