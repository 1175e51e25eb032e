#!/usr/bin/env bash
# The original 00–03 pipeline scripts: starts the workspace server (`rappi serve`) on a free
# port, runs scripts/pipeline.rappi against it (compute, dataset versions, pipeline, run,
# publish, invoke over REST), then stops the server with SIGTERM (it drains running work).
# Usage: scripts/pipeline.sh [--workspace DIR]   (port: $RAPPI_PORT, else 8321 or a free one)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
RAPPI=.build/release/rappi
swift build -c release --product rappi
WORKSPACE_ARGS=("$@")
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${RAPPI_PORT:-8321}
while listening "$PORT"; do PORT=$((20000 + RANDOM % 20000)); done
"$RAPPI" serve --port "$PORT" "${WORKSPACE_ARGS[@]}" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  listening "$PORT" && break
  sleep 0.1
done
"$RAPPI" run scripts/pipeline.rappi "${WORKSPACE_ARGS[@]}"
