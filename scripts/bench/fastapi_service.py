"""The peer a user would otherwise write: FastAPI + uvicorn + scikit-learn serving a Titanic
random forest of 200 trees behind the same `POST /score {"data": [records]}` contract.

Preprocessing is the usual scikit-learn pipeline (imputers, one-hot encoding) fitted on the
same CSV; the point is the serving stack, measured with the same load generator as rappi.

With ONNX_MODEL=FILE.onnx the same service answers from that ONNX model in onnxruntime instead
(one [N, 1] input per column, as skl2onnx writes a ColumnTransformer pipeline; the
`onnx.sh` benchmark) — the usual Python way to serve an ONNX model.
"""
import os

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

DATA = os.environ.get("TITANIC_CSV", "scripts/data/titanic/ds_full/titanic.csv")
NUMERIC = ["Pclass", "Age", "SibSp", "Parch", "Fare"]
CATEGORICAL = ["Sex", "Embarked"]

ONNX_MODEL = os.environ.get("ONNX_MODEL")
frame = pd.read_csv(DATA)
model = None if ONNX_MODEL else Pipeline([
    ("features", ColumnTransformer([
        ("numeric", SimpleImputer(strategy="median"), NUMERIC),
        ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                      OneHotEncoder(handle_unknown="ignore")), CATEGORICAL),
    ])),
    ("forest", RandomForestClassifier(n_estimators=200, random_state=0)),
])
if model is not None:
    model.fit(frame[NUMERIC + CATEGORICAL], frame["Survived"])
else:
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(ONNX_MODEL, providers=["CPUExecutionProvider"])
    session_inputs = [(i.name, i.type) for i in session.get_inputs()]

    def onnx_probabilities(records):
        feeds = {}
        for name, kind in session_inputs:
            column = records[name] if name in records else pd.Series([None] * len(records))
            if kind == "tensor(string)":
                feeds[name] = column.fillna("").astype(str).to_numpy(dtype=object).reshape(-1, 1)
            else:
                feeds[name] = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float32).reshape(-1, 1)
        return session.run(["probabilities"], feeds)[0]

app = FastAPI()


@app.post("/score")
async def score(request: Request):
    payload = await request.json()
    records = pd.DataFrame(payload["data"])
    probabilities = onnx_probabilities(records) if model is None else model.predict_proba(records[NUMERIC + CATEGORICAL])
    return JSONResponse({
        "predictions": [int(p) for p in probabilities.argmax(axis=1)],
        "probabilities": probabilities.round(6).tolist(),
    })
