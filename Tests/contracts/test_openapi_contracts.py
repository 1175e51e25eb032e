"""Contract tests: schemathesis generates requests from each OpenAPI document rappi serves —
valid ones, boundary values and deliberately invalid ones — sends them to the real server and
checks every answer against the same document (`--checks all`: no 5xx, documented status codes,
content types, headers and bodies, valid data accepted, invalid data rejected, authentication
enforced). The seed is fixed and the examples per operation bounded, so a run is repeatable and
takes about a minute."""
import os
import re
import subprocess
import sys

import pytest

SCHEMATHESIS = os.path.join(os.path.dirname(sys.executable), "schemathesis")
SEED = "14"
EXAMPLES = os.environ.get("RAPPI_CONTRACT_EXAMPLES", "25")


def schemathesis(base_url, token, scratch):
    # Every check runs (schemathesis' default; `--checks all` on the command line would override the
    # per-operation exception in schemathesis.toml).
    command = [SCHEMATHESIS, "--config-file", os.path.join(os.path.dirname(__file__), "schemathesis.toml"),
               "run", base_url + "/openapi.json", "--seed", SEED,
               "--max-examples", EXAMPLES, "--generation-database", "none", "--no-color",
               # One worker: hypothesis parses lambda sources with `ast`, which CPython 3.11 does not
               # do safely from two threads at once ("AST constructor recursion depth mismatch").
               "--workers", "1", "--request-timeout", "10"]
    command += os.environ.get("RAPPI_CONTRACT_ARGS", "").split()  # e.g. --include-path /score while investigating
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    # Run from the scratch folder: schemathesis keeps state in .schemathesis/ under its working directory.
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=scratch)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("document", ["keyed", "open", "router", "workspace"])
def test_every_served_openapi_document_agrees_with_its_server(servers, document):
    base_url, token = servers[document]
    status, output = schemathesis(base_url, token, servers["home"])
    assert status == 0, f"schemathesis found disagreements between {base_url}/openapi.json and the server:\n{output[-12000:]}"
    # Not a vacuous pass: the document's operations were exercised.
    generated = re.search(r"(\d+) generated", output)
    assert generated and int(generated.group(1)) >= 100, output[-3000:]
