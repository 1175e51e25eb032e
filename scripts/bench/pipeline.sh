#!/usr/bin/env bash
# Pipeline overheads on this machine (release build): a Titanic preprocess → train rf (200 trees)
# → evaluate → register pipeline run (200 and 2000 trees) end to end with every step executed vs with its steps reused,
# and the REST trigger's answer time (POST /api/pipelines/NAME/runs → 202) through `rappi serve`.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/setup.sh
# RAPPI=path/to/rappi measures that binary instead of building the release one.
if [ -z "${RAPPI:-}" ]; then
  swift build -c release --product rappi >/dev/null
  RAPPI=$PWD/.build/release/rappi
fi
WS=$(mktemp -d)/ws
trap 'kill -TERM ${SERVER:-0} 2>/dev/null || true; rm -rf "$(dirname "$WS")"' EXIT
R() { "$RAPPI" --workspace "$WS" "$@"; }
R -c 'upload dataset titanic from scripts/data/titanic/ds_full target=Survived
pipeline bench(trees=200) { load dataset titanic; preprocess recipe=titanic; train rf trees=$trees; evaluate; register as bench_rf }' >/dev/null
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); awk "BEGIN { printf \"%.3f\\n\", $end - $start }"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "run pipeline, whole command from process start (5 runs each, median, seconds):"
for trees in 200 2000; do
  executed=$(for _ in 1 2 3 4 5; do seconds R -c "run pipeline bench trees=$trees reuse=false"; done | median)
  reused=$(for _ in 1 2 3 4 5; do seconds R -c "run pipeline bench trees=$trees"; done | median)
  echo "  trees=$trees: all 5 steps executed ${executed}   4 of 5 reused ${reused}"
done
PORT=$((20000 + RANDOM % 20000))
"$RAPPI" serve --workspace "$WS" --port "$PORT" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
R -c 'publish pipeline bench' >/dev/null
echo "REST trigger (invoke over libcurl, 20 triggers): 202 answer time, median:"
for _ in $(seq 20); do R -c 'invoke pipeline bench' | sed -n 's/.*202 Accepted in \([0-9.]*\) ms.*/\1/p'; done | median | sed 's/$/ ms/;s/^/  /'
echo "queued → succeeded through the server, all steps reused (invoke wait=true, 5 runs, median):"
for _ in 1 2 3 4 5; do seconds R -c 'invoke pipeline bench wait=true'; done | median | sed 's/$/ s/;s/^/  /'

# Ray: the same pipeline run as a Ray job (through `rappi serve`, worker over HTTP) vs on the
# local target through the same server, and Ray's own floor — a trivial job (`true`) submitted and
# polled to SUCCEEDED — so rappi's share of the overhead is visible. Needs ray in the test venv
# (`.venv/bin/ray`, from Tests/requirements.txt); skipped without it.
RAY=${RAY:-$PWD/.venv/bin/ray}
if [ -x "$RAY" ]; then
  RAYTMP=$(mktemp -d /tmp/rbXXXX)
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  DASH=$(free_port)
  RAY_USAGE_STATS_ENABLED=0 setsid "$RAY" start --head --block --disable-usage-stats --node-ip-address=127.0.0.1 \
    --port="$(free_port)" --dashboard-host=127.0.0.1 --dashboard-port="$DASH" --ray-client-server-port="$(free_port)" \
    --num-cpus=2 --temp-dir="$RAYTMP" --dashboard-agent-listen-port="$(free_port)" --metrics-export-port="$(free_port)" \
    >"$RAYTMP/head.log" 2>&1 &
  RAYHEAD=$!
  trap 'kill -TERM -"$RAYHEAD" 2>/dev/null; sleep 3; kill -KILL -"$RAYHEAD" 2>/dev/null; rm -rf "$RAYTMP"; kill -TERM ${SERVER:-0} 2>/dev/null || true; rm -rf "$(dirname "$WS")"' EXIT
  for _ in $(seq 240); do curl -sf "http://127.0.0.1:$DASH/api/version" >/dev/null && break; sleep 0.5; done
  R -c "compute create ray1 kind=ray address=http://127.0.0.1:$DASH cores=2 max-jobs=1; compute create here cores=2 max-jobs=1" >/dev/null
  echo "Ray ($("$RAY" --version | head -1)), load $(uptime | sed 's/.*load average: //'): run pipeline through rappi serve, 5 runs each, median, seconds:"
  for trees in 200; do
    here=$(for _ in 1 2 3 4 5; do seconds R -c "run pipeline bench on here trees=$trees reuse=false"; done | median)
    onray=$(for _ in 1 2 3 4 5; do seconds R -c "run pipeline bench on ray1 trees=$trees reuse=false"; done | median)
    echo "  trees=$trees: local target ${here}   Ray target ${onray}"
  done
  floor=$(for _ in 1 2 3 4 5; do
    start=$(date +%s.%N)
    id=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"entrypoint": "true"}' "http://127.0.0.1:$DASH/api/jobs/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["submission_id"])')
    until curl -sf "http://127.0.0.1:$DASH/api/jobs/$id" | grep -q '"status": *"SUCCEEDED"'; do sleep 0.05; done
    end=$(date +%s.%N); awk "BEGIN { printf \"%.3f\\n\", $end - $start }"
  done | median)
  echo "  Ray's own floor: a trivial job submitted and polled to SUCCEEDED ${floor}"
fi
