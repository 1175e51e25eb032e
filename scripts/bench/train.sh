#!/usr/bin/env bash
# Training benchmark: rappi's estimators vs scikit-learn, measured side by side in the same run.
#
# Usage: scripts/bench/train.sh [REPEATS]      (default 3; times are best of REPEATS)
# Env:   RAPPI_BIN=/path/to/rappi               use this binary instead of building .build/release/rappi
#        TITANIC_FEATURES=FILE                  use this titanic feature CSV instead of running
#                                               `rappi bench-features --recipe titanic`
#
# 1. makes sure scikit-learn and pandas are importable (private venv .venv-bench if needed);
# 2. builds rappi (release) and writes bench-data/titanic_features.csv with the titanic recipe;
# 3. generates bench-data/synth_train.csv (100,000 rows) and synth_test.csv (20,000 rows) once:
#    sklearn make_classification(n_samples=120000, n_features=20, n_informative=10,
#    n_redundant=5, random_state=7), label column `label`;
# 4. prints, for each comparison, scikit-learn's figure, rappi's (hidden `rappi bench-train`) and
#    the ratio:
#      (1) titanic features, RF 200 trees, fit: sklearn (random_state=0, default n_jobs) vs rappi
#          (2 threads);                                                     target >= 10x
#      (2) 100k x 20, RF 100 trees: fit sklearn n_jobs=2 vs rappi --threads 2 (target >= 4x),
#          test accuracy (rappi at most 0.5 points below), predict 20,000 rows (target >= 5x);
#      (3) 5-fold stratified CV accuracy on the titanic features: rf (200 trees), linsvc, logreg
#          (linear models standardised with the training fold's mean/std on both sides).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REPEATS="${1:-3}"
mkdir -p bench-data

# shellcheck source=common.sh
source scripts/bench/common.sh

# 1. Python with scikit-learn and pandas.
bench_python "sklearn pandas" "scikit-learn pandas"
SK="$PY scripts/bench/train_sklearn.py"

# 2. rappi and the titanic features.
bench_rappi
TITANIC=bench-data/titanic_features.csv
if [ -n "${TITANIC_FEATURES:-}" ]; then
    cp "$TITANIC_FEATURES" "$TITANIC"
else
    "$RAPPI_BIN" bench-features --recipe titanic scripts/data/titanic/ds_full/titanic.csv "$TITANIC"
fi
echo "titanic features: $TITANIC ($(($(wc -l < "$TITANIC") - 1)) rows, $(head -1 "$TITANIC" | tr ',' '\n' | wc -l) columns incl. Survived)"

# 3. Synthetic data, generated once.
bench_synth_data "$PY"

rappi_train() { "$RAPPI_BIN" bench-train "$@" | tail -1; }

echo
echo "== (1) titanic features: RF 200 trees, fit (best of $REPEATS)"
SK1="$($SK titanic-fit "$TITANIC" "$REPEATS" | tail -1)"
R1="$(rappi_train --train "$TITANIC" --target Survived --algorithm rf --trees 200 --threads 2 --repeats "$REPEATS")"
S_FIT=$(value "$SK1" fit_seconds); R_FIT=$(value "$R1" fit_seconds)
printf "sklearn %.4f s   rappi %.4f s   ratio %s (target >= 10x)\n" "$S_FIT" "$R_FIT" "$(ratio "$S_FIT" "$R_FIT")"

echo
echo "== (2) 100,000 x 20 synthetic: RF 100 trees, 2 threads (best of $REPEATS)"
SK2="$($SK synth bench-data/synth_train.csv bench-data/synth_test.csv "$REPEATS" | tail -1)"
R2="$(rappi_train --train bench-data/synth_train.csv --test bench-data/synth_test.csv --target label --algorithm rf --trees 100 --threads 2 --repeats "$REPEATS")"
S_FIT=$(value "$SK2" fit_seconds); R_FIT=$(value "$R2" fit_seconds)
S_PRED=$(value "$SK2" predict_seconds); R_PRED=$(value "$R2" predict_seconds)
S_ACC=$(value "$SK2" accuracy); R_ACC=$(value "$R2" accuracy)
printf "fit                  sklearn %8.4f s   rappi %8.4f s   ratio %s (target >= 4x)\n" "$S_FIT" "$R_FIT" "$(ratio "$S_FIT" "$R_FIT")"
printf "predict 20,000 rows  sklearn %8.4f s   rappi %8.4f s   ratio %s (target >= 5x)\n" "$S_PRED" "$R_PRED" "$(ratio "$S_PRED" "$R_PRED")"
printf "test accuracy        sklearn %8.4f     rappi %8.4f     (rappi - sklearn = %+.2f points; must be >= -0.5)\n" \
    "$S_ACC" "$R_ACC" "$(python3 -c "print(100 * ($R_ACC - $S_ACC))")"

echo
echo "== (3) titanic features: 5-fold stratified CV accuracy (mean ± std)"
SK3="$($SK cv "$TITANIC" Survived | tr '\n' ' ')"
for ALGO in rf linsvc logreg; do
    R3="$(rappi_train --train "$TITANIC" --target Survived --algorithm "$ALGO" --trees 200 --threads 2 --repeats 1 --cv 5)"
    case $ALGO in rf) TARGET=0.81 ;; *) TARGET=0.82 ;; esac
    printf "%-7s sklearn %.4f ± %.4f   rappi %.4f ± %.4f   (rappi target >= %s)\n" "$ALGO" \
        "$(value "$SK3" "${ALGO}_cv_mean")" "$(value "$SK3" "${ALGO}_cv_std")" \
        "$(value "$R3" cv_mean)" "$(value "$R3" cv_std)" "$TARGET"
done
