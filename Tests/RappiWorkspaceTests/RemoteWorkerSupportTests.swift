import Foundation
import RappiWorkspace
import XCTest

/// What a remote pipeline worker stands on: the replica of the rows a run needs, blobs fetched
/// by hash and verified, worker tokens scoped to one run, and Ray targets stored with their settings.
final class RemoteWorkerSupportTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rappi-remote-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func csv(_ text: String) throws -> URL {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("data-\(UUID().uuidString).csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func testAScratchWorkspaceSeededWithARunsReplicaResolvesDatasetsAndTheRunAsTheServerDoes() throws {
        let server = try Workspace(directory: root.appendingPathComponent("server"))
        _ = try server.uploadDataset(name: "d", path: try csv("x,y\n1,0.5\n2,1.5\n"), target: "y", description: nil)
        let second = try server.uploadDataset(name: "d", path: try csv("x,y\n1,0.5\n2,2.5\n3,1.0\n"), target: "y", description: nil).version
        let definition = try server.definePipeline(name: "p", parameters: [.init(name: "v", defaultValue: "0")], body: "load dataset d $v",
                                                   steps: [.init(kind: "load dataset", statement: "load dataset d $v")], baseDirectory: nil).definition
        let runID = try server.enqueuePipelineRun(definition, parameters: [("v", "0")], compute: "local", reuse: true, trigger: "test")
        _ = try server.claimPipelineRun(executorPID: 1)

        let replica = try WorkspaceReplica.export(runID: runID, from: server)
        // Over the wire and back: what a worker receives.
        let received = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: replica)) as? [String: Any])
        let scratch = try Workspace(directory: root.appendingPathComponent("scratch"))
        try WorkspaceReplica.seed(received, into: scratch)

        XCTAssertEqual(try scratch.datasetVersion("d", .latest), second)
        XCTAssertEqual(try scratch.pipelineRun(runID).status, "running")
        XCTAssertEqual(try scratch.pipeline("p", version: definition.version).body, "load dataset d $v")
        XCTAssertEqual(try scratch.pipelineSteps(runID).map(\.status), ["pending"])
        XCTAssertFalse(scratch.artifacts.contains(second.contentHash), "content is not copied, only named")

        // A blob is fetched on first read, by hash, and checked.
        let fetches = Counter()
        let source = server.artifacts
        scratch.fetchMissingArtifacts { hash in
            fetches.add()
            return [UInt8](try source.read(hash))
        }
        XCTAssertEqual(try scratch.loadFrame(second).rowCount, 3)
        XCTAssertEqual(try scratch.loadFrame(second).rowCount, 3)
        XCTAssertEqual(fetches.value, 1, "stored after the first download")
    }

    func testABlobThatArrivesWithOtherContentIsRefusedAndNotStored() throws {
        let server = try Workspace(directory: root.appendingPathComponent("server"))
        let version = try server.uploadDataset(name: "d", path: try csv("x,y\n1,0\n"), target: nil, description: nil).version
        let scratch = try Workspace(directory: root.appendingPathComponent("scratch"))
        scratch.fetchMissingArtifacts { _ in Array("x,y\n9,9\n".utf8) }
        XCTAssertThrowsError(try scratch.artifacts.read(version.contentHash)) { error in
            XCTAssertTrue("\(error)".contains("arrived with different content"), "\(error)")
        }
        XCTAssertFalse(scratch.artifacts.contains(version.contentHash))
    }

    func testASeedFromAServerOfAnotherSchemaIsRefusedWithTheFix() throws {
        let scratch = try Workspace(directory: root.appendingPathComponent("scratch"))
        XCTAssertThrowsError(try WorkspaceReplica.seed(["schema_version": 1, "tables": []], into: scratch)) { error in
            XCTAssertTrue("\(error)".contains("install the same rappi on the worker as on the server"), "\(error)")
        }
    }

    func testAWorkerTokenServesOnlyItsRunAndExpiresWhenRevoked() {
        let tokens = WorkerTokens()
        let first = tokens.issue(for: 7)
        let other = tokens.issue(for: 8)
        XCTAssertTrue(first.hasPrefix("rpw_"))
        XCTAssertEqual(tokens.runID(accepting: first), 7)
        XCTAssertEqual(tokens.runID(accepting: other), 8)
        XCTAssertNil(tokens.runID(accepting: "rpw_guess"))
        XCTAssertNotNil(tokens.lastSeen(7))
        let retry = tokens.issue(for: 7)
        XCTAssertNil(tokens.runID(accepting: first), "a new attempt retires the old token")
        tokens.revoke(7)
        XCTAssertNil(tokens.runID(accepting: retry))
        XCTAssertNil(tokens.lastSeen(7))
        XCTAssertEqual(tokens.runID(accepting: other), 8)
    }

    func testARayTargetKeepsItsClusterSettings() throws {
        let workspace = try Workspace(directory: root.appendingPathComponent("ws"))
        let cluster = RayCluster(address: "http://10.0.0.1:8265", resources: ["hidden": 1, "gpu_box": 0.5], queueTimeoutSeconds: 30,
                                 rappiPath: "/opt/rappi")
        try workspace.createComputeTarget(ComputeTarget(name: "far", cores: 4, memoryBytes: 0, maxJobs: 3, cluster: cluster))
        let stored = try workspace.computeTarget("far")
        XCTAssertEqual(stored.cluster, cluster)
        XCTAssertEqual(stored.kind, "ray")
        XCTAssertEqual(cluster.resourcesDescription, "gpu_box:0.5,hidden:1")
        XCTAssertEqual(try workspace.computeTarget("local").kind, "local")
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
