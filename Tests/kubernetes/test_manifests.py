"""`deploy … kubernetes` with no cluster: the manifests it writes pass `kubernetes-validate
--strict` for Kubernetes 1.28 and the newest version the validator knows, select what they
should, and the endpoint is listed as not applied until `undeploy` removes it."""
import glob
import os
import subprocess
import sys

import pytest
import yaml
from kubernetes_validate.utils import latest_version

VERSIONS = ["1.28.0", latest_version()]


def validate(path, version):
    done = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "-k", version, path],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"{os.path.basename(path)} for Kubernetes {version}:\n{done.stdout}{done.stderr}"


def documents(folder):
    return {os.path.basename(p): yaml.safe_load(open(p)) for p in sorted(glob.glob(os.path.join(folder, "*.yaml")))}


@pytest.fixture(scope="module")
def deployed(workspace):
    values, text = workspace.run("deploy titanic_rf kubernetes as k8s-rf replicas=3 namespace=ml min=2 max=6 cpu=250m memory=128Mi")
    return values, text, os.path.join(workspace.endpoint_folder("k8s-rf"), "kubernetes")


def test_without_a_cluster_the_manifests_are_written_and_the_apply_commands_printed(deployed, workspace):
    values, text, folder = deployed
    assert values["url"] == "not applied"
    assert "not applied: kubectl has no current context" in text, text
    assert f"kubectl apply -f {folder}" in text
    assert "kubectl rollout status -n ml deployment/" in text
    assert sorted(documents(folder)) == ["deployment.yaml", "hpa.yaml", "pdb.yaml", "secret.yaml", "service.yaml"]
    _, listed = workspace.run("endpoints")
    assert "not applied" in listed and "k8s-rf is down: not applied" in listed, listed


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_passes_strict_validation(deployed, version):
    _, _, folder = deployed
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        validate(path, version)


def test_selectors_match_the_pod_labels_and_the_autoscaler_and_budget_target_the_deployment(deployed):
    _, _, folder = deployed
    docs = documents(folder)
    deployment, service, hpa, pdb, secret = (docs[n] for n in ["deployment.yaml", "service.yaml", "hpa.yaml", "pdb.yaml", "secret.yaml"])
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    for selector in [deployment["spec"]["selector"]["matchLabels"], service["spec"]["selector"], pdb["spec"]["selector"]["matchLabels"]]:
        assert selector and all(pod_labels.get(k) == v for k, v in selector.items()), selector
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment["metadata"]["name"]}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"], deployment["spec"]["replicas"]) == (2, 6, 3)
    assert {d["metadata"]["namespace"] for d in docs.values()} == {"ml"}
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"]["requests"] == container["resources"]["limits"] == {"cpu": "250m", "memory": "128Mi"}
    # The Secret is what the pod mounts, at the file the image's server re-reads.
    keys_volume = next(v for v in pod["volumes"] if v["name"] == "keys")
    assert keys_volume["secret"]["secretName"] == secret["metadata"]["name"]
    assert {"name": "keys", "mountPath": "/run/rappi", "readOnly": True} in container["volumeMounts"]
    # The Service reaches the container's port.
    assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]


def test_the_image_runs_as_a_numeric_non_root_user(deployed, workspace):
    values, text, _ = deployed
    image = next(line.split("image ")[1].rstrip(")") for line in text.splitlines() if "(kubernetes, image " in line)
    inspect = subprocess.run(["podman", "--runtime", "runc", "--storage-driver", "vfs", "image", "inspect", "--format",
                              "{{.Config.User}} {{.Size}}", image], capture_output=True, text=True)
    assert inspect.returncode == 0, inspect.stderr
    user, size = inspect.stdout.split()
    assert user == "65534:65534"
    print(f"endpoint image {image}: {int(size) / 1e6:.1f} MB")


def test_kserve_writes_an_inference_service_whose_pod_passes_validation(workspace):
    values, text = workspace.run("deploy titanic_rf kubernetes as k8s-kserve serving=kserve auth=none")
    folder = os.path.join(workspace.endpoint_folder("k8s-kserve"), "kubernetes")
    docs = documents(folder)
    assert sorted(docs) == ["inferenceservice.yaml", "pdb.yaml"]
    service = docs["inferenceservice.yaml"]
    assert service["apiVersion"] == "serving.kserve.io/v1beta1" and service["kind"] == "InferenceService"
    assert service["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "RawDeployment"
    assert "kubectl wait --for=condition=Ready" in text
    # kubernetes-validate has no KServe schema: the predictor's pod fields are checked as a Pod.
    predictor = {k: v for k, v in service["spec"]["predictor"].items() if k not in ("minReplicas", "maxReplicas", "scaleMetric", "scaleTarget")}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "predictor", "namespace": "default"}, "spec": predictor}
    path = os.path.join(folder, "..", "predictor-pod.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(pod, f)
    for version in VERSIONS:
        validate(path, version)
        validate(os.path.join(folder, "pdb.yaml"), version)
    assert docs["pdb.yaml"]["spec"]["selector"]["matchLabels"] == {"serving.kserve.io/inferenceservice": service["metadata"]["name"]}


def test_bad_kubernetes_options_are_errors_naming_the_option(workspace):
    for script, option in [("deploy titanic_rf kubernetes as bad cpu=lots", "cpu"),
                           ("deploy titanic_rf kubernetes as bad memory=1g", "memory"),
                           ("deploy titanic_rf kubernetes as bad namespace=My_NS", "namespace"),
                           ("deploy titanic_rf kubernetes as bad replicas=2 min=3", "min"),
                           ("deploy titanic_rf kubernetes as bad replicas=4 max=3", "max"),
                           ("deploy titanic_rf local as bad replicas=2", "replicas")]:
        _, text = workspace.run(script, check=False)
        assert f"'{option}'" in text, (script, text)
    _, listed = workspace.run("endpoints")
    assert "bad" not in listed.split()


def test_undeploy_removes_an_endpoint_that_was_never_applied(workspace, deployed):
    _, text = workspace.run("undeploy k8s-rf")
    assert "its manifests were never applied" in text
    assert not os.path.exists(workspace.endpoint_folder("k8s-rf"))
