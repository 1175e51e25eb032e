import Foundation
import XCTest
@testable import RappiDeploy

/// The manifest set of `deploy … kubernetes`, checked as a cluster would read it: selectors that
/// select the template's pods, an autoscaler and a disruption budget aimed at the Deployment, the
/// pod's hardening. (`Tests/kubernetes/` validates the same files against Kubernetes' schemas.)
final class KubernetesManifestsTests: XCTestCase {
    private func manifests(_ endpoint: String = "titanic_rf", serving: KubernetesManifests.Serving = .deployment,
                           keys: [String]? = ["primary", "secondary"]) -> KubernetesManifests {
        KubernetesManifests(endpoint: endpoint, namespace: "ml", image: "localhost/rappi-abc-titanic_rf:v3-0123456789ab",
                            replicas: 3, minReplicas: 2, maxReplicas: 8, cpu: "500m", memory: "256Mi", serving: serving,
                            modelName: "titanic_rf", modelVersion: 3, keys: keys)
    }

    private func map(_ node: YAMLNode?, file: StaticString = #filePath, line: UInt = #line) -> [String: String] {
        guard case .map(let members)? = node else { XCTFail("not a map: \(String(describing: node))", file: file, line: line); return [:] }
        var out: [String: String] = [:]
        for (key, value) in members { if case .string(let s) = value { out[key] = s } }
        return out
    }

    func testSelectorsSelectTheTemplatesPodsAndTheAutoscalerAndBudgetTargetTheDeployment() {
        let set = manifests()
        XCTAssertEqual(set.files.map(\.name), ["secret.yaml", "deployment.yaml", "service.yaml", "hpa.yaml", "pdb.yaml"])
        let deployment = set.deployment
        let selector = map(deployment["spec", "selector", "matchLabels"])
        let podLabels = map(deployment["spec", "template", "metadata", "labels"])
        XCTAssertFalse(selector.isEmpty)
        for (key, value) in selector { XCTAssertEqual(podLabels[key], value, "pod label \(key)") }
        for (key, value) in map(set.service["spec", "selector"]) { XCTAssertEqual(podLabels[key], value, "service selects \(key)") }
        for (key, value) in map(set.disruptionBudget["spec", "selector", "matchLabels"]) { XCTAssertEqual(podLabels[key], value, "PDB selects \(key)") }
        let target = map(set.autoscaler["spec", "scaleTargetRef"])
        XCTAssertEqual(target, ["apiVersion": "apps/v1", "kind": "Deployment", "name": "titanic-rf-" + String(target["name"]!.suffix(8))])
        XCTAssertEqual(map(deployment["metadata"])["name"], target["name"])
        XCTAssertEqual(set.autoscaler["spec", "minReplicas"], .int(2))
        XCTAssertEqual(set.autoscaler["spec", "maxReplicas"], .int(8))
        XCTAssertEqual(deployment["spec", "replicas"], .int(3))
        XCTAssertEqual(deployment["spec", "strategy", "rollingUpdate", "maxUnavailable"], .int(0))
        // The Service's port reaches the container's named port.
        XCTAssertTrue(set.service.text.contains("targetPort: \"http\""), set.service.text)
    }

    func testThePodIsHardenedAndProbesTheOpenHealthRoutes() throws {
        let pod = try XCTUnwrap(manifests().deployment["spec", "template", "spec"])
        XCTAssertEqual(pod["automountServiceAccountToken"], .bool(false))
        XCTAssertEqual(pod["securityContext", "runAsNonRoot"], .bool(true))
        XCTAssertEqual(pod["securityContext", "runAsUser"], .int(65534))
        XCTAssertEqual(pod["securityContext", "seccompProfile", "type"], .string("RuntimeDefault"))
        guard case .list(let containers)? = pod["containers"], let container = containers.first else { return XCTFail("no container") }
        XCTAssertEqual(container["securityContext", "readOnlyRootFilesystem"], .bool(true))
        XCTAssertEqual(container["securityContext", "allowPrivilegeEscalation"], .bool(false))
        XCTAssertEqual(container["securityContext", "capabilities", "drop"], .list([.string("ALL")]))
        XCTAssertEqual(container["startupProbe", "httpGet", "path"], .string("/health/ready"))
        XCTAssertEqual(container["readinessProbe", "httpGet", "path"], .string("/health/ready"))
        XCTAssertEqual(container["livenessProbe", "httpGet", "path"], .string("/health/live"))
        XCTAssertEqual(container["resources", "limits"], container["resources", "requests"])
        let annotations = map(manifests().deployment["spec", "template", "metadata", "annotations"])
        XCTAssertEqual(annotations["prometheus.io/scrape"], "true")
        XCTAssertEqual(annotations["prometheus.io/path"], "/metrics")
        // The keys are the Secret's file at the path the image's server re-reads.
        let text = manifests().deployment.text
        XCTAssertTrue(text.contains("mountPath: \"/run/rappi\""), text)
        XCTAssertTrue(text.contains("secretName: \"titanic-rf-"), text)
        let secret = manifests().secret
        guard case .string(let encoded)? = secret["data", "keys"] else { return XCTFail("no keys in the Secret") }
        XCTAssertEqual(String(decoding: Data(base64Encoded: encoded)!, as: UTF8.self), "primary\nsecondary\n")
    }

