#!/usr/bin/env bash
# Pipeline overheads on this machine (release build): a Titanic preprocess → train rf (200 trees)
# → evaluate → register pipeline run (200 and 2000 trees) end to end with every step executed vs with its steps reused,
# and the REST trigger's answer time (POST /api/pipelines/NAME/runs → 202) through `rappi serve`.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/setup.sh
swift build -c release --product rappi >/dev/null
RAPPI=$PWD/.build/release/rappi
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
