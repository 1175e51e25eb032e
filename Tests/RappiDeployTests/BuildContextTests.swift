import Foundation
import XCTest
@testable import RappiDeploy

final class BuildContextTests: XCTestCase {
    private var root: URL!
    private let model: [UInt8] = Array("RAPPIMDL not really a model\n".utf8) + (0..<256).map { UInt8($0) }

    override func setUpWithError() throws { root = try TestSupport.scratchDirectory("context") }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    private func write(_ name: String = "ctx", authenticated: Bool = true, modelName: String = "titanic_rf",
                       binary: String = TestSupport.smallBinary) throws -> BuildContext {
        try BuildContext.write(modelBytes: model, modelName: modelName, modelVersion: 3, binary: binary,
                               authenticated: authenticated, into: root.appendingPathComponent(name))
    }

    func testWritesBinaryLibrariesModelDocsAndManifest() throws {
        let context = try write()
        let paths = context.files.map(\.path)
        for expected in ["Dockerfile", "README.md", "rootfs/usr/local/bin/rappi", "rootfs/model/model.rappimodel",
                         "rootfs/etc/passwd", "rootfs/etc/group"] {
            XCTAssertTrue(paths.contains(expected), "missing \(expected) in \(paths)")
        }
        XCTAssertFalse(paths.contains("MANIFEST.sha256"), "the manifest does not list itself")
        let dir = context.directory
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("MANIFEST.sha256").path))

        // Every library ldd lists is staged at the path the loader uses, as a plain file.
        let libraries = try SharedLibraries.required(by: TestSupport.smallBinary)
        XCTAssertTrue(libraries.contains { $0.contains("libc.so") }, "\(libraries)")
        XCTAssertTrue(libraries.contains { $0.contains("ld-linux") }, "the dynamic loader is listed: \(libraries)")
        for library in libraries {
            let staged = dir.appendingPathComponent("rootfs" + library)
            XCTAssertTrue(paths.contains("rootfs" + library))
            XCTAssertFalse(TestSupport.status(staged).isLink, "\(library) is copied, not linked")
            XCTAssertEqual(try TestSupport.sha256(of: staged), try TestSupport.sha256(of: URL(fileURLWithPath: TestSupport.stripped(
                URL(fileURLWithPath: library).resolvingSymlinksInPath().path, option: "--strip-unneeded"))))
        }
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("rootfs/model/model.rappimodel")), Data(model))
        // The binary is staged stripped: what `strip --strip-all` makes of it, never larger.
        let stagedBinary = dir.appendingPathComponent("rootfs/usr/local/bin/rappi")
        XCTAssertEqual(try TestSupport.sha256(of: stagedBinary),
                       try TestSupport.sha256(of: URL(fileURLWithPath: TestSupport.stripped(TestSupport.smallBinary, option: "--strip-all"))))
        XCTAssertLessThanOrEqual(TestSupport.status(stagedBinary).size,
                                 TestSupport.status(URL(fileURLWithPath: TestSupport.smallBinary).resolvingSymlinksInPath()).size)

        // Fixed permissions and times; /tmp is world-writable and sticky.
        for entry in context.files {
            let status = TestSupport.status(dir.appendingPathComponent(entry.path))
            let executable = entry.path == "rootfs/usr/local/bin/rappi" || libraries.contains { "rootfs" + $0 == entry.path }
            XCTAssertEqual(status.mode, executable ? 0o755 : 0o644, entry.path)
            XCTAssertEqual(status.mtime, 946_684_800, entry.path)
        }
        let tmp = TestSupport.status(dir.appendingPathComponent("rootfs/tmp"))
        XCTAssertEqual(tmp.mode, 0o1777)
        XCTAssertEqual(TestSupport.status(dir).mtime, 946_684_800)
        XCTAssertEqual(TestSupport.status(dir.appendingPathComponent("rootfs/usr/local/bin")).mode, 0o755)
        XCTAssertEqual(TestSupport.status(dir.appendingPathComponent("rootfs/usr/local/bin")).mtime, 946_684_800)

        // Nothing else lies around (no staging folder left next to it).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["ctx"])
    }

    func testDockerfileRunsServeModelWithOrWithoutKeys() throws {
        let keyed = try String(contentsOf: write("a").directory.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let lines = keyed.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines, [
            "FROM scratch",
            "COPY rootfs/ /",
            "USER 65534:65534",
            "EXPOSE 8080",
            #"ENTRYPOINT ["/usr/local/bin/rappi", "serve-model", "--model", "/model/model.rappimodel", "--name", "titanic_rf", "--version", "3", "--host", "0.0.0.0", "--port", "8080", "--keys-file", "/run/rappi/keys", "--access-log", "/var/log/rappi/access.log"]"#,
        ])
        let open = try String(contentsOf: write("b", authenticated: false).directory.appendingPathComponent("Dockerfile"), encoding: .utf8)
        XCTAssertFalse(open.contains("--keys-file"))
        XCTAssertTrue(open.contains(#""--port", "8080", "--access-log", "/var/log/rappi/access.log"]"#))

        let quoted = try String(contentsOf: write("c", modelName: "odd \"name\"\\x").directory.appendingPathComponent("Dockerfile"), encoding: .utf8)
        XCTAssertTrue(quoted.contains(#""--name", "odd \"name\"\\x""#), quoted)
    }

    func testReadmeGivesBuildAndRunCommands() throws {
        let readme = try String(contentsOf: write().directory.appendingPathComponent("README.md"), encoding: .utf8)
        for expected in ["podman build -t rappi-titanic_rf:v3 .", "docker build -t rappi-titanic_rf:v3 .",
                         "podman run -d --name rappi-titanic_rf -p 127.0.0.1:8080:8080",
                         "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024",
                         "-v \"$PWD/keys:/run/rappi:ro\"", "Authorization: Bearer $KEY", "/health/ready",
                         "--runtime runc --storage-driver vfs"] {
            XCTAssertTrue(readme.contains(expected), "README lacks \(expected):\n\(readme)")
        }
        let open = try String(contentsOf: write("open", authenticated: false).directory.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertFalse(open.contains("Authorization"))
        XCTAssertFalse(open.contains("/run/rappi:ro"))
    }

    func testManifestIsSortedAndMatchesTheFiles() throws {
        let context = try write()
        let manifest = try String(contentsOf: context.directory.appendingPathComponent("MANIFEST.sha256"), encoding: .utf8)
        XCTAssertTrue(manifest.hasSuffix("\n"))
        let rows = manifest.split(separator: "\n").map { $0.components(separatedBy: "  ") }
        XCTAssertEqual(rows.count, context.files.count)
        let paths = rows.map { $0[2] }
        XCTAssertEqual(paths, paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        XCTAssertEqual(paths, context.files.map(\.path))
        for (row, entry) in zip(rows, context.files) {
            let url = context.directory.appendingPathComponent(row[2])
            XCTAssertEqual(row[0], try TestSupport.sha256(of: url), row[2])
            XCTAssertEqual(row[0], entry.sha256)
            XCTAssertEqual(Int(row[1]), entry.size)
            XCTAssertEqual(entry.size, (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? -1)
        }
        // Every file in the folder is listed (folders and the manifest aside).
        let onDisk = TestSupport.tree(context.directory).filter { path in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: context.directory.appendingPathComponent(path).path, isDirectory: &isDirectory)
            return !isDirectory.boolValue && path != "MANIFEST.sha256"
        }
        XCTAssertEqual(onDisk.sorted(), paths.sorted())
        XCTAssertEqual(context.contextHash, try TestSupport.sha256(of: context.directory.appendingPathComponent("MANIFEST.sha256")))
    }

    func testSameInputsGiveAByteIdenticalContext() throws {
        let first = try write("one")
        let second = try write("two")
        XCTAssertEqual(first.contextHash, second.contextHash)
        XCTAssertEqual(try Data(contentsOf: first.directory.appendingPathComponent("MANIFEST.sha256")),
                       try Data(contentsOf: second.directory.appendingPathComponent("MANIFEST.sha256")))
        let tree = TestSupport.tree(first.directory)
        XCTAssertEqual(tree, TestSupport.tree(second.directory))
        for path in tree {
            let a = first.directory.appendingPathComponent(path), b = second.directory.appendingPathComponent(path)
            let (sa, sb) = (TestSupport.status(a), TestSupport.status(b))
            XCTAssertEqual(sa.mode, sb.mode, path)
            XCTAssertEqual(sa.mtime, sb.mtime, path)
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: a.path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { XCTAssertEqual(try Data(contentsOf: a), try Data(contentsOf: b), path) }
        }
        // A different model or setting gives a different context.
        let other = try BuildContext.write(modelBytes: model + [1], modelName: "titanic_rf", modelVersion: 3,
                                           binary: TestSupport.smallBinary, authenticated: true,
                                           into: root.appendingPathComponent("three"))
        XCTAssertNotEqual(other.contextHash, first.contextHash)
        XCTAssertNotEqual(try write("four", authenticated: false).contextHash, first.contextHash)
    }

    func testRefusesANonEmptyFolderButTakesAnEmptyOne() throws {
        let busy = root.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: busy, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: busy.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try write("busy")) { error in
            XCTAssertTrue("\(error)".contains("not empty"), "\(error)")
            XCTAssertTrue(error is DeployError)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: busy.path), ["notes.txt"])

        let file = root.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try write("plain")) { XCTAssertTrue("\($0)".contains("is a file"), "\($0)") }

        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let context = try write("empty")
        XCTAssertTrue(FileManager.default.fileExists(atPath: empty.appendingPathComponent("Dockerfile").path))
        XCTAssertEqual(context.directory.path, empty.standardizedFileURL.path)

        let nested = try write("deeper/still/ctx")
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested.directory.appendingPathComponent("MANIFEST.sha256").path))

        XCTAssertThrowsError(try write("nobinary", binary: "/nonexistent/rappi")) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("nobinary").path))
    }

    func testParsesLddOutput() throws {
        let output = """
        \tlinux-vdso.so.1 (0x00007ffd5a1f0000)
        \tlibswiftCore.so => /opt/swift/usr/lib/swift/linux/libswiftCore.so (0x00007f1596800000)
        \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f159501e000)
        \t/lib64/ld-linux-x86-64.so.2 (0x00007f1598b9d000)
        \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f159501e000)
        """
        XCTAssertEqual(try SharedLibraries.parse(output, executable: "x"), [
            "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2", "/opt/swift/usr/lib/swift/linux/libswiftCore.so",
        ])
        XCTAssertThrowsError(try SharedLibraries.parse(output + "\n\tlibgone.so.1 => not found\n", executable: "x")) {
            XCTAssertTrue("\($0)".contains("libgone.so.1"), "\($0)")
        }
    }

    func testSuggestedTagIsValidForPodman() {
        XCTAssertEqual(BuildContext.suggestedTag(modelName: "Titanic_RF", modelVersion: 2), "rappi-titanic_rf:v2")
        XCTAssertEqual(BuildContext.suggestedTag(modelName: "my model/β", modelVersion: 1), "rappi-my-model:v1")
    }
}
