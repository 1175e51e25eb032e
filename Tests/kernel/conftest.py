"""Shared set-up for the kernel tests: the kernelspec installed with `rappi kernel install
--prefix` into a private folder that JUPYTER_PATH points at, and a private workspace
(RAPPI_WORKSPACE) the kernels open. Done at import, before any kernel starts."""
import atexit
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("RAPPI_BINARY", os.path.join(ROOT, ".build", "debug", "rappi"))
KERNEL_HOME = tempfile.mkdtemp(prefix="rappi-kernel-")
atexit.register(shutil.rmtree, KERNEL_HOME, ignore_errors=True)

subprocess.run([BINARY, "kernel", "install", "--prefix", KERNEL_HOME], check=True, capture_output=True)
os.environ["JUPYTER_PATH"] = os.path.join(KERNEL_HOME, "share", "jupyter")
os.environ["RAPPI_WORKSPACE"] = os.path.join(KERNEL_HOME, "ws")
