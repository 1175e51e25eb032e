"""The scikit-learn side of scripts/bench/onnx.sh.

  onnx_model.py convert TITANIC_CSV OUT.onnx     a 200-tree RandomForestClassifier behind a
      ColumnTransformer (median imputer for Pclass, Age, SibSp, Parch, Fare; most-frequent
      imputer + one-hot for Sex, Embarked), converted by skl2onnx without ZipMap
  onnx_model.py batch MODEL.onnx ROWS.csv REPEATS   onnxruntime in-process on every row of
      ROWS.csv: prints read_s (pandas.read_csv + feeds) and run_s (session.run), best of REPEATS
"""
import sys
import time

import numpy as np
import pandas as pd

NUMERIC = ["Pclass", "Age", "SibSp", "Parch", "Fare"]
CATEGORICAL = ["Sex", "Embarked"]


def convert(data, out):
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = pd.read_csv(data)
    frame[CATEGORICAL] = frame[CATEGORICAL].fillna("")
    forest = RandomForestClassifier(n_estimators=200, random_state=0)
    model = Pipeline([
        ("features", ColumnTransformer([
            ("numeric", SimpleImputer(strategy="median"), NUMERIC),
            ("categorical", Pipeline([("impute", SimpleImputer(strategy="most_frequent", missing_values="")),
                                      ("onehot", OneHotEncoder(handle_unknown="ignore"))]), CATEGORICAL),
        ])),
        ("forest", forest),
    ]).fit(frame[NUMERIC + CATEGORICAL], frame["Survived"])
    types = [(c, FloatTensorType([None, 1])) for c in NUMERIC] + [(c, StringTensorType([None, 1])) for c in CATEGORICAL]
    onnx_model = convert_sklearn(model, initial_types=types, options={id(forest): {"zipmap": False}},
                                 target_opset={"": 17, "ai.onnx.ml": 3})
    with open(out, "wb") as f:
        f.write(onnx_model.SerializeToString())


def batch(model, rows, repeats):
    import onnxruntime

    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    best_read, best_run = float("inf"), float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        frame = pd.read_csv(rows)
        feeds = {c: frame[c].to_numpy(dtype=np.float32).reshape(-1, 1) for c in NUMERIC}
        feeds.update({c: frame[c].fillna("").astype(str).to_numpy(dtype=object).reshape(-1, 1) for c in CATEGORICAL})
        read = time.perf_counter() - start
        start = time.perf_counter()
        session.run(None, feeds)
        best_read, best_run = min(best_read, read), min(best_run, time.perf_counter() - start)
    print(f"read_s={best_read:.4f} run_s={best_run:.4f}")


if __name__ == "__main__":
    if sys.argv[1] == "convert":
        convert(sys.argv[2], sys.argv[3])
    else:
        batch(sys.argv[2], sys.argv[3], int(sys.argv[4]))
