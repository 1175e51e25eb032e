"""Pipelines on a real Ray cluster (see conftest.py): runs submitted as Ray jobs through the
Jobs REST API by `rappi serve`, whose workers reach the workspace only over HTTP."""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import BINARY, ROOT, free_port, get_json

DATA = os.path.join(ROOT, "scripts", "data", "titanic")
PIPELINE = """
pipeline titanic_train(version=0, trees=30) {
    load dataset titanic $version
    preprocess recipe=titanic
    train rf trees=$trees
    evaluate
    register as titanic_pipeline
}
"""


def rappi(workspace, script, check=True, timeout=300):
    result = subprocess.run([BINARY, "--workspace", workspace, "-c", script], capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, "RAPPI_THREADS": "1"})
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def new_workspace(root, name):
    workspace = os.path.join(root, name)
    rappi(workspace, f"upload dataset titanic from {DATA}/ds_full target=Survived\n{PIPELINE}")
    return workspace


def model_hashes(workspace):
    with sqlite3.connect(os.path.join(workspace, "workspace.sqlite")) as db:
        return [row[0] for row in db.execute("SELECT content_hash FROM model_versions ORDER BY id")]


def wait_job(cluster, submission, statuses=("SUCCEEDED", "FAILED", "STOPPED"), timeout=60):
    """The job's status once it is one of `statuses` (a run can end a moment before its job)."""
    deadline = time.time() + timeout
    while True:
        status = get_json(f"{cluster.dashboard}/api/jobs/{submission}")["status"]
        if status in statuses or time.time() > deadline:
            return status
        time.sleep(0.2)


def jobs_of(cluster, workspace, run):
    """The Ray jobs rappi submitted for one run of one workspace (its metadata says which)."""
    return [job for job in cluster.jobs() if (job.get("metadata") or {}).get("rappi_workspace") == workspace
            and job["metadata"].get("rappi_run") == str(run)]


def pipeline_run_ids(workspace):
    with sqlite3.connect(os.path.join(workspace, "workspace.sqlite")) as db:
        return [row[0] for row in db.execute("SELECT run_id FROM pipeline_runs ORDER BY run_id")]


def run_row(workspace, run_id):
    with sqlite3.connect(os.path.join(workspace, "workspace.sqlite")) as db:
        return db.execute("SELECT status, error FROM runs WHERE id = ?", (run_id,)).fetchone()