    func testWithoutKeysThereIsNoSecretAndWithKServeAnInferenceServiceInstead() {
        let open = manifests(keys: nil)
        XCTAssertEqual(open.files.map(\.name), ["deployment.yaml", "service.yaml", "hpa.yaml", "pdb.yaml"])
        XCTAssertFalse(open.deployment.text.contains("/run/rappi"))
        let kserve = manifests(serving: .kserve)
        XCTAssertEqual(kserve.files.map(\.name), ["secret.yaml", "inferenceservice.yaml", "pdb.yaml"])
        let service = kserve.inferenceService
        XCTAssertEqual(map(service["metadata", "annotations"])["serving.kserve.io/deploymentMode"], "RawDeployment")
        XCTAssertEqual(service["spec", "predictor", "minReplicas"], .int(2))
        XCTAssertEqual(service["spec", "predictor", "automountServiceAccountToken"], .bool(false))
        XCTAssertEqual(map(kserve.disruptionBudget["spec", "selector", "matchLabels"])["serving.kserve.io/inferenceservice"],
                       kserve.resourceName)
    }

    func testTheRehearsalCopyPublishesTheLoopbackPortAndReadsKeysFromTheHost() {
        let rehearsal = manifests().deployment(rehearsal: .init(name: "rappi-ws-titanic", hostPort: 41234,
                                                                keysDirectory: "/tmp/keys", environment: [("X", "1")]))
        let text = rehearsal.text
        XCTAssertEqual(rehearsal["spec", "replicas"], .int(1))
        XCTAssertTrue(text.contains("hostPort: 41234"), text)
        XCTAssertTrue(text.contains("hostIP: \"127.0.0.1\""), text)
        XCTAssertTrue(text.contains("path: \"/tmp/keys\""), text)
        XCTAssertFalse(text.contains("Probe"), "podman cannot run httpGet probes in a FROM-scratch image")
        XCTAssertFalse(text.contains("secretName"))
        XCTAssertTrue(text.contains("readOnlyRootFilesystem: true"), "the rehearsal keeps the pod's hardening")
    }

    func testResourceNamesAreDNSLabelsThatKeepDistinctNamesDistinct() {
        XCTAssertEqual(KubernetesManifests.resourceName("titanic-rf"), "titanic-rf")
        XCTAssertTrue(KubernetesManifests.resourceName("titanic_rf").hasPrefix("titanic-rf-"))
        XCTAssertNotEqual(KubernetesManifests.resourceName("Titanic_RF"), KubernetesManifests.resourceName("titanic_rf"))
        let long = KubernetesManifests.resourceName(String(repeating: "a", count: 80))
        XCTAssertLessThanOrEqual(long.count, 50)
        XCTAssertEqual(KubernetesManifests.labelValue("_odd name!"), "odd-name")
    }

    func testYAMLQuotesEveryStringSoNoValueChangesType() {
        let node = YAMLNode.map([("on", .string("yes")), ("mode", .string("0440")), ("list", .list([.map([("a", .int(1)), ("b", .bool(false))])])),
                                 ("empty", .map([])), ("text", .string("a: \"b\"\n"))])
        XCTAssertEqual(node.text, """
            "on": "yes"
            mode: "0440"
            list:
              - a: 1
                b: false
            empty: {}
            text: "a: \\"b\\"\\n"

            """)
    }
}
