"""Shared set-up for the Open Inference Protocol tests: one private workspace with the Titanic
random forest and linear SVC registered, the forest deployed as a local endpoint with an API key
and an A/B router between the two, started once per test run and stopped at the end."""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RAPPI_BINARY", os.path.join(ROOT, ".build", "debug", "rappi"))
DATA = os.path.join(ROOT, "scripts", "data", "titanic")


def rappi(workspace, script):
    """Runs `rappi -c SCRIPT --json` in the workspace; returns the values each statement published."""
    done = subprocess.run([BINARY, "-c", script, "--json", "--workspace", workspace],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    values = {}
    for line in done.stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            values.update(record.get("values") or {})
    return values


class Services:
    def __init__(self, workspace, endpoint_url, key, router_url):
        self.workspace = workspace
        self.endpoint_url = endpoint_url
        self.key = key
        self.router_url = router_url

    def score(self, url, records, key=None):
        """The predictions rappi's own /score route gives for `records`."""
        request = urllib.request.Request(url + "/score", data=json.dumps({"data": records}).encode(),
                                         headers={"Content-Type": "application/json"})
        if key:
            request.add_header("Authorization", "Bearer " + key)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)


@pytest.fixture(scope="session")
def services():
    folder = tempfile.mkdtemp(prefix="rappi-v2-")
    workspace = os.path.join(folder, "ws")
    try:
        rappi(workspace, f"upload dataset titanic from {DATA}/ds_full target=Survived; load dataset titanic; "
                         "train rf trees=30; register; train linsvc; register")
        endpoint = rappi(workspace, "deploy titanic_rf local as v2rf")
        with open(os.path.join(workspace, "endpoints", "v2rf", "keys", "keys")) as keys:
            key = keys.readline().strip()
        router = rappi(workspace, "abtest start v2ab titanic_rf vs titanic_linsvc split=100/0 auth=none")
        yield Services(workspace, endpoint["url"], key, router["url"])
    finally:
        subprocess.run([BINARY, "-c", "abtest stop v2ab", "--workspace", workspace], capture_output=True, timeout=120)
        subprocess.run([BINARY, "-c", "undeploy v2rf", "--workspace", workspace], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def passengers(first, count):
    """Titanic passengers as /score records. The JSON tritonclient writes has no null for numbers
    (it writes NaN, which JSON lacks), so these are passengers whose numbers are all known; a
    missing text value is the empty string, which rappi reads as missing on every route."""
    with open(os.path.join(DATA, "ds_full", "titanic.csv")) as f:
        rows = [row for row in csv.DictReader(f) if row["Age"] != "" and row["Fare"] != ""]
    records = []
    for row in rows[first:first + count]:
        records.append({
            "Pclass": int(row["Pclass"]), "Name": row["Name"], "Sex": row["Sex"], "Age": float(row["Age"]),
            "SibSp": int(row["SibSp"]), "Parch": int(row["Parch"]), "Ticket": row["Ticket"],
            "Fare": float(row["Fare"]), "Cabin": row["Cabin"], "Embarked": row["Embarked"],
        })
    return records
