#!/usr/bin/env bash
# Every test on a fresh machine: unit and end-to-end tests (swift test, which builds the
# rappi binary the end-to-end tests drive), then the REPL tests through a pseudo-terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
# podman + runc: the `aci` deployment target is tested for real (see ARCHITECTURE.md §8);
# chromium: the HTML export is opened in a real browser (Tests/kernel/test_export.py).
ensure_packages "${RAPPI_SYSTEM_PACKAGES[@]}" python3-venv podman runc chromium

swift build --build-tests
swift test --skip-build --disable-swift-testing

# The REPL tests drive the real binary in a pty with pexpect; the kernel tests run the Jupyter
# project's conformance suite (jupyter_kernel_test) and nbclient against it. All in a private venv
# when the system Python lacks them.
PYTHON=python3
if ! python3 -c "import pexpect, pytest, jupyter_kernel_test, nbformat, nbclient" 2>/dev/null; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q pexpect pytest jupyter_kernel_test nbformat nbclient
  PYTHON=.venv/bin/python
fi
RAPPI_BINARY="$(swift build --show-bin-path)/rappi" "$PYTHON" -m pytest -q Tests/repl Tests/kernel
