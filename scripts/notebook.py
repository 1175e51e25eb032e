"""Executes scripts/titanic.ipynb with the rappi kernel (nbclient) and writes its outputs back,
so the committed notebook shows what a run looks like (GitHub renders it).

    .venv/bin/python scripts/notebook.py [--check]

Needs the kernel installed (`rappi kernel install --user`, or JUPYTER_PATH pointing at a
`--prefix` install). The notebook runs in a fresh workspace (RAPPI_WORKSPACE, a temporary folder).
With --check it only executes and verifies, leaving the file alone (what CI does).
"""
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOK = os.path.join(HERE, "titanic.ipynb")


def execute(path=NOTEBOOK, timeout=600):
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="rappi-nb-") as workspace:
        os.environ["RAPPI_WORKSPACE"] = workspace
        NotebookClient(notebook, kernel_name="rappi", timeout=timeout,
                       resources={"metadata": {"path": HERE}}).execute()
    nbformat.validate(notebook)
    return notebook


if __name__ == "__main__":
    executed = execute()
    if "--check" not in sys.argv:
        nbformat.write(executed, NOTEBOOK)
        print(f"wrote {NOTEBOOK}")
