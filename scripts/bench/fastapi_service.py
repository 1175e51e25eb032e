"""The peer a user would otherwise write: FastAPI + uvicorn + scikit-learn serving a Titanic
random forest of 200 trees behind the same `POST /score {"data": [records]}` contract.

Preprocessing is the usual scikit-learn pipeline (imputers, one-hot encoding) fitted on the
same CSV; the point is the serving stack, measured with the same load generator as rappi.
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

frame = pd.read_csv(DATA)
model = Pipeline([
    ("features", ColumnTransformer([
        ("numeric", SimpleImputer(strategy="median"), NUMERIC),
        ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                      OneHotEncoder(handle_unknown="ignore")), CATEGORICAL),
    ])),
    ("forest", RandomForestClassifier(n_estimators=200, random_state=0)),
])
model.fit(frame[NUMERIC + CATEGORICAL], frame["Survived"])

app = FastAPI()


@app.post("/score")
async def score(request: Request):
    payload = await request.json()
    records = pd.DataFrame(payload["data"])
    probabilities = model.predict_proba(records[NUMERIC + CATEGORICAL])
    return JSONResponse({
        "predictions": [int(p) for p in probabilities.argmax(axis=1)],
        "probabilities": probabilities.round(6).tolist(),
    })
