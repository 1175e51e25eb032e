"""`register from FILE.onnx as NAME`: scikit-learn models converted by skl2onnx (random forest,
logistic regression, linear SVC; with and without ZipMap; with a ColumnTransformer of
SimpleImputer / OneHotEncoder / StandardScaler in front) and rappi's own exports become rappi
models whose predictions on every row equal ONNX Runtime's: labels exactly, probabilities
within 1e-6."""
import csv
import os
import random

import numpy as np
import onnxruntime as ort
import pytest
from skl2onnx import convert_sklearn
from skl2onnx.common._registration import _converter_pool
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC, LinearSVC

from conftest import TITANIC, feeds, read_csv

# skl2onnx 1.20 parses LinearSVC as a classifier with a ZipMap option its converter does not
# declare, so every LinearSVC conversion fails; declaring the option is the workaround.
_converter_pool["SklearnLinearSVC"]._options.setdefault("zipmap", [True, False, "columns"])

NUMERIC = ["Pclass", "Age", "SibSp", "Parch", "Fare"]
TEXT = ["Sex", "Embarked"]


def titanic_matrix():
    rows = read_csv(TITANIC)
    x = [[float(r[c]) if r[c] != "" else np.nan for c in NUMERIC] + [r[c] for c in TEXT] for r in rows]
    return rows, np.array(x, dtype=object), np.array([int(r["Survived"]) for r in rows])


def titanic_pipeline(estimator, scale=True):
    numeric = [("impute", SimpleImputer(strategy="median"))] + ([("scale", StandardScaler())] if scale else [])
    prep = ColumnTransformer([
        ("num", Pipeline(numeric), list(range(len(NUMERIC)))),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent", missing_values="")),
                          ("onehot", OneHotEncoder(handle_unknown="ignore"))]), [len(NUMERIC), len(NUMERIC) + 1]),
    ])
    return Pipeline([("prep", prep), ("model", estimator)])


def titanic_onnx(pipeline, zipmap):
    types = [(c, FloatTensorType([None, 1])) for c in NUMERIC] + [(c, StringTensorType([None, 1])) for c in TEXT]
    return convert_sklearn(pipeline, initial_types=types, options={id(pipeline.steps[-1][1]): {"zipmap": zipmap}},
                           target_opset={"": 17, "ai.onnx.ml": 3})


def synthetic(path, rows=800, seed=11, classes=3):
    """Four numeric columns X_0…X_3; the class is a band of a noisy linear score."""
    rng = random.Random(seed)
    data, labels = [], []
    for _ in range(rows):
        x = [rng.gauss(0, 1), rng.uniform(-2, 2), rng.gauss(3, 2), rng.random()]
        s = x[0] + 0.8 * x[1] - 0.3 * x[2] + rng.gauss(0, 0.4)
        data.append(x)
        labels.append(0 if s < -1 else 1 if classes == 2 or s < 0.5 else 2)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["X_0", "X_1", "X_2", "X_3", "y"])
        for x, y in zip(data, labels):
            w.writerow([repr(v) for v in x] + [y])
    return np.array(data, dtype=np.float32), np.array(labels)


