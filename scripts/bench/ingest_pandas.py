"""Times pandas.read_csv on a file: best of N runs (default 3).

Usage: python ingest_pandas.py FILE [REPEATS]
Prints a human line and a machine-readable `best_seconds=...` line.
"""
import sys
import time

import pandas as pd


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    times = []
    shape = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        df = pd.read_csv(path)
        times.append(time.perf_counter() - t0)
        shape = df.shape
        del df
    times.sort()
    best = times[0]
    median = times[len(times) // 2]
    print(f"pandas {pd.__version__}: {shape[0]} rows x {shape[1]} columns; "
          f"runs: {repeats}  best: {best:.3f} s  median: {median:.3f} s")
    print(f"best_seconds={best:.4f} median_seconds={median:.4f}")


if __name__ == "__main__":
    main()
