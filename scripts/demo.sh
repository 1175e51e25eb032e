#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build rappi (release),
# and run scripts/titanic.rappi, scripts/abtest.rappi, scripts/regression.rappi and scripts/pipeline.sh on the default
# workspace (workspaces/default).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
ensure_packages "${RAPPI_SYSTEM_PACKAGES[@]}"
# Models are deployed as container instances when an engine can be had (podman, installed here
# as root); otherwise as local processes.
TARGET=local
if [ "$(id -u)" = 0 ]; then ensure_packages podman runc; fi
command -v podman >/dev/null 2>&1 && TARGET=aci
swift build -c release --product rappi
.build/release/rappi run scripts/titanic.rappi -D target="$TARGET" "$@"
# The A/B experiment between the two deployed models: router, simulated traffic, report, promote.
.build/release/rappi run scripts/abtest.rappi -D target="$TARGET"
# Regression on the diabetes data: gbm, a regression forest and ridge; one deployed and tested.
.build/release/rappi run scripts/regression.rappi -D target="$TARGET"
# The pipeline half of the original flow: compute, a published pipeline triggered over REST.
scripts/pipeline.sh