def import_and_compare(rappi, model, name, data_path, target, probabilities=True):
    """Registers `model` in rappi, predicts every row of `data_path` there and in ONNX Runtime."""
    path = os.path.join(rappi.folder, f"{name}.onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    out = os.path.join(rappi.folder, f"{name}.csv")
    rappi.run(f"register from {path} as {name} target={target}\npredict from {data_path} into {out} scores=true\n")
    rows = read_csv(out)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    label, scores = session.run(None, feeds(session, read_csv(data_path)))[:2]
    assert [str(v) for v in label] == [r["prediction"] for r in rows]
    columns = [c for c in rows[0] if c.startswith("score_")]   # rappi's classes, in the graph's label order
    if isinstance(scores, list):  # ZipMap: one {class: probability} per row
        assert [f"score_{c}" for c in scores[0]] == columns
        scores = np.array([list(m.values()) for m in scores])
    ours = np.array([[float(r[c]) for c in columns] for r in rows])
    if scores.shape[1] == 1:  # a binary linear SVC answers the positive class's decision value only
        ours = ours[:, 1:]
    assert ours.shape == scores.shape
    if probabilities:
        assert np.max(np.abs(ours - scores)) <= 1e-6
    return rows, scores, ours


@pytest.mark.parametrize("zipmap", [False, True])
@pytest.mark.parametrize("kind", ["rf", "logreg"])
def test_a_titanic_pipeline_from_scikit_learn_predicts_as_onnx_runtime(rappi, kind, zipmap):
    _, x, y = titanic_matrix()
    estimator = RandomForestClassifier(n_estimators=60, min_samples_leaf=2, random_state=0) if kind == "rf" \
        else LogisticRegression(max_iter=1000)
    pipeline = titanic_pipeline(estimator).fit(x, y)
    import_and_compare(rappi, titanic_onnx(pipeline, zipmap), f"sk_titanic_{kind}_{int(zipmap)}", TITANIC, "Survived")


@pytest.mark.parametrize("zipmap", [False, True])
def test_a_linear_svc_imports_with_its_decision_values(rappi, zipmap):
    _, x, y = titanic_matrix()
    pipeline = titanic_pipeline(LinearSVC(C=0.5)).fit(x, y)
    rows, scores, ours = import_and_compare(rappi, titanic_onnx(pipeline, zipmap), f"sk_titanic_svc_{int(zipmap)}", TITANIC,
                                            "Survived", probabilities=False)
    # ONNX Runtime answers the binary case as [-s, s] in float32, as rappi's linsvc does in double.
    assert np.max(np.abs(ours - scores)) <= 1e-5 * max(1.0, np.max(np.abs(scores)))


@pytest.mark.parametrize("kind", ["rf", "linsvc"])
def test_a_model_on_one_feature_vector_input_imports_with_columns_named_after_it(rappi, kind):
    path = os.path.join(rappi.folder, "synthetic3.csv")
    x, y = synthetic(path)
    estimator = RandomForestClassifier(n_estimators=40, random_state=1) if kind == "rf" else LinearSVC()
    model = Pipeline([("scale", StandardScaler()), ("model", estimator)]).fit(x, y)
    onnx_model = convert_sklearn(model, initial_types=[("X", FloatTensorType([None, 4]))], options={id(estimator): {"zipmap": False}},
                                 target_opset={"": 17, "ai.onnx.ml": 3})
    rows, scores, ours = import_and_compare(rappi, onnx_model, f"sk_synth_{kind}", path, "y", probabilities=kind == "rf")
    if kind == "linsvc":
        assert np.max(np.abs(ours - scores)) <= 1e-5 * max(1.0, np.max(np.abs(scores)))


def test_an_unsupported_estimator_is_refused_naming_its_op(rappi):
    path = os.path.join(rappi.folder, "synthetic2.csv")
    x, y = synthetic(path, classes=2)
    onnx_model = convert_sklearn(SVC().fit(x, y), initial_types=[("X", FloatTensorType([None, 4]))],
                                 target_opset={"": 17, "ai.onnx.ml": 3})
    file = os.path.join(rappi.folder, "svc.onnx")
    with open(file, "wb") as f:
        f.write(onnx_model.SerializeToString())
    code, _, err = rappi.run(f"register from {file} as kernel_svc\n", ok=False)
    assert code == 1 and "SVMClassifier" in err and "does not support" in err


def test_a_file_that_is_not_onnx_is_a_clear_error(rappi):
    file = os.path.join(rappi.folder, "not.onnx")
    with open(file, "w") as f:
        f.write("PassengerId,Survived\n1,0\n")
    code, _, err = rappi.run(f"register from {file} as broken\n", ok=False)
    assert code == 1 and "not a valid ONNX file" in err


@pytest.mark.parametrize("kind,train", [("rf", "train rf trees=30"), ("logreg", "train logreg"), ("linsvc", "train linsvc")])
def test_a_rappi_export_imports_back_with_the_same_answers(rappi, kind, train):
    out1 = os.path.join(rappi.folder, f"orig_{kind}.csv")
    out2 = os.path.join(rappi.folder, f"back_{kind}.csv")
    file = os.path.join(rappi.folder, f"round_{kind}.onnx")
    rappi.run(f"upload dataset titanic_rt from {TITANIC} target=Survived\nload dataset titanic_rt\npreprocess recipe=auto\n"
              f"{train}\nregister as rt_{kind}\npredict from {TITANIC} into {out1} scores=true\n"
              f"export model rt_{kind} to {file}\nregister from {file} as rt_{kind}_back\n"
              f"predict from {TITANIC} into {out2} scores=true\n")
    a, b = read_csv(out1), read_csv(out2)
    assert [r["prediction"] for r in a] == [r["prediction"] for r in b]
    score_columns = [c for c in a[0] if c.startswith("score_")]
    diff = max(abs(float(r[c]) - float(s[c])) for r, s in zip(a, b) for c in score_columns)
    assert diff <= 1e-12


def test_an_imported_scikit_learn_model_is_deployed_tested_and_profiled_on_the_loaded_dataset(rappi):
    _, x, y = titanic_matrix()
    pipeline = titanic_pipeline(RandomForestClassifier(n_estimators=20, random_state=3)).fit(x, y)
    path = os.path.join(rappi.folder, "served.onnx")
    with open(path, "wb") as f:
        f.write(titanic_onnx(pipeline, True).SerializeToString())
    rappi.run(f"register from {path} as sk_served target=Survived\n")
    # An imported model records no dataset: test and profile draw records from the loaded one.
    code, _, err = rappi.run("deploy sk_served local\ntest endpoint sk_served\n", ok=False)
    try:
        assert code == 1 and "load one with its columns first" in err
        _, out, _ = rappi.run(f"upload dataset titanic_served from {TITANIC} target=Survived\nload dataset titanic_served\n"
                              "test endpoint sk_served\nprofile endpoint sk_served requests=100 concurrency=2\n")
        assert ", 0 failed" in out, out
    finally:
        rappi.run("undeploy sk_served\n", ok=False)