class Server:
    """`rappi serve` for one workspace on a free port, stopped (SIGTERM, by pid) at the end."""

    def __init__(self, workspace):
        self.port = free_port()
        self.log = open(os.path.join(os.path.dirname(workspace), f"serve-{self.port}.log"), "w")
        self.process = subprocess.Popen([BINARY, "serve", "--workspace", workspace, "--port", str(self.port),
                                         "--worker-heartbeat-timeout", "20"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                get_json(f"http://127.0.0.1:{self.port}/health/live")
                return
            except OSError:
                assert self.process.poll() is None and time.time() < deadline, self.output()
                time.sleep(0.1)

    def output(self):
        return open(self.log.name).read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.log.close()


@pytest.fixture
def root(ray_cluster):
    path = tempfile.mkdtemp(dir=ray_cluster.workspaces)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_run_on_ray_is_a_ray_job_and_registers_the_same_model_bytes_as_a_local_run(ray_cluster, root):
    local = new_workspace(root, "local")
    rappi(local, "run pipeline titanic_train")
    remote = new_workspace(root, "remote")
    rappi(remote, f"compute create ray1 kind=ray address={ray_cluster.dashboard} cores=1")
    server = Server(remote)
    try:
        ran = rappi(remote, "run pipeline titanic_train on ray1")
        assert "— succeeded" in ran.stdout, ran.stdout + server.output()
        assert model_hashes(remote) == model_hashes(local) and len(model_hashes(local)) == 1
        [run] = pipeline_run_ids(remote)
        jobs = jobs_of(ray_cluster, remote, run)
        assert len(jobs) == 1, jobs
        assert wait_job(ray_cluster, jobs[0]["submission_id"]) == "SUCCEEDED"
        assert jobs[0]["entrypoint"].count("pipeline-worker --server") == 1 and "rpw_" not in jobs[0]["entrypoint"]
        shown = rappi(remote, f"run show {run} logs=true").stdout
        assert f"Ray job {jobs[0]['submission_id']} on {ray_cluster.dashboard}" in shown, shown
        listed = rappi(remote, "compute list").stdout
        assert f"Ray cluster {ray_cluster.dashboard} (ray1):" in listed and "hidden:1" in listed, listed
        # Again: every step but `load dataset` is reused through the server.
        again = rappi(remote, "run pipeline titanic_train on ray1")
        assert "4 of 5 steps reused from earlier runs" in again.stdout, again.stdout
    finally:
        server.stop()


def test_a_node_that_cannot_see_the_workspace_folder_runs_a_pipeline_through_http_alone(ray_cluster, root):
    remote = new_workspace(root, "remote")
    # The proof that the node cannot read the workspace: a plain Ray job there lists the folder.
    job = json.dumps({"entrypoint": f"ls -A {ray_cluster.workspaces} | wc -l; test -e {remote}/workspace.sqlite && echo VISIBLE || echo HIDDEN",
                      "entrypoint_resources": {"hidden": 1}}).encode()
    request = urllib.request.Request(f"{ray_cluster.dashboard}/api/jobs/", data=job, headers={"Content-Type": "application/json"})
    submission = json.loads(urllib.request.urlopen(request, timeout=10).read())["submission_id"]
    assert wait_job(ray_cluster, submission) == "SUCCEEDED"
    listing = get_json(f"{ray_cluster.dashboard}/api/jobs/{submission}/logs")["logs"]
    lines = listing.splitlines()
    assert "HIDDEN" in lines and "0" in lines and "VISIBLE" not in lines, listing

    rappi(remote, f"compute create far kind=ray address={ray_cluster.dashboard} cores=1 resources=hidden:1")
    server = Server(remote)
    try:
        ran = rappi(remote, "run pipeline titanic_train on far")
        assert "— succeeded" in ran.stdout, ran.stdout + ran.stderr + server.output()
        assert len(model_hashes(remote)) == 1
    finally:
        server.stop()


def test_cancel_stops_the_ray_job(ray_cluster, root):
    remote = new_workspace(root, "remote")
    rappi(remote, f"""
        compute create ray1 kind=ray address={ray_cluster.dashboard} cores=1
        pipeline slow(version=0) {{
            load dataset titanic $version
            train rf trees=1000
            cv folds=5
        }}
        """)
    server = Server(remote)
    try:
        follower = subprocess.Popen([BINARY, "--workspace", remote, "-c", "run pipeline slow on ray1"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 120
        job = None
        while job is None or job["status"] != "RUNNING":
            assert time.time() < deadline, server.output()
            time.sleep(0.3)
            runs = pipeline_run_ids(remote)
            job = next(iter(jobs_of(ray_cluster, remote, runs[0])), None) if runs else None
        [run] = runs
        cancelled = rappi(remote, f"run cancel {run}")
        assert "cancel" in cancelled.stdout, cancelled.stdout
        output, _ = follower.communicate(timeout=120)
        assert "cancelled by `run cancel`" in output, output
        assert run_row(remote, run) == ("cancelled", "cancelled by `run cancel`")
        assert wait_job(ray_cluster, job["submission_id"]) == "STOPPED"
    finally:
        server.stop()


def test_a_failing_step_and_a_failing_job_fail_the_run_with_the_reason(ray_cluster, root):
    remote = new_workspace(root, "remote")
    rappi(remote, f"""
        compute create ray1 kind=ray address={ray_cluster.dashboard} cores=1
        compute create broken kind=ray address={ray_cluster.dashboard} cores=1 rappi-path=/nonexistent/rappi
        pipeline strict(version=0) {{
            load dataset titanic $version
            train rf trees=10
            evaluate
            assert accuracy > 2
        }}
        """)
    server = Server(remote)
    try:
        failed = rappi(remote, "run pipeline strict on ray1", check=False)
        assert failed.returncode != 0
        status, error = run_row(remote, pipeline_run_ids(remote)[0])
        assert status == "failed" and error.startswith("step 4 (assert) failed:"), error
        broken = rappi(remote, "run pipeline strict on broken", check=False)
        assert broken.returncode != 0
        run = pipeline_run_ids(remote)[1]
        status, error = run_row(remote, run)
        assert status == "failed", error
        assert "the Ray job rappi-" in error and f"-run{run}-attempt1-" in error and "failed (exit code 127)" in error and "/nonexistent/rappi" in error, error
    finally:
        server.stop()


def test_a_target_asking_for_more_cores_than_any_node_has_fails_after_its_queue_timeout(ray_cluster, root):
    remote = new_workspace(root, "remote")
    rappi(remote, f"compute create huge kind=ray address={ray_cluster.dashboard} cores=64 queue-timeout=3")
    server = Server(remote)
    try:
        started = time.time()
        failed = rappi(remote, "run pipeline titanic_train on huge", check=False)
        assert failed.returncode != 0
        [run] = pipeline_run_ids(remote)
        status, error = run_row(remote, run)
        assert status == "failed"
        assert error.startswith("no node has 64 cores free — the Ray job waited longer than queue-timeout=3 s"), error
        assert "CPU free" in error and "hidden:1" in error, error
        assert time.time() - started < 60
        # Stopped before it started: Ray may keep listing it PENDING (nothing ran); never RUNNING.
        [job] = jobs_of(ray_cluster, remote, run)
        assert job["status"] in ("STOPPED", "FAILED", "PENDING"), job
    finally:
        server.stop()
