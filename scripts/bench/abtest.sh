#!/usr/bin/env bash
# A/B router overhead (issue 6): the same single-record POST /score load against a Titanic rf
# endpoint directly, and against an A/B router whose two variants are that endpoint (A/A, so the
# models' work is identical and the difference is routing: unit hashing, assignment, the request
# ids in the answer, the buffered SQLite writes). Target: router throughput >= 0.80 of direct.
#
# Usage: scripts/bench/abtest.sh [REQUESTS] [CONCURRENCY] [ROUNDS]   (defaults 20000, 8 and 3)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REQUESTS="${1:-20000}"
CONCURRENCY="${2:-8}"
ROUNDS="${3:-3}"
[ -n "${RAPPI_BIN:-}" ] || { swift build -c release --product rappi --scratch-path "$ROOT/.build" >/dev/null; RAPPI_BIN="$ROOT/.build/release/rappi"; }

WS="$(mktemp -d)"
cleanup() {
    "$RAPPI_BIN" --workspace "$WS" -c "abtest stop bench" >/dev/null 2>&1 || true
    "$RAPPI_BIN" --workspace "$WS" -c "undeploy titanic_rf" >/dev/null 2>&1 || true
    rm -rf "$WS"
}
trap cleanup EXIT

echo '{"data": [{"PassengerId": 1, "Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Cabin": null, "Embarked": "S"}]}' > "$WS/record.json"

echo "== titanic rf (200 trees) deployed locally; experiment 'bench' = titanic_rf vs titanic_rf, 50/50 by PassengerId"
"$RAPPI_BIN" --workspace "$WS" -c "upload dataset titanic from $ROOT/scripts/data/titanic/ds_full target=Survived; load dataset titanic; train rf trees=200; register" >/dev/null
url_of() { python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["values"]["url"])'; }
DIRECT_URL=$("$RAPPI_BIN" --workspace "$WS" --json -c "deploy titanic_rf local auth=none" | url_of)
ROUTER_URL=$("$RAPPI_BIN" --workspace "$WS" --json -c "abtest start bench titanic_rf vs titanic_rf unit=PassengerId auth=none" | url_of)

pid_of() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$WS/workspace.sqlite" "$1"; }
DIRECT_PID=$(pid_of "SELECT pid FROM endpoints WHERE name = 'titanic_rf'")
ROUTER_PID=$(pid_of "SELECT pid FROM experiments WHERE name = 'bench'")
# CPU time (utime + stime, clock ticks) a server process has used: the per-request CPU cost is a
# steadier overhead measure than throughput when other work shares the cores.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() { "$RAPPI_BIN" bench-load --url "$1/score" --body-file "$WS/record.json" --requests "$2" --concurrency "$CONCURRENCY"; }
measure() {   # URL PID → the load line plus server_cpu_us_per_request
    local before after line
    before=$(ticks "$2"); line=$(load "$1" "$REQUESTS"); after=$(ticks "$2")
    echo "$line server_cpu_us=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / REQUESTS ))"
}
load "$DIRECT_URL" 1000 >/dev/null   # warm-up
load "$ROUTER_URL" 1000 >/dev/null

# Alternate the two targets so drift on the machine hits both alike.
LINES=()
for round in $(seq "$ROUNDS"); do
    D=$(measure "$DIRECT_URL" "$DIRECT_PID"); echo "direct  round $round: $D"; LINES+=("direct $D")
    R=$(measure "$ROUTER_URL" "$ROUTER_PID"); echo "router  round $round: $R"; LINES+=("router $R")
done
"$RAPPI_BIN" --workspace "$WS" -c "abtest stop bench"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both sides alike, not the ratio's meaning)"

echo
python3 - "${LINES[@]}" <<'PYEOF'
import sys
runs = {"direct": [], "router": []}
for line in sys.argv[1:]:
    kind, rest = line.split(" ", 1)
    runs[kind].append({k: float(v) for k, v in (kv.split("=") for kv in rest.split())})
def mean(kind, key): return sum(r[key] for r in runs[kind]) / len(runs[kind])
for kind in ("direct", "router"):
    best = max(r['throughput'] for r in runs[kind])
    print(f"{kind:7s} {mean(kind, 'throughput'):8.0f} req/s mean ({best:.0f} best)  p50 {mean(kind, 'p50_ms'):.3f} ms  p99 {mean(kind, 'p99_ms'):.3f} ms  "
          f"server CPU {mean(kind, 'server_cpu_us'):.0f} us/request  errors {sum(r['errors'] for r in runs[kind]):.0f}")
ratio = mean("router", "throughput") / mean("direct", "throughput")
best = max(r['throughput'] for r in runs["router"]) / max(r['throughput'] for r in runs["direct"])
cpu = mean("direct", "server_cpu_us") / mean("router", "server_cpu_us")
print(f"router/direct throughput ratio {ratio:.3f} of means, {best:.3f} of bests (target >= 0.80): {'ok' if ratio >= 0.80 else 'BELOW TARGET'}")
print(f"direct/router server CPU per request {cpu:.3f} (the throughput ratio the router would reach were the server's CPU the only cost)")
PYEOF
