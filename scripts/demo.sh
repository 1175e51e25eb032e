#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build rappi (release),
# and run scripts/titanic.rappi on the default workspace (workspaces/default).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
ensure_packages "${RAPPI_SYSTEM_PACKAGES[@]}"
swift build -c release --product rappi
.build/release/rappi run scripts/titanic.rappi "$@"
