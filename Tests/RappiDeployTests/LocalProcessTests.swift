import Foundation
import XCTest
@testable import RappiDeploy

final class LocalProcessTests: XCTestCase {
    private var root: URL!
    private var started: [Int32] = []

    override func setUpWithError() throws { root = try TestSupport.scratchDirectory("local") }
    override func tearDown() {
        for pid in started { LocalProcess.terminate(pid: pid, timeout: 1) }
        try? FileManager.default.removeItem(at: root)
    }

    func testDetachedHTTPServerRunsInItsOwnSessionAndTerminates() throws {
        guard let python = CommandRunner.which("python3") else { throw XCTSkip("python3 is not installed") }
        let port = try FreePort.pick()
        let log = root.appendingPathComponent("logs/server.log")
        let pid = try LocalProcess.spawnDetached(executable: python,
                                                 arguments: ["-u", "-m", "http.server", String(port), "--bind", "127.0.0.1",
                                                             "--directory", root.path],
                                                 logFile: log)
        started.append(pid)
        XCTAssertGreaterThan(pid, 0)
        XCTAssertTrue(LocalProcess.isAlive(pid: pid))

        try Readiness.wait(url: "http://127.0.0.1:\(port)/", timeout: 20, alive: { LocalProcess.isAlive(pid: pid) }) {
            "server log:\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? "(none)")
        }

        // Detached: leader of a new session and process group, so the REPL's terminal signals miss it.
        XCTAssertEqual(getsid(pid), pid)
        XCTAssertEqual(getpgid(pid), pid)
        XCTAssertNotEqual(getsid(pid), getsid(0))
        // stdin is /dev/null, stdout and stderr the log, and nothing else of ours leaked into it.
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/0"), "/dev/null")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/1"), log.path)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/2"), log.path)
        // The server's access log lines (stderr) land in the log file.
        XCTAssertTrue(TestSupport.waitUntil(5) {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("\"GET / HTTP/1.1\" 200")
        }, (try? String(contentsOf: log, encoding: .utf8)) ?? "")

        // Still alive a moment later: it does not depend on anything of ours.
        usleep(300_000)
        XCTAssertTrue(LocalProcess.isAlive(pid: pid))

        XCTAssertTrue(LocalProcess.terminate(pid: pid, timeout: 5))
        XCTAssertFalse(LocalProcess.isAlive(pid: pid))
        XCTAssertTrue(LocalProcess.terminate(pid: pid, timeout: 1), "terminating a gone process is fine")
    }

    func testDescriptorsOfTheParentDoNotLeak() throws {
        // A pipe without close-on-exec: a detached child holding it would keep a reader waiting forever.
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let pid = try LocalProcess.spawnDetached(executable: "sleep", arguments: ["30"],
                                                 logFile: root.appendingPathComponent("sleep.log"))
        started.append(pid)
        XCTAssertTrue(LocalProcess.isAlive(pid: pid))
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int.init).sorted()
        XCTAssertEqual(open, [0, 1, 2])
        XCTAssertTrue(LocalProcess.terminate(pid: pid, timeout: 5))
        XCTAssertFalse(LocalProcess.isAlive(pid: pid))
    }

    func testAProcessThatIgnoresSIGTERMIsKilled() throws {
        let pid = try LocalProcess.spawnDetached(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; while :; do sleep 0.1; done"],
                                                 logFile: root.appendingPathComponent("stubborn.log"))
        started.append(pid)
        usleep(200_000)
        let began = Date()
        XCTAssertTrue(LocalProcess.terminate(pid: pid, timeout: 0.5))
        XCTAssertFalse(LocalProcess.isAlive(pid: pid))
        XCTAssertLessThan(Date().timeIntervalSince(began), 5)
    }

    func testAnExitedProcessIsNotAlive() throws {
        let pid = try LocalProcess.spawnDetached(executable: "/bin/sh", arguments: ["-c", "echo bye; exit 3"],
                                                 logFile: root.appendingPathComponent("short.log"))
        XCTAssertTrue(TestSupport.waitUntil(5) { !LocalProcess.isAlive(pid: pid) }, "an exited child (zombie) is not alive")
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("short.log"), encoding: .utf8), "bye\n")
        XCTAssertFalse(LocalProcess.isAlive(pid: 0))
        XCTAssertFalse(LocalProcess.isAlive(pid: -1))
    }

    func testLogFileIsAppendedNotTruncated() throws {
        let log = root.appendingPathComponent("append.log")
        try Data("earlier\n".utf8).write(to: log)
        let pid = try LocalProcess.spawnDetached(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2"], logFile: log)
        XCTAssertTrue(TestSupport.waitUntil(5) { !LocalProcess.isAlive(pid: pid) })
        XCTAssertEqual(try String(contentsOf: log, encoding: .utf8), "earlier\nout\nerr\n")
    }

    func testMissingExecutableIsAnError() {
        XCTAssertThrowsError(try LocalProcess.spawnDetached(executable: "/nonexistent/rappi", arguments: [],
                                                            logFile: root.appendingPathComponent("x.log"))) { error in
            XCTAssertTrue(error is DeployError)
            XCTAssertTrue("\(error)".contains("/nonexistent/rappi"), "\(error)")
        }
        XCTAssertThrowsError(try LocalProcess.spawnDetached(executable: "sleep", arguments: ["1"],
                                                            logFile: URL(fileURLWithPath: "/proc/forbidden/x.log"))) {
            XCTAssertTrue("\($0)".contains("log file"), "\($0)")
        }
    }
}

final class FreePortAndReadinessTests: XCTestCase {
    func testFreePortIsBindable() throws {
        let port = try FreePort.pick()
        XCTAssertTrue((1024...65535).contains(port), "\(port)")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0, "port \(port) can be bound: \(String(cString: strerror(errno)))")
        XCTAssertEqual(listen(fd, 1), 0)
        XCTAssertNotEqual(try FreePort.pick(), port, "a port in use is not offered")
    }

    func testReadinessTimesOutWithTheDiagnostics() throws {
        let port = try FreePort.pick()  // nothing listens there
        let began = Date()
        XCTAssertThrowsError(try Readiness.wait(url: "http://127.0.0.1:\(port)/health/ready", timeout: 1.0) {
            "see /tmp/endpoint.log:\nfatal: model file is corrupt"
        }) { error in
            let text = "\(error)"
            XCTAssertTrue(error is DeployError)
            XCTAssertTrue(text.contains("http://127.0.0.1:\(port)/health/ready did not answer 200 within"), text)
            XCTAssertTrue(text.contains("fatal: model file is corrupt"), text)
            XCTAssertTrue(text.contains("see /tmp/endpoint.log"), text)
            XCTAssertTrue(text.contains("last:"), text)
        }
        let waited = Date().timeIntervalSince(began)
        XCTAssertGreaterThanOrEqual(waited, 0.9)
        XCTAssertLessThan(waited, 5)
    }

    func testReadinessStopsAtOnceWhenTheServerIsGone() throws {
        let port = try FreePort.pick()
        let began = Date()
        XCTAssertThrowsError(try Readiness.wait(url: "http://127.0.0.1:\(port)/", timeout: 30, alive: { false }) { "log tail" }) {
            XCTAssertTrue("\($0)".contains("exited"), "\($0)")
            XCTAssertTrue("\($0)".contains("log tail"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(began), 5)
    }
}
