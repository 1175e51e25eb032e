"""Shared set-up for the ONNX tests: the rappi binary, a private workspace per test session,
data sets written once (Titanic from the repository, a synthetic one with a fixed seed), and
helpers to read the CSVs rappi writes and to feed ONNX Runtime the same rows."""
import csv
import math
import os
import random
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RAPPI_BINARY", os.path.join(ROOT, ".build", "debug", "rappi"))
TITANIC = os.path.join(ROOT, "scripts", "data", "titanic", "ds_full", "titanic.csv")


class Rappi:
    def __init__(self, workspace, folder):
        self.workspace = workspace
        self.folder = folder
        self.count = 0

    def run(self, script, ok=True):
        """Runs `script` as a .rappi file; returns (exit code, stdout, stderr)."""
        self.count += 1
        path = os.path.join(self.folder, f"step{self.count}.rappi")
        with open(path, "w") as f:
            f.write(script)
        p = subprocess.run([BINARY, "--workspace", self.workspace, "run", path], capture_output=True, text=True,
                           timeout=600)
        if ok:
            assert p.returncode == 0, f"rappi failed:\n{script}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}"
        return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="session")
def rappi(tmp_path_factory):
    folder = tmp_path_factory.mktemp("onnx")
    return Rappi(str(folder / "ws"), str(folder))


def synthetic_csv(path, rows=600, seed=7, classes=("a", "b", "c")):
    """Numeric and text columns with missing values, a 3-class target that depends on them."""
    rng = random.Random(seed)
    colours = ["red", "green", "blue", "violet"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "count", "colour", "y"])
        for _ in range(rows):
            x1 = rng.gauss(0, 1)
            x2 = rng.uniform(-3, 3)
            count = rng.randint(0, 9)
            colour = rng.choice(colours)
            score = x1 + 0.5 * x2 - 0.2 * count + (1.0 if colour == "red" else 0.0) + rng.gauss(0, 0.5)
            y = classes[0] if score < -0.7 else classes[1] if score < 0.7 else classes[2]
            w.writerow(["" if rng.random() < 0.05 else f"{x1:.6f}", "" if rng.random() < 0.05 else f"{x2:.4f}",
                        count, "" if rng.random() < 0.05 else colour, y])
    return path


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def feeds(session, rows):
    """One array per graph input, from the columns rappi reads for it: an [N, 1] input is the
    column of its name, an [N, d] input `X` the columns X_0 … X_{d-1}. Doubles (NaN for an
    empty field), floats or strings, as the input's type says."""
    out = {}
    for i in session.get_inputs():
        width = i.shape[1] if len(i.shape) == 2 and isinstance(i.shape[1], int) else 1
        columns = [i.name] if width == 1 else [f"{i.name}_{j}" for j in range(width)]
        if i.type == "tensor(string)":
            out[i.name] = np.array([[r.get(c, "") for c in columns] for r in rows], dtype=object)
        else:
            out[i.name] = np.array([[float(r[c]) if r.get(c, "") != "" else math.nan for c in columns] for r in rows],
                                   dtype=np.float64 if i.type == "tensor(double)" else np.float32)
    return out
