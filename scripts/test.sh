#!/usr/bin/env bash
# Every test on a fresh machine: unit and end-to-end tests (swift test, which builds the
# rappi binary the end-to-end tests drive), a short fuzzing run of every parser, then the Python
# test folders: the REPL through a pseudo-terminal and the outside judges (Jupyter's kernel suite,
# schemathesis, tritonclient, onnxruntime, kubernetes-validate, a real Ray cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
# podman + runc: the `aci` deployment target is tested for real (see ARCHITECTURE.md §8);
# chromium: the HTML export is opened in a real browser (Tests/kernel/test_export.py);
# openssl + curl: TLSTests makes a certificate authority and checks the HTTPS servers with curl.
ensure_packages "${RAPPI_SYSTEM_PACKAGES[@]}" python3-venv podman runc chromium openssl curl

swift build --build-tests
swift test --skip-build --disable-swift-testing

# Every parser of outside input under libFuzzer and AddressSanitizer, 20 s each (scripts/fuzz.sh
# runs longer; Fuzz/README.md says what each harness checks). Its own build in .build-fuzz/.
# A fixed seed: the same inputs on every CI run, so a failure is the change's, not luck's (longer
# runs from scripts/fuzz.sh draw a new seed each time).
RAPPI_FUZZ_SEED="${RAPPI_FUZZ_SEED:-1}" scripts/fuzz.sh "${RAPPI_FUZZ_SECONDS:-20}"

# The Python test folders under Tests/ (REPL tests through a pty with pexpect, the kernel tests
# with the Jupyter project's conformance suite and nbclient, and the other outside judges) run in a
# private venv holding Tests/requirements.txt; it is refreshed whenever that file changes.
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! cmp -s Tests/requirements.txt .venv/requirements.installed; then
  .venv/bin/pip install -q -r Tests/requirements.txt
  cp Tests/requirements.txt .venv/requirements.installed
fi
# Each folder runs in its own pytest process: folders keep their own conftest.py and fixtures.
export RAPPI_BINARY="$(swift build --show-bin-path)/rappi"
failed=()
for folder in Tests/*/; do
  compgen -G "${folder}test_*.py" >/dev/null || continue
  echo "== pytest ${folder}"
  .venv/bin/python -m pytest -q "$folder" || failed+=("$folder")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed Python test folders: ${failed[*]}" >&2
  exit 1
fi
