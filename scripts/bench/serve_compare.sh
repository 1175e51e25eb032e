#!/usr/bin/env bash
# Two rappi builds' model servers side by side in one run (did a change slow serving?): each
# build trains and deploys the same Titanic forest, then both are driven in alternating rounds on
# POST /score and POST /v2/models/titanic_rf/infer by the same client (NEW's bench-load).
# Prints one line per round and build: throughput, latencies, and the server's CPU time per
# request (steadier than throughput when other work shares the cores).
#
# Usage: scripts/bench/serve_compare.sh BASE_BINARY NEW_BINARY [ROUNDS=3] [REQUESTS=20000]
# (build the older commit in a worktree: git worktree add /tmp/base COMMIT; swift build -c release)
set -euo pipefail
BASE=$1; NEW=$2; ROUNDS=${3:-3}; N=${4:-20000}
TMP=$(mktemp -d)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
declare -A WS URL PID KEY
for who in base new; do
  bin=$BASE; [ $who = new ] && bin=$NEW
  ws=$(mktemp -d); WS[$who]=$ws
  $bin --workspace $ws -c "upload dataset titanic from $ROOT/scripts/data/titanic/ds_full target=Survived; load dataset titanic; train rf trees=200 seed=1; register; deploy titanic_rf local" >/dev/null
  read -r url pid < <(python3 -c "import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(\"SELECT url, pid FROM endpoints\").fetchone(); print(r[0], r[1])" $ws/workspace.sqlite)
  URL[$who]=$url; PID[$who]=$pid; KEY[$who]=$(head -1 $ws/endpoints/titanic_rf/keys/keys)
done
trap 'for who in base new; do b=$BASE; [ $who = new ] && b=$NEW; $b --workspace ${WS[$who]} -c "undeploy titanic_rf" >/dev/null 2>&1 || true; done' EXIT
echo '{"data": [{"PassengerId": 1, "Pclass": 3, "Name": "Braund, Mr. Owen Harris", "Sex": "male", "Age": 22, "SibSp": 1, "Parch": 0, "Ticket": "A/5 21171", "Fare": 7.25, "Cabin": null, "Embarked": "S"}]}' > $TMP/record.json
# The v2 body is serve.sh's own, so the two scripts measure the same request.
sed -n '/^{"inputs"/,/^JSON$/p' $ROOT/scripts/bench/serve.sh | grep -v '^JSON$' > $TMP/infer.json
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for r in $(seq 1 $ROUNDS); do
  for route in /score /v2/models/titanic_rf/infer; do
    body=$TMP/record.json; [ $route = /score ] || body=$TMP/infer.json
    for who in base new; do
      b=$(ticks ${PID[$who]})
      line=$($NEW bench-load --url "${URL[$who]}$route" --body-file $body --header "Authorization: Bearer ${KEY[$who]}" --requests $N --concurrency 8)
      a=$(ticks ${PID[$who]})
      cpu=$(python3 -c "print(f'{($a-$b)*1e6/$(getconf CLK_TCK)/$N:.1f}')")
      echo "round=$r who=$who route=$route $line server_cpu_us=$cpu load=$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
