#!/usr/bin/env bash
# CSV ingest benchmark: pandas.read_csv vs rappi's CSVReader on a 1,000,000 x 21 numeric CSV.
#
# Usage: scripts/bench/ingest.sh [REPEATS]      (default 3; best of REPEATS is reported)
# Env:   RAPPI_BIN=/path/to/rappi  use this binary instead of building .build/release/rappi
#
# Generates bench-data/ingest_1m.csv once (python3 + numpy, fixed seed), makes sure pandas is
# importable (private venv .venv-bench if needed), times pandas, builds rappi in release mode and
# runs its hidden `rappi bench-csv FILE` command, then prints both timings and the ratio.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REPEATS="${1:-3}"
DATA="bench-data/ingest_1m.csv"

# 1. Data: 1,000,000 rows; f01..f20 = 14 real-valued features at typical precisions
#    (%.6f, %.4f, %.8f, %.2f) and 6 integer features; plus an integer label. Fixed seed.
if [ ! -f "$DATA" ]; then
    mkdir -p bench-data
    echo "generating $DATA (1,000,000 rows x 21 columns) ..."
    python3 - "$DATA.tmp" 1000000 <<'PYEOF'
import sys
import numpy as np

out, rows = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(20240601)
cols, fmts, names = [], [], []
for i in range(20):
    kind = i % 10
    if kind in (0, 3, 6):      # standardised features
        cols.append(rng.normal(0.0, 1.0, rows)); fmts.append("%.6f")
    elif kind in (1, 7):       # prices / amounts
        cols.append(rng.lognormal(3.0, 1.0, rows)); fmts.append("%.4f")
    elif kind == 2:            # ratios
        cols.append(rng.uniform(0.0, 1.0, rows)); fmts.append("%.8f")
    elif kind == 4:            # measurements
        cols.append(rng.normal(170.0, 12.0, rows)); fmts.append("%.2f")
    elif kind == 5:            # counts
        cols.append(rng.poisson(4.0, rows).astype(np.float64)); fmts.append("%d")
    elif kind == 8:            # years
        cols.append(rng.integers(1900, 2030, rows).astype(np.float64)); fmts.append("%d")
    else:                      # large integer ids
        cols.append(rng.integers(0, 10_000_000, rows).astype(np.float64)); fmts.append("%d")
    names.append(f"f{i + 1:02d}")
cols.append(rng.integers(0, 2, rows).astype(np.float64)); fmts.append("%d"); names.append("label")
data = np.column_stack(cols)
with open(out, "w", newline="\n") as f:
    f.write(",".join(names) + "\n")
    for start in range(0, rows, 100_000):
        np.savetxt(f, data[start:start + 100_000], fmt=fmts, delimiter=",")
PYEOF
    mv "$DATA.tmp" "$DATA"
fi
echo "data: $DATA ($(du -h "$DATA" | cut -f1), $(wc -l < "$DATA") lines)"

# 2. pandas: system python if it has pandas, else a private venv.
PY=python3
if ! python3 -c "import pandas" 2>/dev/null; then
    if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "import pandas" 2>/dev/null; then
        echo "installing pandas into .venv-bench ..."
        python3 -m venv .venv-bench
        .venv-bench/bin/pip install --quiet pandas
    fi
    PY=.venv-bench/bin/python
fi
echo
echo "== pandas.read_csv (best of $REPEATS)"
PANDAS_OUT="$("$PY" scripts/bench/ingest_pandas.py "$DATA" "$REPEATS")"
echo "$PANDAS_OUT" | grep -v '^best_seconds='
PANDAS_BEST="$(echo "$PANDAS_OUT" | sed -n 's/.*best_seconds=\([0-9.]*\).*/\1/p')"

# 3. rappi: release build, hidden bench-csv subcommand.
echo
echo "== rappi bench-csv (best of $REPEATS)"
if [ -z "${RAPPI_BIN:-}" ]; then
    swift build -c release --product rappi >/dev/null
    RAPPI_BIN=.build/release/rappi
fi
if ! RAPPI_OUT="$("$RAPPI_BIN" bench-csv "$DATA" --repeats "$REPEATS" 2>/dev/null)"; then
    RAPPI_OUT="$("$RAPPI_BIN" bench-csv "$DATA")"
fi
echo "$RAPPI_OUT" | grep -v '^best_seconds='
RAPPI_BEST="$(echo "$RAPPI_OUT" | sed -n 's/.*best_seconds=\([0-9.]*\).*/\1/p')"

# 4. The whole user-visible upload: parse and validate, SHA-256, copy into the artifact store,
#    commit the version row — each time into a fresh workspace, so nothing is deduplicated.
echo
echo "== rappi upload dataset, end to end (best of $REPEATS)"
UPLOAD_BEST=""
for _ in $(seq "$REPEATS"); do
    WS="$(mktemp -d)"
    START=$(date +%s.%N)
    "$RAPPI_BIN" --workspace "$WS" -c "upload dataset bench from $ROOT/$DATA" >/dev/null
    END=$(date +%s.%N)
    rm -rf "$WS"
    T=$(python3 -c "print(f'{$END - $START:.4f}')")
    echo "upload: $T s"
    if [ -z "$UPLOAD_BEST" ] || python3 -c "import sys; sys.exit(0 if $T < $UPLOAD_BEST else 1)"; then UPLOAD_BEST=$T; fi
done

echo
python3 - "$PANDAS_BEST" "$RAPPI_BEST" "$UPLOAD_BEST" <<'PYEOF'
import sys
p, r, u = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"pandas.read_csv {p:.3f} s   rappi CSV reader {r:.3f} s   ratio {p / r:.2f}x (> 1 means rappi is faster)")
print(f"pandas.read_csv {p:.3f} s   rappi upload (process start to commit) {u:.3f} s   ratio {p / u:.2f}x")
PYEOF
