#!/usr/bin/env bash
# Prediction benchmark: `predict from FILE.csv into OUT.csv` (the whole statement) vs
# scikit-learn's read_csv + predict_proba + to_csv of the same 20,000 rows, in the same run.
#
# Usage: scripts/bench/predict.sh [REPEATS]      (default 5; times are best of REPEATS)
# Env:   RAPPI_BIN=/path/to/rappi                use this binary instead of building .build/release/rappi
#
# 1. set-up shared with train.sh (scripts/bench/setup.sh): scikit-learn, a release build, and the
#    100,000 x 20 synthetic training set with its 20,000-row test set;
# 2. rappi, in a temporary workspace: upload the training set, `split test=0.01`, `train rf
#    trees=100`, register; then, REPEATS times, `rappi -c "load model synth_rf; predict from
#    bench-data/synth_test.csv into OUT.csv" --json` and the predict cell's own duration (reading
#    the CSV, coercion and preprocessing, the forest, writing the file); the whole process too;
# 3. scikit-learn: RandomForestClassifier(100, n_jobs=2) fitted once on the 100,000 rows, then
#    read_csv + predict_proba + to_csv with the records, prediction and probabilities;
# 4. the ratio (target: rappi at least 5x faster), and the same for CPU time (all threads), which
#    other work on the machine disturbs much less than wall time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REPEATS="${1:-5}"
source scripts/bench/setup.sh
bench_python
bench_rappi
bench_synth_data

WS="$(mktemp -d)"
trap 'rm -rf "$WS"' EXIT
OUT_R="$WS/rappi_predictions.csv"
OUT_S="$WS/sklearn_predictions.csv"

echo "== training the 100-tree forest on bench-data/synth_train.csv (rappi) ..."
"$RAPPI_BIN" --workspace "$WS/ws" -c "upload dataset synth from bench-data/synth_train.csv target=label; load dataset synth; split test=0.01 seed=42; train rf trees=100; register as synth_rf" | grep -E "trained|registered"

BEST_CELL=""; BEST_PROCESS=""
for _ in $(seq "$REPEATS"); do
    START=$(date +%s.%N)
    LINE="$("$RAPPI_BIN" --workspace "$WS/ws" -c "load model synth_rf; predict from bench-data/synth_test.csv into $OUT_R" --json | tail -1)"
    END=$(date +%s.%N)
    CELL="$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['duration_ms'] / 1000)" "$LINE")"
    PROCESS="$(python3 -c "print($END - $START)")"
    BEST_CELL="$(python3 -c "print(min(x for x in [$CELL, ${BEST_CELL:-$CELL}]))")"
    BEST_PROCESS="$(python3 -c "print(min(x for x in [$PROCESS, ${BEST_PROCESS:-$PROCESS}]))")"
done
echo "$(echo "$LINE" | python3 -c "import json, sys; print(json.load(sys.stdin)['output'])")"

# CPU time (user + system, all threads) of the statement: a process that loads the model and
# predicts, minus one that only loads it (best of REPEATS each) — steadier than wall time when
# other work shares the cores.
cpu_of() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys
best = None
for _ in range(int(sys.argv[1])):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = cpu if best is None else min(best, cpu)
print(best)
PY
}
CPU_LOAD="$(cpu_of "$REPEATS" "$RAPPI_BIN" --workspace "$WS/ws" -c "load model synth_rf")"
CPU_BOTH="$(cpu_of "$REPEATS" "$RAPPI_BIN" --workspace "$WS/ws" -c "load model synth_rf; predict from bench-data/synth_test.csv into $OUT_R")"
R_CPU="$(python3 -c "print(max($CPU_BOTH - $CPU_LOAD, 1e-6))")"

echo "== scikit-learn: fitting RandomForestClassifier(100, n_jobs=2), then timing the file job ..."
SK="$("$PY" scripts/bench/train_sklearn.py predict-file bench-data/synth_train.csv bench-data/synth_test.csv "$OUT_S" "$REPEATS" | tail -1)"
S_FILE=$(value "$SK" predict_file_seconds)
S_CPU=$(value "$SK" predict_file_cpu_seconds)

echo
echo "== predict 20,000 rows from a CSV into a CSV, 100 trees (best of $REPEATS)"
printf "scikit-learn read_csv + predict_proba + to_csv   %8.4f s\n" "$S_FILE"
printf "rappi predict from … into … (the statement)      %8.4f s   ratio %s (target >= 5x)\n" "$BEST_CELL" "$(ratio "$S_FILE" "$BEST_CELL")"
printf "rappi, whole process (start, load model, predict) %8.4f s   ratio %s\n" "$BEST_PROCESS" "$(ratio "$S_FILE" "$BEST_PROCESS")"
printf "CPU time (all threads): scikit-learn %.4f s, rappi statement %.4f s   ratio %s\n" "$S_CPU" "$R_CPU" "$(ratio "$S_CPU" "$R_CPU")"
echo "files: rappi $(wc -c < "$OUT_R") bytes, scikit-learn $(wc -c < "$OUT_S") bytes"
