#!/usr/bin/env bash
# Serving benchmark (issue 4): rappi's model server vs FastAPI + uvicorn + scikit-learn, both
# measured with the same libcurl load generator in the same run.
#
# Usage: scripts/bench/serve.sh [REQUESTS]   (default 20000 for rappi; the peer gets 1/20 of that)
# Titanic rf of 200 trees, single-record POST /score, 8 concurrent keep-alive connections.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REQUESTS="${1:-20000}"
PEER_REQUESTS=$(( REQUESTS / 20 ))

if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "import fastapi, uvicorn, sklearn, pandas" 2>/dev/null; then
    echo "installing fastapi, uvicorn, scikit-learn and pandas into .venv-bench ..."
    [ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet fastapi uvicorn scikit-learn pandas
fi
[ -n "${RAPPI_BIN:-}" ] || { swift build -c release --product rappi >/dev/null; RAPPI_BIN=.build/release/rappi; }

WS="$(mktemp -d)"
PEER_PID=""
cleanup() {
    "$RAPPI_BIN" --workspace "$WS" -c "undeploy titanic_rf" >/dev/null 2>&1 || true
    [ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null || true
    rm -rf "$WS"
}
trap cleanup EXIT

RECORD='{"data": [{"PassengerId": 1, "Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Cabin": null, "Embarked": "S"}]}'
echo "$RECORD" > "$WS/record.json"

echo "== rappi: titanic rf 200 trees, deploy local, profile endpoint ($REQUESTS requests, 8 connections)"
"$RAPPI_BIN" --workspace "$WS" -c "upload dataset titanic from $ROOT/scripts/data/titanic/ds_full target=Survived; load dataset titanic; train rf trees=200; register" >/dev/null
URL=$("$RAPPI_BIN" --workspace "$WS" --json -c "deploy titanic_rf local" | python3 -c "
import json, sys
for line in sys.stdin:
    values = json.loads(line).get('values') or {}
    if 'url' in values: print(values['url'])")
"$RAPPI_BIN" --workspace "$WS" -c "profile endpoint titanic_rf requests=$REQUESTS concurrency=8" | sed -n '2,$p'
RAPPI_LINE=$("$RAPPI_BIN" --workspace "$WS" --json -c "profile endpoint titanic_rf requests=$REQUESTS concurrency=8")

echo
echo "== the same server, the same record: POST /score vs POST /v2/models/titanic_rf/infer (Open Inference Protocol), alternating, 3 rounds"
KEY=$(head -1 "$WS/endpoints/titanic_rf/keys/keys")
cat > "$WS/infer.json" <<'JSON'
{"inputs": [
 {"name": "Pclass", "datatype": "INT64", "shape": [1, 1], "data": [3]},
 {"name": "Name", "datatype": "BYTES", "shape": [1, 1], "data": ["Braund, Mr. Owen Harris"]},
 {"name": "Sex", "datatype": "BYTES", "shape": [1, 1], "data": ["male"]},
 {"name": "Age", "datatype": "FP64", "shape": [1, 1], "data": [22]},
 {"name": "SibSp", "datatype": "INT64", "shape": [1, 1], "data": [1]},
 {"name": "Parch", "datatype": "INT64", "shape": [1, 1], "data": [0]},
 {"name": "Fare", "datatype": "FP64", "shape": [1, 1], "data": [7.25]},
 {"name": "Cabin", "datatype": "BYTES", "shape": [1, 1], "data": [null]},
 {"name": "Embarked", "datatype": "BYTES", "shape": [1, 1], "data": ["S"]}]}
JSON
SERVER_PID=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT pid FROM endpoints WHERE name = 'titanic_rf'\").fetchone()[0])" "$WS/workspace.sqlite")
# The server's CPU time (utime + stime, clock ticks) around a round, per request: steadier than
# throughput when other work shares the cores, since the load generator's share drops out.
ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
measure() {   # PATH BODY-FILE → the load line plus server_cpu_us (per request)
    local before after line
    before=$(ticks)
    line=$("$RAPPI_BIN" bench-load --url "$URL$1" --body-file "$2" --header "Authorization: Bearer $KEY" --requests "$REQUESTS" --concurrency 8)
    after=$(ticks)
    echo "$line server_cpu_us=$(python3 -c "import sys; print(f'{($after - $before) * 1e6 / $(getconf CLK_TCK) / $REQUESTS:.1f}')")"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
V2_LINES=()
for round in 1 2 3; do
    SCORE_LINE=$(measure /score "$WS/record.json")
    INFER_LINE=$(measure /v2/models/titanic_rf/infer "$WS/infer.json")
    echo "round $round  /score: $SCORE_LINE"
    echo "round $round  /infer: $INFER_LINE"
    V2_LINES+=("$SCORE_LINE" "$INFER_LINE")
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "${V2_LINES[@]}" <<'PYEOF'
import sys
rows = [dict(kv.split("=") for kv in line.split()) for line in sys.argv[1:]]
score = [float(r["throughput"]) for r in rows[0::2]]
infer = [float(r["throughput"]) for r in rows[1::2]]
score_cpu = sum(float(r["server_cpu_us"]) for r in rows[0::2]) / 3
infer_cpu = sum(float(r["server_cpu_us"]) for r in rows[1::2]) / 3
errors = sum(int(r.get("errors", "0")) for r in rows)
print(f"/score mean {sum(score)/3:8.0f} req/s   /v2/.../infer mean {sum(infer)/3:8.0f} req/s   ratio {sum(infer)/sum(score):.2f} (goal >= 0.90)   errors {errors}")
print(f"server CPU per request: /score {score_cpu:.1f} us   /infer {infer_cpu:.1f} us   ratio {score_cpu/infer_cpu:.2f} (the throughput ratio were the server's CPU the only cost)")
PYEOF

echo
echo "== FastAPI + uvicorn + scikit-learn: same model family, same record, same client ($PEER_REQUESTS requests, 8 connections)"
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
( cd scripts/bench && TITANIC_CSV="$ROOT/scripts/data/titanic/ds_full/titanic.csv" exec "$ROOT/.venv-bench/bin/python" -m uvicorn fastapi_service:app --host 127.0.0.1 --port "$PORT" --log-level warning ) &
PEER_PID=$!
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$PORT/docs" && break; sleep 0.5; done
"$RAPPI_BIN" bench-load --url "http://127.0.0.1:$PORT/score" --body-file "$WS/record.json" --requests 50 --concurrency 8 >/dev/null  # warm-up
PEER_LINE=$("$RAPPI_BIN" bench-load --url "http://127.0.0.1:$PORT/score" --body-file "$WS/record.json" --requests "$PEER_REQUESTS" --concurrency 8)
PEER_RSS=$(ps -o rss= -p "$(pgrep -f "uvicorn fastapi_service" | head -1)" | tr -d ' ')
echo "$PEER_LINE"
echo "peer resident memory: $((PEER_RSS / 1024)) MB"

echo
python3 - "$RAPPI_LINE" "$PEER_LINE" <<'PYEOF'
import json, sys
rappi = json.loads(sys.argv[1])["values"]
peer = dict(kv.split("=") for kv in sys.argv[2].split())
print(f"rappi    {rappi['throughput']:9.0f} req/s  p50 {rappi['p50_ms']:.2f} ms  p99 {rappi['p99_ms']:.2f} ms  RSS {rappi.get('server_peak_mb', float('nan')):.1f} MB")
print(f"fastapi  {float(peer['throughput']):9.0f} req/s  p50 {float(peer['p50_ms']):.2f} ms  p99 {float(peer['p99_ms']):.2f} ms")
print(f"throughput ratio {rappi['throughput'] / float(peer['throughput']):.0f}x (target >= 100x); rappi p99 target <= 5 ms, >= 10,000 req/s, RSS < 60 MB")
PYEOF
