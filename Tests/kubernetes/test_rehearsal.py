"""The rehearsal: `deploy … kubernetes rehearse=true` runs the generated Deployment's pod for real
with `podman kube play` (same image, user, read-only root, dropped capabilities, volumes; keys
from a host folder instead of the Secret), and the endpoint then answers from the host like any
other: health routes, a prediction, `test endpoint`, a key rotation; `undeploy` takes it down."""
import json
import os
import subprocess
import urllib.error
import urllib.request

import pytest

PODMAN = ["podman", "--runtime", "runc", "--storage-driver", "vfs"]


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.load(response)


def score(url, key):
    record = {"Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0,
              "Ticket": "A/5 21171", "Fare": 7.25, "Cabin": None, "Embarked": "S"}
    request = urllib.request.Request(url + "/score", data=json.dumps({"data": [record]}).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture(scope="module")
def rehearsal(workspace):
    values, text = workspace.run("deploy titanic_rf kubernetes as k8s-rehearsal rehearse=true")
    yield values, text
    workspace.run("undeploy k8s-rehearsal", check=False)


def pod_name(workspace):
    """This workspace's rehearsal pod, if podman runs it (another run's rehearsal may be up too)."""
    import sqlite3
    row = sqlite3.connect(os.path.join(workspace.path, "workspace.sqlite")).execute(
        "SELECT container FROM endpoints WHERE name = 'k8s-rehearsal'").fetchone()
    assert row and row[0].startswith("podman-kube:"), row
    deployment = row[0][len("podman-kube:"):]  # podman names the Deployment's pod DEPLOYMENT-pod-0
    names = subprocess.run(PODMAN + ["pod", "ps", "--format", "{{.Name}}"], capture_output=True, text=True).stdout.split()
    return next((n for n in names if n.startswith(deployment + "-pod")), None)


def test_the_rehearsed_pod_answers_health_predictions_and_test_endpoint(rehearsal, workspace):
    values, text = rehearsal
    url = values["url"]
    assert url.startswith("http://127.0.0.1:"), text
    assert "podman kube play" in text
    assert get(url + "/health/live")[0] == 200
    status, ready = get(url + "/health/ready")
    assert status == 200 and ready["model"] == "titanic_rf"
    assert get(url + "/v2/health/ready") == (200, {"ready": True})
    key = open(os.path.join(workspace.endpoint_folder("k8s-rehearsal"), "keys", "keys")).readline().strip()
    status, answer = score(url, key)
    assert status == 200 and answer["predictions"] in ([0], [1]), answer
    assert score(url, "wrong")[0] == 401
    tested, output = workspace.run("test endpoint k8s-rehearsal")
    assert tested["tests_failed"] == 0 and tested["tests_passed"] > 0, output
    _, listed = workspace.run("endpoints")
    assert "k8s-rehearsal" in listed and "live" in listed, listed


def test_the_pod_runs_as_the_non_root_user_on_a_read_only_root(rehearsal):
    containers = subprocess.run(PODMAN + ["ps", "--format", "{{.Names}}"], capture_output=True, text=True).stdout.split()
    server = next(c for c in containers if "k8s-rehearsal" in c and not c.endswith("-infra"))
    inspect = subprocess.run(PODMAN + ["inspect", "--format", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}",
                                       server], capture_output=True, text=True)
    assert inspect.returncode == 0, inspect.stderr
    user, readonly = inspect.stdout.split()[:2]
    assert user.split(":")[0] == "65534" and readonly == "true", inspect.stdout


def test_rotating_the_key_updates_the_secret_and_the_running_pod(rehearsal, workspace):
    url = rehearsal[0]["url"]
    folder = workspace.endpoint_folder("k8s-rehearsal")
    old = open(os.path.join(folder, "keys", "keys")).readline().strip()
    _, text = workspace.run("endpoint rotate-key k8s-rehearsal")
    assert "accepted by the server" in text, text
    new = open(os.path.join(folder, "keys", "keys")).readline().strip()
    assert new != old
    assert score(url, new)[0] == 200 and score(url, old)[0] == 200  # the old primary is the secondary now
    secret = open(os.path.join(folder, "kubernetes", "secret.yaml")).read()
    import base64
    import yaml
    assert base64.b64decode(yaml.safe_load(secret)["data"]["keys"]).decode().splitlines() == [new, old]


def test_undeploy_takes_the_rehearsal_pod_down(rehearsal, workspace):
    pod = pod_name(workspace)
    assert pod is not None
    _, text = workspace.run("undeploy k8s-rehearsal")
    assert "podman kube down" in text, text
    names = subprocess.run(PODMAN + ["pod", "ps", "--format", "{{.Name}}"], capture_output=True, text=True).stdout.split()
    assert pod not in names, names
    assert not os.path.exists(workspace.endpoint_folder("k8s-rehearsal"))
