import Foundation
import Synchronization

/// Bearer tokens of remote pipeline workers (`rappi pipeline-worker --server URL --token T`).
/// A token is made when an executor hands a run to a remote worker and is valid for that run
/// only, until the attempt ends (`revoke`): it never outlives the run, and the workspace server
/// also refuses it once the run is no longer `running`. Tokens live only in the memory of the
/// server process that runs the executor — a restarted server requeues the run and makes a new
/// one — so nothing about them is stored. Each call from the worker is also its heartbeat.
public final class WorkerTokens: Sendable {
    private struct Grant { let runID: Int; var lastSeen: Date }
    /// By the token's hash: a lookup never compares the secret itself.
    private let grants = Mutex<[String: Grant]>([:])

    public init() {}

    /// A new token for `runID` (any earlier token of that run is retired).
    public func issue(for runID: Int) -> String {
        let token = "rpw_" + Workspace.randomHex(bytes: 24)
        grants.withLock { grants in
            grants = grants.filter { $0.value.runID != runID }
            grants[PublishingToken.hash(token)] = Grant(runID: runID, lastSeen: Date())
        }
        return token
    }

    /// The run this token was issued for, counting the call as a heartbeat; nil for an unknown
    /// or revoked token.
    public func runID(accepting token: some StringProtocol) -> Int? {
        let key = PublishingToken.hash(token)
        return grants.withLock { grants in
            guard var grant = grants[key] else { return nil }
            grant.lastSeen = Date()
            grants[key] = grant
            return grant.runID
        }
    }

    /// When the worker of `runID` last called the server (nil: no live token).
    public func lastSeen(_ runID: Int) -> Date? {
        grants.withLock { $0.values.first { $0.runID == runID }?.lastSeen }
    }

    public func revoke(_ runID: Int) {
        grants.withLock { grants in grants = grants.filter { $0.value.runID != runID } }
    }
}
