"""`rappi export` output as the Jupyter tools read it: nbformat's own validator accepts the
notebook (nbformat 4.5, cell ids, kernelspec and language_info), for a script run and for a
kernel session."""
import os
import shutil
import subprocess
import tempfile

import nbformat
from jupyter_client.manager import start_new_kernel

from conftest import BINARY, ROOT

TITANIC = os.path.join(ROOT, "scripts", "data", "titanic", "ds_full")


def rappi(*args, workspace):
    return subprocess.run([BINARY, *args, "--workspace", workspace], capture_output=True, text=True, check=True)


def test_an_exported_script_run_is_a_valid_nbformat_4_5_notebook_with_charts():
    with tempfile.TemporaryDirectory() as folder:
        workspace = os.path.join(folder, "ws")
        rappi("-c", f"upload dataset t from {TITANIC} target=Survived; load dataset t; train rf trees=20; evaluate; cv folds=3",
              workspace=workspace)
        target = os.path.join(folder, "run.ipynb")
        rappi("export", "1", "to", target, workspace=workspace)
        notebook = nbformat.read(target, as_version=4)
        nbformat.validate(notebook)
        assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)
        assert notebook.metadata.kernelspec.name == "rappi"
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert [c.source for c in code][-2:] == ["evaluate", "cv folds=3"]
        charts = [o for c in code for o in c.outputs if o.output_type == "display_data" and "image/svg+xml" in o.data]
        assert len(charts) == 4 and all("image/svg+xml" in o.data for o in charts)


def test_a_kernel_session_is_recorded_and_exports_as_a_valid_notebook():
    workspace = os.environ["RAPPI_WORKSPACE"]
    km, kc = start_new_kernel(kernel_name="rappi")
    try:
        kc.execute_interactive('echo "from the kernel"', timeout=30)
        kc.execute_interactive("set seed 5", timeout=30)
    finally:
        kc.stop_channels()
        km.shutdown_kernel()
    runs = rappi("-c", "runs", workspace=workspace).stdout
    kernel_run = [line for line in runs.splitlines() if "kernel" in line][-1]
    run_id = [word for word in kernel_run.split() if word.isdigit()][0]
    with tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "session.ipynb")
        rappi("export", run_id, "to", target, workspace=workspace)
        notebook = nbformat.read(target, as_version=4)
        nbformat.validate(notebook)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert [c.source for c in code][-2:] == ['echo "from the kernel"', "set seed 5"]
        assert code[-1].outputs[0].output_type == "execute_result"
        assert code[-1].outputs[0].data["text/plain"] == "seed = 5"


def test_the_html_export_opens_offline_in_headless_chromium_with_every_chart_drawn():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "scripts/test.sh installs chromium (Debian package) for this test"
    with tempfile.TemporaryDirectory() as folder:
        workspace = os.path.join(folder, "ws")
        rappi("-c", f"upload dataset t from {TITANIC} target=Survived; load dataset t; describe; train rf trees=20; evaluate",
              workspace=workspace)
        page = os.path.join(folder, "run.html")
        rappi("export", "1", "to", page, workspace=workspace)
        browser = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + os.path.join(folder, "profile")]
        dom = subprocess.run(browser + ["--dump-dom", "file://" + page], capture_output=True, text=True, timeout=120).stdout
        # The browser parsed every chart as SVG (describe: 1, evaluate: 3) and the statements as text.
        assert dom.count("<svg ") == 4, dom[:500]
        assert "train rf trees=20" in dom
        # Tables are HTML tables: describe's columns and evaluate's confusion matrix.
        assert dom.count('<table class="rappi-table">') == 2, dom[:500]
        assert "<th>column</th>" in dom
        shot = os.path.join(folder, "shot.png")
        subprocess.run(browser + ["--hide-scrollbars", "--window-size=1100,1800", "--screenshot=" + shot, "file://" + page],
                       capture_output=True, timeout=120)
        with open(shot, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert os.path.getsize(shot) > 50_000  # a page with pictures, not a blank one
