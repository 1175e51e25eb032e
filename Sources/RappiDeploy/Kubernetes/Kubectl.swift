import Foundation

/// The `kubectl` of this machine and the cluster its current context names — when one answers.
public struct Kubectl: Sendable {
    public let executable: String

    /// kubectl with a current context whose API server answers `/readyz` within 5 s, else nil
    /// and why not (for the message that says exactly what happened).
    public static func cluster() -> (kubectl: Kubectl?, why: String) {
        guard let executable = CommandRunner.which("kubectl") else { return (nil, "kubectl is not installed") }
        guard let context = try? CommandRunner.run(executable, ["config", "current-context"], timeout: 10), context.succeeded else {
            return (nil, "kubectl has no current context")
        }
        let name = context.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let ready = try? CommandRunner.run(executable, ["get", "--raw", "/readyz", "--request-timeout=5s"], timeout: 15),
              ready.succeeded else {
            return (nil, "the cluster of kubectl's current context '\(name)' does not answer")
        }
        return (Kubectl(executable: executable), "context '\(name)'")
    }

    /// `kubectl apply -f DIRECTORY`.
    public func apply(_ directory: URL) throws {
        try run(["apply", "-f", directory.path], timeout: 120, what: "kubectl apply")
    }

    /// Waits until the rollout is complete (`kubectl rollout status`, or the InferenceService's
    /// Ready condition).
    public func waitForRollout(kind: String, name: String, namespace: String, timeout seconds: Int = 300) throws {
        if kind == "inferenceservice" {
            try run(["wait", "--for=condition=Ready", "-n", namespace, "inferenceservice/\(name)", "--timeout=\(seconds)s"],
                    timeout: Double(seconds + 30), what: "kubectl wait")
        } else {
            try run(["rollout", "status", "-n", namespace, "\(kind)/\(name)", "--timeout=\(seconds)s"],
                    timeout: Double(seconds + 30), what: "kubectl rollout status")
        }
    }

    /// `kubectl delete -f DIRECTORY --ignore-not-found`.
    public func delete(_ directory: URL) throws {
        try run(["delete", "-f", directory.path, "--ignore-not-found", "--wait=false"], timeout: 120, what: "kubectl delete")
    }

    /// The arguments of a `kubectl port-forward` from 127.0.0.1:`localPort` to the Service.
    public func portForwardArguments(service: String, namespace: String, localPort: Int, servicePort: Int) -> [String] {
        ["port-forward", "--address", "127.0.0.1", "-n", namespace, "service/\(service)", "\(localPort):\(servicePort)"]
    }

    private func run(_ arguments: [String], timeout: Double, what: String) throws {
        let result = try CommandRunner.run(executable, arguments, timeout: timeout, mergeOutput: true)
        guard result.succeeded else {
            throw DeployError("\(what) failed\(result.timedOut ? " (timed out)" : " (exit \(result.status))"):\n\(result.lastLines(15))")
        }
    }
}
