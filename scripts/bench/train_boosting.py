"""LightGBM and XGBoost side of the gradient-boosting benchmark (scripts/bench/gbm.sh).

Usage:
  train_boosting.py synth TRAIN TEST REPEATS ROUNDS THREADS
      LightGBM and XGBoost (`hist`, leaf-wise: grow_policy=lossguide, max_leaves=31, max_depth=0),
      both with learning rate 0.1, 31 leaves, 255 bins, at least 20 rows per leaf: fit time,
      predict time of TEST, accuracy.
  train_boosting.py regression TRAIN TEST REPEATS ROUNDS THREADS
      LightGBM regression (squared error) with the same settings on a numeric target `y`: fit
      time, predict time of TEST, RMSE.
  train_boosting.py cv FILE TARGET
      5-fold stratified CV accuracy of LightGBM with its defaults (100 rounds).
Prints `key=value` pairs; times are best of REPEATS, wall clock, fit including the binning.
"""
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_score


def load(path, target):
    df = pd.read_csv(path)
    return df.drop(columns=[target]).to_numpy(dtype=np.float64), df[target].to_numpy()


def best_of(repeats, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def synth(train, test, repeats, rounds, threads):
    import xgboost as xgb  # here, so the regression section runs without it
    x, y = load(train, "label")
    tx, ty = load(test, "label")
    models = {
        "lightgbm": lambda: lgb.LGBMClassifier(n_estimators=rounds, learning_rate=0.1, num_leaves=31, max_bin=255,
                                               min_child_samples=20, n_jobs=threads, verbose=-1),
        "xgboost": lambda: xgb.XGBClassifier(n_estimators=rounds, learning_rate=0.1, tree_method="hist",
                                             grow_policy="lossguide", max_leaves=31, max_depth=0, max_bin=255,
                                             n_jobs=threads),
    }
    out = []
    for name, make in models.items():
        t, model = best_of(repeats, lambda: make().fit(x, y))
        p, pred = best_of(repeats, lambda: model.predict(tx))
        acc = float(np.mean(pred == ty))
        out.append(f"{name}_fit_seconds={t:.6f} {name}_predict_seconds={p:.6f} {name}_accuracy={acc:.6f}")
    print(" ".join(out))


def regression(train, test, repeats, rounds, threads):
    x, y = load(train, "y")
    tx, ty = load(test, "y")
    make = lambda: lgb.LGBMRegressor(n_estimators=rounds, learning_rate=0.1, num_leaves=31, max_bin=255,
                                     min_child_samples=20, n_jobs=threads, verbose=-1)
    t, model = best_of(repeats, lambda: make().fit(x, y))
    p, pred = best_of(repeats, lambda: model.predict(tx))
    rmse = float(np.sqrt(np.mean((pred - ty) ** 2)))
    print(f"lightgbm_fit_seconds={t:.6f} lightgbm_predict_seconds={p:.6f} lightgbm_rmse={rmse:.6f}")


def cv(path, target):
    x, y = load(path, target)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)
    s = cross_val_score(lgb.LGBMClassifier(verbose=-1), x, y, cv=folds, scoring="accuracy")
    print(f"lightgbm_cv_mean={s.mean():.6f} lightgbm_cv_std={s.std():.6f}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "synth":
        synth(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "regression":
        regression(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "cv":
        cv(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {cmd}")
