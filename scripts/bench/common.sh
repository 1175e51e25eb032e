# Set-up shared by the benchmark scripts (source it; ROOT must be the repository root).
#
#   bench_python MODULES PACKAGES   sets PY to a python that imports MODULES (space separated),
#                                   installing PACKAGES into the private venv .venv-bench if needed
#   bench_rappi                     sets RAPPI_BIN (builds .build/release/rappi unless RAPPI_BIN is set)
#   bench_synth_data PY             writes bench-data/synth_train.csv (100,000 rows) and
#                                   synth_test.csv (20,000 rows) once (see train_sklearn.py gen-synth)

bench_python() {
    local imports
    imports="import $(echo "$1" | sed 's/ /, /g')"
    PY=python3
    if ! python3 -c "$imports" 2>/dev/null; then
        if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "$imports" 2>/dev/null; then
            echo "installing $2 into .venv-bench ..."
            [ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
            # shellcheck disable=SC2086
            .venv-bench/bin/pip install --quiet $2
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
    mkdir -p bench-data
    if [ ! -f bench-data/synth_train.csv ] || [ ! -f bench-data/synth_test.csv ]; then
        echo "generating bench-data/synth_train.csv (100,000 rows) and synth_test.csv (20,000 rows) ..."
        "$1" scripts/bench/train_sklearn.py gen-synth bench-data
    fi
}

# `key=value` pairs: the value of KEY in TEXT.
value() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -1; }
# A / B as `1.5x`, with DIGITS decimals (default 1).
ratio() { python3 -c "a, b = float('$1'), float('$2'); print(f'{a / b:.${3:-1}f}x' if b > 0 else 'n/a')"; }
