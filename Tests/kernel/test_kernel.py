"""rappi as a Jupyter kernel, checked by the Jupyter project's own conformance suite
(jupyter_kernel_test) against the built binary, plus what the suite does not cover:
interrupting a long command, state carried between cells, the session recorded as a run.

conftest.py installs the kernelspec into a private folder and points the kernels at a private
workspace.
"""
import json
import os
import sqlite3
import time
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel

from conftest import BINARY, KERNEL_HOME, ROOT

TITANIC = os.path.join(ROOT, "scripts", "data", "titanic", "ds_full")


class RappiKernelConformanceTests(jupyter_kernel_test.KernelTests):
    kernel_name = "rappi"
    language_name = "rappi"
    file_extension = ".rappi"

    code_hello_world = 'echo "hello, world"'
    code_generate_error = "train rf tress=10"
    code_execute_result = [{"code": "set seed 7", "result": "seed = 7"}]
    code_display_data = [
        {"code": f"upload dataset kt from {TITANIC} target=Survived; load dataset kt\n"
                 "split test=0.25 seed=1; train logreg; evaluate", "mime": "image/svg+xml"},
    ]
    completion_samples = [
        {"text": "uplo", "matches": {"upload"}},
        {"text": "train rf tre", "matches": {"trees="}},
        {"text": "split test=0.2 strat", "matches": {"stratify="}},
    ]
    complete_code_samples = ["echo hi", "set seed 3; echo done", 'pipeline p {\n  echo a\n}']
    incomplete_code_samples = ["pipeline p {", "pipeline p {\n  echo a"]
    invalid_code_samples = ["tain rf"]
    code_inspect_sample = "train rf"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "set seed*"


class RappiKernelSessionTests(unittest.TestCase):
    """What a notebook user relies on beyond the conformance suite."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="rappi")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def run_cell(self, code, timeout=120):
        outputs = []
        def keep(message):
            if message["msg_type"] in ("stream", "execute_result", "display_data", "error"):
                outputs.append(message)
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=keep)
        return reply["content"], outputs

    def test_values_published_in_one_cell_are_visible_in_the_next(self):
        content, _ = self.run_cell("set seed 11")
        self.assertEqual(content["status"], "ok")
        content, outputs = self.run_cell('echo "seed is" $seed')
        texts = [o["content"]["text"] for o in outputs if o["msg_type"] == "stream"]
        self.assertEqual(texts, ["seed is 11\n"])

    def test_an_error_names_the_line_and_column_in_the_cell(self):
        content, outputs = self.run_cell("echo fine\ntrain rf tress=10")
        self.assertEqual(content["status"], "error")
        self.assertEqual((content["line"], content["column"]), (2, 10))
        self.assertIn("did you mean 'trees'", content["evalue"])
        # Checked before anything ran: the first line printed nothing.
        self.assertEqual([o["msg_type"] for o in outputs], ["error"])

    def test_interrupt_stops_a_long_training_and_the_kernel_lives_on(self):
        self.run_cell(f"upload dataset big from {TITANIC} target=Survived; load dataset big")
        msg_id = self.kc.execute("train rf trees=100000")
        # Interrupt once the cell is running (an interrupt while idle is dropped, as in IPython).
        while True:
            message = self.kc.get_iopub_msg(timeout=30)
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "execute_input":
                break
        time.sleep(0.5)
        started = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=60)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertLess(time.monotonic() - started, 20, "the training did not stop soon after the interrupt")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("interrupted", reply["content"]["evalue"])
        content, outputs = self.run_cell('echo "still here"')
        self.assertEqual(content["status"], "ok")
        self.assertEqual(outputs[-1]["content"]["text"], "still here\n")

    def test_run_all_stops_at_the_first_failing_cell_and_the_next_run_works_again(self):
        # Made before any is sent, as a notebook's Run All stamps its cells: the kernel decides by
        # each request's own timestamp, so the order of sending and failing cannot race.
        messages = [self.kc.session.msg("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True,
        }) for code in ('echo "one"', "set seed -1", 'echo "three"', 'echo "four"')]
        for message in messages:
            self.kc.shell_channel.send(message)
        ids = [message["header"]["msg_id"] for message in messages]
        replies = {}
        while len(replies) < len(ids):
            reply = self.kc.get_shell_msg(timeout=30)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        self.assertEqual([replies[i] for i in ids], ["ok", "error", "aborted", "aborted"])
        content, outputs = self.run_cell('echo "five"')
        self.assertEqual(content["status"], "ok")
        self.assertEqual(outputs[-1]["content"]["text"], "five\n")

    def test_a_table_arrives_as_an_html_table_beside_its_text(self):
        content, outputs = self.run_cell("runs")
        self.assertEqual(content["status"], "ok")
        [table] = [o["content"]["data"] for o in outputs if o["msg_type"] in ("display_data", "execute_result")]
        self.assertIn("started", table["text/plain"])
        self.assertIn('<table class="rappi-table"><thead><tr><th', table["text/html"])
        self.assertIn(">kernel</td>", table["text/html"])

    def test_the_session_is_recorded_as_one_kernel_run(self):
        self.run_cell('echo "recorded"')
        database = sqlite3.connect(os.path.join(os.environ["RAPPI_WORKSPACE"], "workspace.sqlite"))
        rows = database.execute(
            "SELECT c.statement FROM run_cells c JOIN runs r ON r.id = c.run_id WHERE r.kind = 'kernel'").fetchall()
        self.assertIn(('echo "recorded"',), rows)


def test_kernelspec_names_this_binary_by_absolute_path():
    spec = json.load(open(os.path.join(KERNEL_HOME, "share", "jupyter", "kernels", "rappi", "kernel.json")))
    assert spec["language"] == "rappi"
    assert os.path.isabs(spec["argv"][0]) and os.path.samefile(spec["argv"][0], BINARY)
    assert spec["argv"][1:] == ["kernel", "-f", "{connection_file}"]


class RappiKernelLifecycleTests(unittest.TestCase):
    """Messages that are not ours are ignored; a shutdown request ends the kernel and its run."""

    def test_a_message_signed_with_another_key_is_ignored_and_the_kernel_keeps_serving(self):
        km, kc = start_new_kernel(kernel_name="rappi")
        try:
            key = kc.session.key
            kc.session.key = b"not-the-connection-key"
            kc.execute('echo "forged"')
            time.sleep(1)
            kc.session.key = key
            self.assertEqual(kc.shell_channel.msg_ready(), False, "a forged request got a reply")
            reply = kc.execute_interactive('echo "genuine"', timeout=30)
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertEqual(reply["content"]["execution_count"], 1, "the forged request must not have run")
        finally:
            kc.stop_channels()
            km.shutdown_kernel()

    def test_shutdown_request_ends_the_process_and_closes_the_recorded_run(self):
        km, kc = start_new_kernel(kernel_name="rappi")
        kc.execute_interactive('echo "last words"', timeout=30)
        kc.stop_channels()
        started = time.monotonic()
        km.shutdown_kernel(now=False)  # a shutdown_request on the control channel, then a wait
        self.assertFalse(km.is_alive())
        self.assertLess(time.monotonic() - started, 5, "the kernel had to be killed instead of leaving on request")
        database = sqlite3.connect(os.path.join(os.environ["RAPPI_WORKSPACE"], "workspace.sqlite"))
        status = database.execute(
            "SELECT r.status FROM runs r JOIN run_cells c ON c.run_id = r.id WHERE c.statement = 'echo \"last words\"'").fetchone()
        self.assertEqual(status, ("ended",))
