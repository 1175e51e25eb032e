"""Shared set-up for the Kubernetes tests: one private workspace with the Titanic random forest
registered. rappi runs with KUBECONFIG pointing at nothing, so no cluster answers even on a
machine that has one: these tests check what is written and rehearsed, never a real cluster."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RAPPI_BINARY", os.path.join(ROOT, ".build", "debug", "rappi"))
DATA = os.path.join(ROOT, "scripts", "data", "titanic")
ENVIRONMENT = dict(os.environ, KUBECONFIG=os.path.join(tempfile.gettempdir(), "rappi-no-cluster", "config"))


class Workspace:
    def __init__(self, path):
        self.path = path

    def run(self, script, check=True):
        """`rappi -c SCRIPT --json`: (every statement's values merged, the text printed)."""
        done = subprocess.run([BINARY, "-c", script, "--json", "--workspace", self.path], capture_output=True, text=True,
                              timeout=600, env=ENVIRONMENT)
        if check:
            assert done.returncode == 0, done.stderr + done.stdout
        values, text = {}, [done.stderr]
        for line in done.stdout.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                text.append(line)
                continue
            if isinstance(record, dict):
                values.update(record.get("values") or {})
                text.append(record.get("output") or "")
                text.append((record.get("error") or {}).get("message", ""))
        return values, "\n".join(text)

    def endpoint_folder(self, name):
        return os.path.join(self.path, "endpoints", name)


@pytest.fixture(scope="session")
def workspace():
    folder = tempfile.mkdtemp(prefix="rappi-k8s-")
    ws = Workspace(os.path.join(folder, "ws"))
    try:
        ws.run(f"upload dataset titanic from {DATA}/ds_full target=Survived; load dataset titanic; train rf trees=30; register")
        yield ws
    finally:
        listed = subprocess.run([BINARY, "-c", "endpoints", "--json", "--workspace", ws.path], capture_output=True, text=True,
                                env=ENVIRONMENT)
        for name in ("k8s-rf", "k8s-kserve", "k8s-rehearsal"):
            if name in listed.stdout:
                subprocess.run([BINARY, "-c", f"undeploy {name}", "--workspace", ws.path], capture_output=True, env=ENVIRONMENT,
                               timeout=300)
        shutil.rmtree(folder, ignore_errors=True)
