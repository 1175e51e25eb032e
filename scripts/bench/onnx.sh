#!/usr/bin/env bash
# ONNX import benchmark (issue 16): a scikit-learn random forest of 200 trees (Titanic, behind a
# ColumnTransformer of imputers and one-hot encoding), converted by skl2onnx, then
#   1. served: imported by `register from FILE.onnx` and served by `deploy local` vs the same ONNX
#      file in onnxruntime behind FastAPI + uvicorn (fastapi_service.py with ONNX_MODEL), single-record
#      POST /score, 8 keep-alive connections, the same libcurl load generator (`rappi bench-load`)
#      for both, the same run;
#   2. batch: 20,000 Titanic rows (the 891 repeated) — rappi's `predict from ROWS.csv` (the whole
#      statement: CSV read, coercion, the imported preprocessing graph, the forest) vs onnxruntime
#      in-process (pandas.read_csv + feeds, and session.run alone), best of REPEATS.
#
# Usage: scripts/bench/onnx.sh [REQUESTS] [REPEATS]   (defaults 20000 and 5; the peer gets 1/10 of REQUESTS)
# Env:   RAPPI_BIN=/path/to/rappi   use this binary instead of building .build/release/rappi
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REQUESTS="${1:-20000}"
REPEATS="${2:-5}"
PEER_REQUESTS=$(( REQUESTS / 10 ))
source scripts/bench/setup.sh
bench_python "sklearn pandas fastapi uvicorn onnxruntime skl2onnx" "scikit-learn pandas fastapi uvicorn onnxruntime skl2onnx onnx"
bench_rappi

WS="$(mktemp -d)"
PEER_PID=""
cleanup() {
    "$RAPPI_BIN" --workspace "$WS/ws" -c "undeploy sk_rf" >/dev/null 2>&1 || true
    [ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null || true
    rm -rf "$WS"
}
trap cleanup EXIT
TITANIC="$ROOT/scripts/data/titanic/ds_full/titanic.csv"
echo "load: $(uptime)"

echo "== converting a 200-tree scikit-learn forest with skl2onnx ..."
"$PY" scripts/bench/onnx_model.py convert "$TITANIC" "$WS/rf200.onnx"
"$RAPPI_BIN" --workspace "$WS/ws" -c "register from $WS/rf200.onnx as sk_rf target=Survived"

RECORD='{"data": [{"PassengerId": 1, "Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Cabin": null, "Embarked": "S"}]}'
echo "$RECORD" > "$WS/record.json"

echo
echo "== rappi: imported forest, deploy local ($REQUESTS requests, 8 connections, the peer's load generator)"
DEPLOYED=$("$RAPPI_BIN" --workspace "$WS/ws" --json -c "deploy sk_rf local")
URL=$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['values']['url'])" "$DEPLOYED")
KEY=$(head -1 "$WS/ws/endpoints/sk_rf/keys/keys")   # the primary key (0600, this user's)
"$RAPPI_BIN" bench-load --url "$URL" --header "Authorization: Bearer $KEY" --body-file "$WS/record.json" --requests 200 --concurrency 8 >/dev/null  # warm-up
RAPPI_LINE=$("$RAPPI_BIN" bench-load --url "$URL" --header "Authorization: Bearer $KEY" --body-file "$WS/record.json" --requests "$REQUESTS" --concurrency 8)

echo "== FastAPI + uvicorn + onnxruntime: the same ONNX file, record and client ($PEER_REQUESTS requests, 8 connections)"
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
( cd scripts/bench && ONNX_MODEL="$WS/rf200.onnx" TITANIC_CSV="$TITANIC" exec "$ROOT/$PY" -m uvicorn fastapi_service:app --host 127.0.0.1 --port "$PORT" --log-level warning ) &
PEER_PID=$!
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$PORT/docs" && break; sleep 0.5; done
"$RAPPI_BIN" bench-load --url "http://127.0.0.1:$PORT/score" --body-file "$WS/record.json" --requests 50 --concurrency 8 >/dev/null  # warm-up
PEER_LINE=$("$RAPPI_BIN" bench-load --url "http://127.0.0.1:$PORT/score" --body-file "$WS/record.json" --requests "$PEER_REQUESTS" --concurrency 8)

echo
echo "== batch: 20,000 rows, best of $REPEATS"
python3 - "$TITANIC" "$WS/rows.csv" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
header, rows = lines[0], lines[1:]
with open(sys.argv[2], "w") as f:
    f.write(header + "\n")
    for i in range(20000):
        f.write(rows[i % len(rows)] + "\n")
PYEOF
BEST_CELL=""
for _ in $(seq "$REPEATS"); do
    LINE="$("$RAPPI_BIN" --workspace "$WS/ws" -c "load model sk_rf; predict from $WS/rows.csv" --json | tail -1)"
    CELL="$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['duration_ms'] / 1000)" "$LINE")"
    BEST_CELL="$(python3 -c "print(min(x for x in [$CELL, ${BEST_CELL:-$CELL}]))")"
done
ORT_LINE=$("$PY" scripts/bench/onnx_model.py batch "$WS/rf200.onnx" "$WS/rows.csv" "$REPEATS")

echo
python3 - "$RAPPI_LINE" "$PEER_LINE" "$BEST_CELL" "$ORT_LINE" <<'PYEOF'
import json, sys
rappi = {k: float(v) for k, v in (kv.split("=") for kv in sys.argv[1].split())}
peer = dict(kv.split("=") for kv in sys.argv[2].split())
cell = float(sys.argv[3])
ort = dict(kv.split("=") for kv in sys.argv[4].split())
read, run = float(ort["read_s"]), float(ort["run_s"])
print(f"serving  rappi    {rappi['throughput']:9.0f} req/s  p50 {rappi['p50_ms']:.2f} ms  p99 {rappi['p99_ms']:.2f} ms")
print(f"serving  fastapi+onnxruntime {float(peer['throughput']):9.0f} req/s  p50 {float(peer['p50_ms']):.2f} ms  p99 {float(peer['p99_ms']):.2f} ms")
print(f"serving throughput ratio rappi / fastapi+onnxruntime: {rappi['throughput'] / float(peer['throughput']):.1f}x")
print(f"batch    rappi predict statement {cell:.4f} s; onnxruntime read_csv+feeds {read:.4f} s + run {run:.4f} s = {read + run:.4f} s")
print(f"batch ratio (onnxruntime read+run) / rappi: {(read + run) / cell:.2f}x; onnxruntime run alone / rappi: {run / cell:.2f}x")
PYEOF
