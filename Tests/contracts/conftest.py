"""The servers whose OpenAPI documents the contract tests check, started once per test run from
the built binary (RAPPI_BINARY) in a private workspace: a Titanic random forest deployed twice
(with API keys and with auth=none), an A/B router between it and a linear SVC, and the workspace
server (`rappi serve`) with one published pipeline. Everything is stopped at the end."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RAPPI_BINARY", os.path.join(ROOT, ".build", "debug", "rappi"))
DATA = os.path.join(ROOT, "scripts", "data", "titanic", "ds_full")


class Rappi:
    """The binary on one workspace; `run` returns the --json objects of a statement line."""

    def __init__(self, workspace):
        self.workspace = workspace

    def run(self, line):
        result = subprocess.run([BINARY, "--workspace", self.workspace, "-c", line, "--json"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"`{line}` failed:\n{result.stdout}\n{result.stderr}"
        return [json.loads(text) for text in result.stdout.splitlines() if text.startswith("{")]

    def values(self, line):
        return self.run(line)[-1]["values"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base(url):
    """The server's root from the URL a deployment prints (`…/score`)."""
    return url.removesuffix("/score").rstrip("/")


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def servers():
    home = tempfile.mkdtemp(prefix="rappi-contracts-")
    rappi = Rappi(os.path.join(home, "ws"))
    serve = None
    try:
        rappi.run(f"upload dataset titanic from {DATA} target=Survived; load dataset titanic; "
                  "train rf trees=10; register; train linsvc; register")
        keyed = rappi.values("deploy titanic_rf local as keyed")
        open_ = rappi.values("deploy titanic_rf local as open auth=none")
        keys_file = os.path.join(rappi.workspace, "endpoints", "keyed", "keys", "keys")
        with open(keys_file) as f:
            key = f.readline().strip()
        router = rappi.values("abtest start contract titanic_rf vs titanic_linsvc split=50/50 auth=none")
        rappi.run("pipeline contract_check(version=0) { load dataset titanic $version }")
        token = rappi.values("publish pipeline contract_check")["published_token"]
        port = free_port()
        log = open(os.path.join(home, "serve.log"), "w")
        serve = subprocess.Popen([BINARY, "serve", "--workspace", rappi.workspace, "--port", str(port)],
                                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        workspace_url = f"http://127.0.0.1:{port}"
        wait_for(workspace_url + "/health/ready")
        yield {
            "keyed": (base(keyed["url"]), key),
            "open": (base(open_["url"]), None),
            "router": (base(router["url"]), None),
            "workspace": (workspace_url, token),
            "home": home,
        }
    finally:
        if serve is not None:
            serve.terminate()
            serve.wait(timeout=60)
        for line in ("abtest stop contract", "undeploy keyed", "undeploy open"):
            subprocess.run([BINARY, "--workspace", rappi.workspace, "-c", line], capture_output=True, timeout=120)
        shutil.rmtree(home, ignore_errors=True)
