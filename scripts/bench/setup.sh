# Shared set-up of the benchmark scripts (sourced, from the repository root):
#   bench_python [MODULES PACKAGES]  PY = a Python that imports MODULES (default "sklearn pandas"),
#                      installing PACKAGES (default "scikit-learn pandas") into the private venv
#                      .venv-bench when needed
#   bench_rappi        RAPPI_BIN = $RAPPI_BIN, else a release build of .build/release/rappi
#   bench_synth_data   bench-data/synth_train.csv (100,000 rows) and synth_test.csv (20,000 rows),
#                      generated once: sklearn make_classification(n_samples=120000, n_features=20,
#                      n_informative=10, n_redundant=5, random_state=7), label column `label`
#   bench_synth_regression_data  bench-data/synth_reg_train.csv (100,000 rows) and synth_reg_test.csv
#                      (20,000 rows), generated once: make_regression(n_samples=120000, n_features=20,
#                      n_informative=10, noise=10, random_state=7), target column `y`
mkdir -p bench-data

bench_python() {
    local modules="${1:-sklearn pandas}" packages="${2:-scikit-learn pandas}"
    local imports="import ${modules// /, }"
    PY=python3
    if ! python3 -c "$imports" 2>/dev/null; then
        if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "$imports" 2>/dev/null; then
            echo "installing $packages into .venv-bench ..."
            [ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
            # shellcheck disable=SC2086
            .venv-bench/bin/pip install --quiet $packages
        fi
        PY=.venv-bench/bin/python
    fi
}

bench_rappi() {
    if [ -z "${RAPPI_BIN:-}" ]; then
        swift build -c release --product rappi >/dev/null
        RAPPI_BIN=.build/release/rappi
    fi
}

bench_synth_data() {
    if [ ! -f bench-data/synth_train.csv ] || [ ! -f bench-data/synth_test.csv ]; then
        echo "generating bench-data/synth_train.csv (100,000 rows) and synth_test.csv (20,000 rows) ..."
        "$PY" scripts/bench/train_sklearn.py gen-synth bench-data
    fi
}

bench_synth3_data() {
    if [ ! -f bench-data/synth3_train.csv ] || [ ! -f bench-data/synth3_test.csv ]; then
        echo "generating bench-data/synth3_train.csv (100,000 rows, 3 classes) and synth3_test.csv (20,000 rows) ..."
        "$PY" scripts/bench/train_sklearn.py gen-synth3 bench-data
    fi
}

bench_synth_regression_data() {
    if [ ! -f bench-data/synth_reg_train.csv ] || [ ! -f bench-data/synth_reg_test.csv ]; then
        echo "generating bench-data/synth_reg_train.csv (100,000 rows) and synth_reg_test.csv (20,000 rows) ..."
        "$PY" scripts/bench/train_sklearn.py gen-synth-regression bench-data
    fi
}

# `value "k1=v1 k2=v2" k2` prints v2; `ratio A B [DIGITS]` prints A/B as "5.8x".
value() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -1; }
ratio() { python3 -c "a, b = float('$1'), float('$2'); print(f'{a / b:.${3:-1}f}x' if b > 0 else 'n/a')"; }
