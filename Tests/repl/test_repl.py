"""The REPL as a person meets it: driven through a pseudo-terminal with pexpect.

Checks line editing essentials: numbered cells, tab completion from the command table,
the continuation prompt while a `{` is open, Ctrl-C abandoning a line and stopping a running
command, errors that keep the session alive, history kept per workspace, dot commands.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RAPPI_BINARY", os.path.join(ROOT, ".build", "debug", "rappi"))
SCRIPTS = os.path.join(ROOT, "scripts")


@pytest.fixture
def workspace():
    path = tempfile.mkdtemp(prefix="rappi-repl-")
    yield os.path.join(path, "ws")
    shutil.rmtree(path, ignore_errors=True)


def start(workspace):
    child = pexpect.spawn(BINARY, ["--workspace", workspace], cwd=SCRIPTS, encoding="utf-8",
                          timeout=30, dimensions=(40, 200), env={**os.environ, "TERM": "xterm"})
    child.expect(r"rappi \[1\]> ")
    return child


def prompt(n):
    return re.escape(f"rappi [{n}]> ")


def test_cells_errors_and_dot_commands(workspace):
    child = start(workspace)
    child.sendline("echo hello notebook")
    child.expect("hello notebook")
    child.expect(prompt(2))
    child.sendline("lod dataset titanic")
    child.expect(re.escape("unknown command 'lod' — did you mean 'load dataset'?"))
    child.expect(prompt(3))  # the error did not end the session
    child.sendline("upload dataset titanic from data/titanic/ds_half target=Survived; load dataset titanic")
    child.expect("created titanic v1")
    child.expect(re.escape("loaded titanic v1 — 446 rows × 12 columns"))
    child.expect(prompt(5))
    child.sendline(".timer on")
    child.sendline("assert rows == 446")
    child.expect(r"\(\d+\.\d ms\)")
    child.expect(prompt(6))
    saved = os.path.join(os.path.dirname(workspace), "session.rappi")
    child.sendline(f".save {saved}")
    child.expect("saved 4 statements")
    child.sendline(".mode json")
    child.sendline("set seed 3")
    child.expect(re.escape('"statement":"set seed 3","ok":true,"values":{"seed":3}'))
    child.sendline(".nope")
    child.expect("unknown command .nope")
    child.sendline(".quit")
    child.expect(pexpect.EOF)
    with open(saved) as f:
        text = f.read()
    assert "echo hello notebook" in text and "lod dataset" not in text and "assert rows == 446" in text


def test_a_failing_statement_prints_its_error_once_with_the_caret(workspace):
    child = start(workspace)
    child.sendline("echo before; load dataset nosuch")
    child.expect(prompt(3))
    shown = child.before
    assert shown.count("no dataset named 'nosuch'") == 1, shown
    assert re.search(r"\^\r?\nerror: no dataset named 'nosuch'", shown), shown
    assert "<repl>:" not in shown, shown
    child.sendline(".quit")
    child.expect(pexpect.EOF)


def test_tab_completion_from_the_command_table(workspace):
    child = start(workspace)
    child.sendline("upload dataset titanic from data/titanic/ds_full")
    child.expect(prompt(2))
    child.send("lo\t")
    child.expect("load ")
    child.send("\t\t")  # two words can follow: readline lists them
    child.expect("dataset")
    child.expect("model")
    child.send("d\t")
    child.expect("ataset ")
    child.send("tit\t")
    child.expect("titanic ")
    child.send("\r")
    child.expect(re.escape("loaded titanic v1"))
    child.expect(prompt(3))
    child.send("upload dataset x t\t")
    child.expect("target=")
    child.sendcontrol("c")
    child.expect(prompt(3))
    child.sendcontrol("d")
    child.expect(pexpect.EOF)


def test_continuation_prompt_for_open_blocks(workspace):
    child = start(workspace)
    child.sendline("echo {")
    child.expect(re.escape("...> "))
    child.sendline("  inside the block")
    child.expect(re.escape("...> "))
    child.sendline("}")
    child.expect("inside the block")
    child.expect(prompt(2))
    child.sendcontrol("d")
    child.expect(pexpect.EOF)


def test_ctrl_c_abandons_the_line_and_stops_a_running_command(workspace, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "w") as f:
        f.write("a,b,c,d,e,f\n")
        row = "1.5,2.25,3,4.125,5,6.5\n" * 1000
        for _ in range(3000):
            f.write(row)
    child = start(workspace)
    child.send("echo this line is abandoned")
    child.expect("abandoned")  # typed and shown, as a person would see it before pressing Ctrl-C
    child.sendcontrol("c")
    child.expect(re.escape("^C"))
    child.expect(prompt(1))  # no cell was used
    child.sendline(f"upload dataset big from {big}")
    time.sleep(0.3)
    child.sendcontrol("c")
    child.expect(re.escape("interrupted (Ctrl-C)"))
    child.expect(prompt(2))
    child.sendline("datasets")
    child.expect("no datasets yet")  # the interrupted upload stored nothing
    child.sendcontrol("d")
    child.expect(pexpect.EOF)


def test_history_survives_sessions(workspace):
    child = start(workspace)
    child.sendline("echo remembered line")
    child.expect(prompt(2))
    child.sendcontrol("d")
    child.expect(pexpect.EOF)

    child = start(workspace)
    child.send("\x1b[A")  # up arrow recalls the previous session's line
    child.expect("echo remembered line")
    child.send("\r")
    child.expect(prompt(2))
    child.sendline(".history")
    child.expect(r"1  echo remembered line")
    child.sendcontrol("d")
    child.expect(pexpect.EOF)


def test_long_training_shows_a_progress_bar_on_the_terminal(workspace):
    child = start(workspace)
    child.sendline("upload dataset titanic from data/titanic/ds_full target=Survived; load dataset titanic")
    child.expect(prompt(3))
    # Enough trees to take several seconds even on a quiet machine (the bar appears after 1 s).
    child.sendline("train rf trees=20000")
    child.expect(r"\d+/20000 trees\s+[\d.]+ trees/s\s+\S+ left", timeout=60)
    child.expect("trained rf", timeout=240)
    child.expect(prompt(4))
    child.sendcontrol("d")
    child.expect(pexpect.EOF)


def test_pipeline_defined_over_several_lines_runs_with_live_steps_and_ctrl_c_cancels(workspace):
    child = start(workspace)
    child.sendline("upload dataset titanic from data/titanic/ds_full target=Survived")
    child.expect(prompt(2))
    child.sendline("pipeline train(trees=20) {")
    child.expect(re.escape("...> "))
    child.sendline("  load dataset titanic")
    child.sendline("  train rf trees=$trees")
    child.sendline("}")
    child.expect(re.escape("defined pipeline train(trees=20) v1 — 2 steps: load dataset → train rf"))
    child.expect(prompt(3))
    child.sendline("run pipeline train")
    child.expect(r"2/2  train rf\s+succeeded")  # a step line printed while the run goes
    child.expect(r"run \d+: train v1 on local — succeeded")
    child.expect(prompt(4))
    child.sendline("run pipeline train trees=20000 reuse=false")
    child.expect(r"2/2  train rf\s+running")
    child.sendcontrol("c")
    child.expect(r"cancelled")
    child.expect(prompt(5))  # the session carries on
    child.sendline("runs pipeline train")
    child.expect("cancelled")
    child.sendline(".quit")
    child.expect(pexpect.EOF)


def test_a_block_typed_over_several_lines_is_one_history_entry_across_sessions(workspace):
    child = start(workspace)
    child.sendline("echo {")
    child.expect(re.escape("...> "))
    child.sendline("  two lines")
    child.expect(re.escape("...> "))
    child.sendline("}")
    child.expect(prompt(2))
    child.sendcontrol("d")
    child.expect(pexpect.EOF)

    child = start(workspace)
    child.sendline(".history")
    child.expect(r"1  echo \{\r\n  two lines\r\n\}\r\n\s+2  \.history")
    child.sendcontrol("d")
    child.expect(pexpect.EOF)


def test_save_into_another_folder_writes_paths_the_script_replays_with(workspace, tmp_path):
    child = start(workspace)  # the REPL runs in scripts/, so data/… is relative to it
    child.sendline("upload dataset titanic from data/titanic/ds_half target=Survived; load dataset titanic")
    child.expect(re.escape("loaded titanic v1"))
    child.expect(prompt(3))
    saved = tmp_path / "sub" / "s.rappi"
    saved.parent.mkdir()
    child.sendline(f".save {saved}")
    child.expect("saved 2 statements")
    child.expect(prompt(3))  # Ctrl-D before readline is back would be lost on a busy machine
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    text = saved.read_text()
    assert "from data/titanic" not in text, text
    output = subprocess.run([BINARY, "run", str(saved), "--workspace", str(tmp_path / "other-ws")],
                            cwd="/", capture_output=True, text=True, timeout=60)
    assert output.returncode == 0, output.stderr
    assert "loaded titanic v1 — 446 rows" in output.stdout


def test_save_as_a_notebook_keeps_outputs_and_replays_with_run(workspace, tmp_path):
    child = start(workspace)
    child.sendline("upload dataset titanic from data/titanic/ds_half target=Survived; load dataset titanic")
    child.expect(re.escape("loaded titanic v1"))
    child.expect(prompt(3))
    child.sendline("set seed -1")  # fails: not saved
    child.expect(prompt(4))
    child.sendline("train logreg; evaluate")
    child.expect("confusion matrix")
    child.expect(prompt(6))
    saved = tmp_path / "session.ipynb"
    child.sendline(f".save {saved}")
    child.expect("saved 4 statements")
    child.expect(prompt(6))
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    notebook = json.loads(saved.read_text())
    assert (notebook["nbformat"], notebook["nbformat_minor"]) == (4, 5)
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert ["".join(c["source"]) for c in code][2:] == ["train logreg", "evaluate"]
    assert [o["output_type"] for o in code[3]["outputs"]] == ["execute_result", "display_data", "display_data", "display_data"]
    output = subprocess.run([BINARY, "run", str(saved), "--workspace", str(tmp_path / "other-ws")],
                            cwd="/", capture_output=True, text=True, timeout=120)
    assert output.returncode == 0, output.stderr
    assert "accuracy" in output.stdout


def test_a_path_with_spaces_completes_inside_double_quotes(workspace, tmp_path):
    folder = tmp_path / "my data"
    folder.mkdir()
    shutil.copy(os.path.join(SCRIPTS, "data", "titanic", "ds_half", "titanic_half.csv"), folder / "half.csv")
    child = pexpect.spawn(BINARY, ["--workspace", workspace], cwd=str(tmp_path), encoding="utf-8",
                          timeout=30, dimensions=(40, 200), env={**os.environ, "TERM": "xterm"})
    child.expect(prompt(1))
    child.send("upload dataset t from my\t")
    child.expect(re.escape('"my data/'))
    child.send("ha\t")
    child.expect(re.escape('half.csv"'))  # readline redraws only what the completion added
    child.send(" target=Survived\r")
    child.expect(re.escape("created t v1 — 446 rows"))
    child.expect(prompt(2))
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
