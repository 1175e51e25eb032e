"""scikit-learn side of the training benchmark (scripts/bench/train.sh).

Usage:
  train_sklearn.py gen-synth OUTDIR            write OUTDIR/synth_train.csv (100,000 rows) and
                                               OUTDIR/synth_test.csv (20,000 rows), fixed seed
  train_sklearn.py gen-synth3 OUTDIR           the same with three classes: OUTDIR/synth3_train.csv
                                               and synth3_test.csv
  train_sklearn.py gen-synth-regression OUTDIR write OUTDIR/synth_reg_train.csv (100,000 rows) and
                                               OUTDIR/synth_reg_test.csv (20,000 rows): make_regression,
                                               20 features (10 informative), noise 10, fixed seed; target `y`
  train_sklearn.py titanic-fit FILE REPEATS    RF 200 trees (random_state=0, default n_jobs) fit time
  train_sklearn.py synth TRAIN TEST REPEATS    RF 100 trees, n_jobs=2: fit, predict 20k rows, accuracy
  train_sklearn.py predict-file TRAIN TEST OUT REPEATS
                                               RF 100 trees (n_jobs=2) fitted on TRAIN once, then the
                                               whole job of scoring a file: read_csv(TEST) +
                                               predict_proba + to_csv(OUT) with the records, the
                                               prediction and one probability column per class
  train_sklearn.py cv FILE TARGET              5-fold stratified CV accuracy: rf (200 trees), linsvc, logreg
                                               (linear models behind a StandardScaler)
Each command prints `key=value` lines; times are best of REPEATS, wall clock.
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC


def load(path, target):
    df = pd.read_csv(path)
    y = df[target].to_numpy()
    x = df.drop(columns=[target]).to_numpy(dtype=np.float64)
    return x, y


def best_of(repeats, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def write_split(x, y, target, outdir, stem):
    """The first 100,000 rows to OUTDIR/STEM_train.csv, the rest to STEM_test.csv; features f01…f20."""
    df = pd.DataFrame(x, columns=[f"f{i + 1:02d}" for i in range(x.shape[1])])
    df[target] = y
    df.iloc[:100_000].to_csv(f"{outdir}/{stem}_train.csv", index=False, float_format="%.9g")
    df.iloc[100_000:].to_csv(f"{outdir}/{stem}_test.csv", index=False, float_format="%.9g")


def gen_synth(outdir, classes=2, stem="synth"):
    x, y = make_classification(n_samples=120_000, n_features=20, n_informative=10, n_redundant=5,
                               n_classes=classes, random_state=7)
    write_split(x, y, "label", outdir, stem)


def gen_synth_regression(outdir):
    from sklearn.datasets import make_regression
    x, y = make_regression(n_samples=120_000, n_features=20, n_informative=10, noise=10.0, random_state=7)
    write_split(x, y, "y", outdir, "synth_reg")


def titanic_fit(path, repeats):
    x, y = load(path, "Survived")
    t, _ = best_of(repeats, lambda: RandomForestClassifier(n_estimators=200, random_state=0).fit(x, y))
    print(f"rows={x.shape[0]} features={x.shape[1]}")
    print(f"fit_seconds={t:.6f}")


def synth(train, test, repeats):
    x, y = load(train, "label")
    tx, ty = load(test, "label")
    t, model = best_of(repeats, lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(x, y))
    p, pred = best_of(repeats, lambda: model.predict(tx))
    acc = float(np.mean(pred == ty))
    print(f"fit_seconds={t:.6f} predict_seconds={p:.6f} accuracy={acc:.6f}")


def predict_file(train, test, out, repeats):
    x, y = load(train, "label")
    model = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(x, y)

    def job():
        df = pd.read_csv(test)
        features = df.drop(columns=["label"]).to_numpy(dtype=np.float64)
        p = model.predict_proba(features)
        df["prediction"] = model.classes_[p.argmax(axis=1)]
        for i, c in enumerate(model.classes_):
            df[f"probability_{c}"] = p[:, i]
        df.to_csv(out, index=False)
        return len(df)

    t, rows = best_of(repeats, job)
    # CPU time (all threads) of one more run: steadier than wall time on a shared machine.
    cpu = time.process_time()
    job()
    cpu = time.process_time() - cpu
    print(f"rows={rows} predict_file_seconds={t:.6f} predict_file_cpu_seconds={cpu:.6f}")


def cv(path, target):
    x, y = load(path, target)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)
    models = {
        "rf": RandomForestClassifier(n_estimators=200, random_state=0),
        "linsvc": make_pipeline(StandardScaler(), LinearSVC()),
        "logreg": make_pipeline(StandardScaler(), LogisticRegression()),
    }
    for name, model in models.items():
        s = cross_val_score(model, x, y, cv=folds, scoring="accuracy")
        print(f"{name}_cv_mean={s.mean():.6f} {name}_cv_std={s.std():.6f}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen-synth":
        gen_synth(sys.argv[2])
    elif cmd == "gen-synth3":
        gen_synth(sys.argv[2], classes=3, stem="synth3")
    elif cmd == "gen-synth-regression":
        gen_synth_regression(sys.argv[2])
    elif cmd == "titanic-fit":
        titanic_fit(sys.argv[2], int(sys.argv[3]))
    elif cmd == "synth":
        synth(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "predict-file":
        predict_file(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif cmd == "cv":
        cv(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {cmd}")
