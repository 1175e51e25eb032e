#!/usr/bin/env bash
# Soak (issue 14): a model endpoint held at its measured capacity for SECONDS (default 60) with 1%
# hostile requests mixed in. Passes when no answer is a 5xx other than 503 (overload) and the
# server's RSS, sampled every second, stays flat (last ≤ first + 10%, after a warm-up); reports p99.
# Not run in CI.
#
# Usage: scripts/bench/soak.sh [SECONDS]        RAPPI_BIN=… to use a built binary
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SOAK_SECONDS="${1:-60}"
[ -n "${RAPPI_BIN:-}" ] || { swift build -c release --product rappi >/dev/null; RAPPI_BIN=.build/release/rappi; }

WS="$(mktemp -d)"
SAMPLER_PID=""
cleanup() {
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
    "$RAPPI_BIN" --workspace "$WS" -c "undeploy titanic_rf" >/dev/null 2>&1 || true
    rm -rf "$WS"
}
trap cleanup EXIT

echo "== load: $(uptime)"
DEPLOYED=$("$RAPPI_BIN" --workspace "$WS" -c "upload dataset titanic from $ROOT/scripts/data/titanic/ds_full target=Survived; load dataset titanic; train rf trees=200; register; deploy titanic_rf local")
URL=$(echo "$DEPLOYED" | sed -n 's/^ *url *\(http[^ ]*\)\/score$/\1/p')
KEY=$(echo "$DEPLOYED" | sed -n 's/^ *key *\([^ ]*\)$/\1/p')
PORT=${URL##*:}
PID=$(pgrep -f "serve-model .*--port $PORT" | head -1)
RECORD='{"data": [{"PassengerId": 1, "Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Cabin": null, "Embarked": "S"}]}'
echo "$RECORD" > "$WS/record.json"
load() { "$RAPPI_BIN" bench-load --url "$URL/score" --body-file "$WS/record.json" --header "Authorization: Bearer $KEY" --concurrency 8 --requests "$1"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo "== capacity: 20,000 requests, 8 connections"
load 2000 >/dev/null  # warm-up
CAPACITY_LINE=$(load 20000)
echo "$CAPACITY_LINE"
CAPACITY=$(field "$CAPACITY_LINE" throughput)
REQUESTS=$(python3 -c "print(int($CAPACITY * $SOAK_SECONDS))")
HOSTILE_RATE=$(python3 -c "print(max(1.0, $CAPACITY * 0.01))")

echo "== soak: $REQUESTS requests (~${SOAK_SECONDS} s at capacity) + ${HOSTILE_RATE} hostile requests/s; RSS of pid $PID every second"
( while kill -0 "$PID" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$PID/status"; sleep 1; done ) > "$WS/rss.txt" &
SAMPLER_PID=$!
python3 scripts/bench/soak_hostile.py 127.0.0.1 "$PORT" "$KEY" "$HOSTILE_RATE" "$SOAK_SECONDS" > "$WS/hostile.json" &
HOSTILE_PID=$!
SOAK_LINE=$(load "$REQUESTS")
wait "$HOSTILE_PID"
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
echo "$SOAK_LINE"
echo "hostile: $(cat "$WS/hostile.json")"

python3 - "$SOAK_LINE" "$WS/hostile.json" "$WS/rss.txt" "$CAPACITY" <<'PYEOF'
import json, sys
soak = dict(kv.split("=", 1) for kv in sys.argv[1].split())
hostile = json.load(open(sys.argv[2]))
rss = [int(line) / 1024 for line in open(sys.argv[3]) if line.strip()]
statuses = {}
for part in filter(None, soak["statuses"].split(",")):
    code, count = part.split(":")
    statuses[code] = statuses.get(code, 0) + int(count)
for code, count in hostile["by_status"].items():
    statuses[code] = statuses.get(code, 0) + count
bad = {code: n for code, n in statuses.items() if code.isdigit() and int(code) >= 500 and code != "503"}
steady = rss[5:] or rss
growth = (steady[-1] - steady[0]) / steady[0] * 100 if steady else 0.0
print(f"capacity {float(sys.argv[4]):.0f} req/s; soak {float(soak['throughput']):.0f} req/s for {float(soak['seconds']):.1f} s, "
      f"p50 {float(soak['p50_ms']):.2f} ms, p99 {float(soak['p99_ms']):.2f} ms, p99.9 {float(soak['p999_ms']):.2f} ms")
print(f"answers: {dict(sorted(statuses.items()))}; hostile requests sent: {hostile['sent']}")
print(f"RSS MB: first {rss[0]:.1f}, after warm-up {steady[0]:.1f}, max {max(rss):.1f}, last {rss[-1]:.1f} "
      f"({len(rss)} samples; growth after warm-up {growth:+.1f}%)")
ok = not bad and growth <= 10
print("PASS" if ok else f"FAIL: 5xx other than 503: {bad}; RSS growth {growth:+.1f}%")
sys.exit(0 if ok else 1)
PYEOF
