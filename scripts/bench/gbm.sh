#!/usr/bin/env bash
# Gradient-boosting benchmark: rappi's `gbm` vs LightGBM and XGBoost (`hist`), side by side in
# the same run.
#
# Usage: scripts/bench/gbm.sh [REPEATS]        (default 3; times are best of REPEATS)
# Env:   RAPPI_BIN=/path/to/rappi               use this binary instead of building .build/release/rappi
#
# 1. makes sure scikit-learn, pandas, lightgbm and xgboost are importable (.venv-bench if needed);
# 2. builds rappi (release); generates the 100,000 × 20 synthetic set of train.sh once and the
#    titanic features;
# 3. (1) 100k × 20: 200 rounds, learning rate 0.1, 31 leaves, 2 threads: fit time, prediction
#        of the 20,000 test rows, test accuracy — LightGBM, XGBoost and rappi
#        (targets: fit at least as fast as both, accuracy within 0.3 points of LightGBM,
#        prediction at least as fast as LightGBM);
#    (2) titanic features: 5-fold stratified CV accuracy with defaults (rappi target >= 0.82);
#    (3) 100k × 20 synthetic regression (make_regression): the same settings with squared error —
#        fit time, prediction of the 20,000 test rows and test RMSE, LightGBM and rappi;
#    (4) the set of (1) with three classes (softmax, one tree per class and round): as (1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REPEATS="${1:-3}"
# shellcheck source=setup.sh
source scripts/bench/setup.sh

bench_python "sklearn pandas lightgbm xgboost" "scikit-learn pandas lightgbm xgboost-cpu"
BOOST="$PY scripts/bench/train_boosting.py"
bench_rappi
bench_synth_data
bench_synth_regression_data
bench_synth3_data
TITANIC=bench-data/titanic_features.csv
[ -f "$TITANIC" ] || "$RAPPI_BIN" bench-features --recipe titanic scripts/data/titanic/ds_full/titanic.csv "$TITANIC"

echo "load: $(uptime | sed 's/.*load average/load average/')"
echo
# classification STEM: LightGBM, XGBoost and rappi on bench-data/STEM_train.csv and STEM_test.csv
# (200 rounds, 2 threads); prints the table and the fit ratios and leaves the figures in B and R.
classification() {
    B="$($BOOST synth "bench-data/$1_train.csv" "bench-data/$1_test.csv" "$REPEATS" 200 2 | tail -1)"
    R="$("$RAPPI_BIN" bench-train --train "bench-data/$1_train.csv" --test "bench-data/$1_test.csv" --target label \
          --algorithm gbm --trees 200 --threads 2 --repeats "$REPEATS" | tail -1)"
    printf "%-10s %10s %18s %10s\n" "" "fit s" "predict 20,000 s" "accuracy"
    for NAME in lightgbm xgboost; do
        printf "%-10s %10.4f %18.4f %10.4f\n" "$NAME" "$(value "$B" "${NAME}_fit_seconds")" \
            "$(value "$B" "${NAME}_predict_seconds")" "$(value "$B" "${NAME}_accuracy")"
    done
    printf "%-10s %10.4f %18.4f %10.4f\n" rappi "$(value "$R" fit_seconds)" "$(value "$R" predict_seconds)" "$(value "$R" accuracy)"
    echo "fit: LightGBM / rappi $(ratio "$(value "$B" lightgbm_fit_seconds)" "$(value "$R" fit_seconds)" 2), XGBoost / rappi $(ratio "$(value "$B" xgboost_fit_seconds)" "$(value "$R" fit_seconds)" 2) (targets >= 1.0x)"
}

echo "== (1) 100,000 x 20 synthetic: 200 rounds, learning rate 0.1, 31 leaves, 2 threads (best of $REPEATS)"
classification synth
echo "predict: LightGBM / rappi $(ratio "$(value "$B" lightgbm_predict_seconds)" "$(value "$R" predict_seconds)" 2) (target >= 1.0x)"
printf "accuracy: rappi - LightGBM = %+.2f points (must be >= -0.3)\n" \
    "$(python3 -c "print(100 * ($(value "$R" accuracy) - $(value "$B" lightgbm_accuracy)))")"

echo
echo "== (2) titanic features: 5-fold stratified CV accuracy, defaults (100 rounds)"
B2="$($BOOST cv "$TITANIC" Survived | tail -1)"
R2="$("$RAPPI_BIN" bench-train --train "$TITANIC" --target Survived --algorithm gbm --trees 100 --threads 2 --repeats 1 --cv 5 | tail -1)"
printf "lightgbm %.4f ± %.4f   rappi %.4f ± %.4f   (rappi target >= 0.82)\n" \
    "$(value "$B2" lightgbm_cv_mean)" "$(value "$B2" lightgbm_cv_std)" "$(value "$R2" cv_mean)" "$(value "$R2" cv_std)"

echo
echo "== (3) 100,000 x 20 synthetic regression: squared error, 200 rounds, learning rate 0.1, 31 leaves, 2 threads (best of $REPEATS)"
B3="$($BOOST regression bench-data/synth_reg_train.csv bench-data/synth_reg_test.csv "$REPEATS" 200 2 | tail -1)"
R3="$("$RAPPI_BIN" bench-train --train bench-data/synth_reg_train.csv --test bench-data/synth_reg_test.csv --target y \
      --algorithm gbm-regression --trees 200 --threads 2 --repeats "$REPEATS" | tail -1)"
printf "%-10s %10s %18s %10s\n" "" "fit s" "predict 20,000 s" "RMSE"
printf "%-10s %10.4f %18.4f %10.4f\n" lightgbm "$(value "$B3" lightgbm_fit_seconds)" "$(value "$B3" lightgbm_predict_seconds)" "$(value "$B3" lightgbm_rmse)"
printf "%-10s %10.4f %18.4f %10.4f\n" rappi "$(value "$R3" fit_seconds)" "$(value "$R3" predict_seconds)" "$(value "$R3" rmse)"
echo "fit: LightGBM / rappi $(ratio "$(value "$B3" lightgbm_fit_seconds)" "$(value "$R3" fit_seconds)" 2); predict: LightGBM / rappi $(ratio "$(value "$B3" lightgbm_predict_seconds)" "$(value "$R3" predict_seconds)" 2)"

echo
echo "== (4) 100,000 x 20 synthetic, 3 classes (softmax): 200 rounds, learning rate 0.1, 31 leaves, 2 threads (best of $REPEATS)"
classification synth3
printf "accuracy: rappi - LightGBM = %+.2f points\n" "$(python3 -c "print(100 * ($(value "$R" accuracy) - $(value "$B" lightgbm_accuracy)))")"
