"""One real Ray cluster for the whole folder: a head node on 127.0.0.1 (dashboard on a free port,
usage stats off) and a second node started in its own mount namespace with a tmpfs over the
folder that holds the tests' workspaces — that node can reach a workspace only over HTTP. It
advertises the custom resource `hidden`, so a compute target with `resources=hidden:1` lands
there. Started once per test run (~15 s, ~1.5 GB) and stopped at the end whatever happens: both
`ray start --block` processes lead their own process groups, which are killed by id.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RAPPI_BINARY", os.path.join(ROOT, ".build", "debug", "rappi"))
RAY = os.path.join(os.path.dirname(sys.executable), "ray")
if not os.path.exists(RAY):
    RAY = shutil.which("ray") or "ray"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def node_ports():
    """Every port a Ray node opens, picked free, so two nodes (and other users) never collide."""
    return [f"--node-manager-port={free_port()}", f"--object-manager-port={free_port()}",
            f"--metrics-export-port={free_port()}", f"--dashboard-agent-listen-port={free_port()}",
            f"--dashboard-agent-grpc-port={free_port()}", f"--runtime-env-agent-port={free_port()}",
            f"--min-worker-port={free_port()}", "--max-worker-port=0"]


class Cluster:
    def __init__(self, dashboard, workspaces):
        self.dashboard = dashboard
        self.workspaces = workspaces

    def jobs(self):
        return get_json(f"{self.dashboard}/api/jobs/")

    def nodes(self):
        return get_json(f"{self.dashboard}/nodes?view=summary")["data"]["summary"]


def stop(*processes):
    """SIGTERM to each process group at once, then SIGKILL to what is left after 15 s."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.time() + 15
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            pass
    for process in running:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


@pytest.fixture(scope="session")
def ray_cluster():
    temp = tempfile.mkdtemp(prefix="rr", dir="/tmp")  # short: Ray's unix sockets live under it
    workspaces = tempfile.mkdtemp(prefix="rappi-ray-ws-")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    gcs, dashboard_port = free_port(), free_port()
    dashboard = f"http://127.0.0.1:{dashboard_port}"
    head_log = open(os.path.join(temp, "head.log"), "w")
    hidden_log = open(os.path.join(temp, "hidden.log"), "w")
    head = hidden = None
    try:
        head = subprocess.Popen(
            [RAY, "start", "--head", "--block", "--disable-usage-stats", "--node-ip-address=127.0.0.1",
             f"--port={gcs}", "--dashboard-host=127.0.0.1", f"--dashboard-port={dashboard_port}",
             f"--ray-client-server-port={free_port()}", "--num-cpus=2", f"--temp-dir={temp}"] + node_ports(),
            env=env, stdout=head_log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 120
        while True:
            try:
                get_json(f"{dashboard}/api/version")
                break
            except OSError:
                if head.poll() is not None or time.time() > deadline:
                    raise RuntimeError("ray head did not start: " + open(head_log.name).read()[-3000:])
                time.sleep(0.5)
        hide = (f"mount -t tmpfs tmpfs {workspaces} && exec {RAY} start --block --disable-usage-stats "
                f"--address=127.0.0.1:{gcs} --node-ip-address=127.0.0.1 --num-cpus=1 "
                f"--resources='{{\"hidden\": 1}}' " + " ".join(node_ports()))
        hidden = subprocess.Popen(["unshare", "--mount", "sh", "-c", hide], env=env, stdout=hidden_log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        cluster = Cluster(dashboard, workspaces)
        while sum(1 for n in cluster.nodes() if n.get("raylet", {}).get("state") == "ALIVE") < 2:
            if hidden.poll() is not None or time.time() > deadline:
                raise RuntimeError("the hidden ray node did not join: " + open(hidden_log.name).read()[-3000:])
            time.sleep(0.5)
        yield cluster
    finally:
        stop(hidden, head)
        head_log.close()
        hidden_log.close()
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(workspaces, ignore_errors=True)
