"""How long the book takes: each chapter under nbval, the unit tests, a clean book build.

``make test`` runs a clean book build (on a fresh machine, or on CI) and then pytest: the unit
and oracle tests, every chapter under nbval, and the checks of the built book. Its time is
estimated here as the sum of those parts, each measured on its own (installing the pinned
requirements into a new .venv comes on top on a fresh machine). The clean book build runs
``jupyter-book build`` into a temporary folder, so that it starts with an empty execution
cache and leaves the working tree's ``_build`` alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def _run(command, timeout: float, cwd: Path = ROOT) -> dict:
    """Wall time, exit code and pytest's own summary line of ``command``."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        code, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        code, output = "timeout", str(expired.stdout or "")
    wall = time.perf_counter() - start
    summary = next((line.strip() for line in reversed(output.splitlines())
                    if re.search(r"\d+ (passed|failed|error)", line)), "")
    return {"wall_s": wall, "exit": code, "summary": summary}


def chapter_times(timeout: float = 900) -> list[dict]:
    """Each chapter executed under nbval (``pytest --nbval-lax chapters/NN_*.ipynb``)."""
    rows = []
    for notebook in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        result = _run(PYTEST + [str(notebook.relative_to(ROOT))], timeout)
        rows.append({"notebook": notebook.stem, **result})
    return rows


def unit_test_time(timeout: float = 1800) -> dict:
    """The unit, oracle and doctest part of pytest (``tests`` and ``lrlib``, not the book)."""
    return _run(PYTEST + ["tests", "lrlib", "--deselect", "tests/test_book.py"], timeout)


def book_test_time(timeout: float = 1800) -> dict:
    """The checks of the built book (``tests/test_book.py``, on the existing ``_build/html``)."""
    return _run(PYTEST + ["tests/test_book.py"], timeout)


def clean_book_time(timeout: float = 1800) -> dict:
    """``jupyter-book build`` from scratch, as ``make book`` on a fresh machine or on CI."""
    output = Path(tempfile.mkdtemp(prefix="lrlib-book-"))
    try:
        command = [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(output),
                   "-W", "-n", "--keep-going", "--all"]
        return _run(command, timeout)
    finally:
        shutil.rmtree(output, ignore_errors=True)
