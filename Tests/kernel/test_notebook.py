"""The example notebook (scripts/titanic.ipynb) executed by nbclient with the rappi kernel, as
Jupyter would run it: upload, train, evaluate, cross-validate, register, deploy locally, test
the endpoint, undeploy — with the outputs a reader of the notebook sees checked."""
import os
import sys

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import notebook  # noqa: E402  (scripts/notebook.py)


def outputs_of(cell):
    return [(o["output_type"], o) for o in cell.get("outputs", [])]


def charts_of(cell):
    return [o["data"] for kind, o in outputs_of(cell) if kind == "display_data" and "image/svg+xml" in o["data"]]


def text_of(cell):
    parts = []
    for kind, output in outputs_of(cell):
        if kind == "stream":
            parts.append(output["text"])
        elif kind in ("execute_result", "display_data") and "image/svg+xml" not in output["data"]:
            parts.append(output["data"]["text/plain"])
    return "".join(parts)


def test_the_example_notebook_runs_end_to_end_with_charts_and_a_tested_endpoint():
    executed = notebook.execute()
    code = [c for c in executed.cells if c.cell_type == "code"]
    by_source = {c.source.splitlines()[0]: c for c in code}
    for cell in code:
        errors = [o for kind, o in outputs_of(cell) if kind == "error"]
        assert not errors, f"cell {cell.source!r} failed: {errors}"
    assert "loaded titanic v1 — 891 rows" in text_of(by_source["upload dataset titanic from data/titanic/ds_full target=Survived"])
    evaluate = by_source["evaluate"]
    charts = charts_of(evaluate)
    assert [c["text/plain"].split(" — ")[0] for c in charts] == ["<Confusion matrix", "<ROC curve", "<Feature importances"]
    assert all(c["image/svg+xml"].startswith("<svg") for c in charts)
    assert "accuracy" in text_of(evaluate)
    assert charts_of(by_source["cv folds=5"])
    assert "failed" in text_of(by_source["test endpoint titanic-notebook"])
    pictures = {source: [chart["text/plain"] for chart in charts_of(by_source[source])]
                for source in ("describe", "profile endpoint titanic-notebook requests=2000 concurrency=4")}
    assert pictures["describe"] == ["<Columns of titanic v1>"]
    assert pictures["profile endpoint titanic-notebook requests=2000 concurrency=4"][0].startswith("<Latency — 2000 requests")
    assert executed.cells[0].cell_type == "markdown"
