r"""The autograder: execute a notebook, score every task, report and write a CSV.

``python -m lrlib.grading NOTEBOOK... [--csv FILE]`` calls :func:`grade_notebook` for each
notebook and :func:`write_csv` for the table.

How a notebook is graded:

1. It is executed top to bottom with nbclient (kernel ``python3``, working directory the
   notebook's folder, a timeout per cell, errors allowed: a cell that raises, a syntax error
   included, does not stop the cells after it; a cell that runs too long is interrupted).
2. One more cell runs in the same kernel: it re-imports lrlib (so a notebook that patched
   lrlib cannot change the checks), takes each task's function from the notebook's globals
   and runs its public and hidden cases (:func:`lrlib.grading.check` with ``hidden=True``)
   with the student's printing captured and a time limit per task.
3. A task scores its points when every case passes, else 0, with the reason: the first failing
   case, ``NotImplementedError`` (the untouched stub), a missing function, a time-out.
"""

from __future__ import annotations

import csv
import dataclasses
import inspect
import io
import json
import re
import secrets
import signal
import threading
import time
import warnings
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from .._validation import check_int, check_real, fail_value
from .registry import new_seed, run_task, tasks

__all__ = ["TaskGrade", "NotebookGrade", "grade_notebook", "write_csv"]

CSV_COLUMNS = ("notebook", "assignment", "task", "function", "points", "max_points", "status",
               "message", "seed", "cases", "note")


@dataclass(frozen=True)
class TaskGrade:
    """The grade of one task of one notebook.

    Attributes
    ----------
    task, function : str
        ``"task1"`` and the name of the student's function.
    points, max_points : int
        Points scored (all or nothing) and available.
    status : str
        ``"passed"``, ``"failed"``, ``"not implemented"``, ``"missing"`` (no such function),
        ``"error"``, ``"timeout"`` or ``"not graded"`` (the notebook could not be run).
    message : str
        Why it failed: the first failing case, "expected X, got Y".
    seed : int
        Seed of this task's random cases (``check(..., hidden=True, seed=seed)`` repeats them).
    cases : int
        Cases passed.
    note : str
        For the instructor, e.g. "the function's source mentions lrlib".

    Examples
    --------
    >>> TaskGrade("task1", "time_based_decay", 2, 2, "passed", "", 11, 44).points
    2
    """

    task: str
    function: str
    points: int
    max_points: int
    status: str
    message: str
    seed: int
    cases: int = 0
    note: str = ""


@dataclass(frozen=True)
class NotebookGrade:
    """The grades of one notebook: one :class:`TaskGrade` per task, and how the run went.

    Attributes
    ----------
    path : Path
        The notebook graded.
    assignment : str
        ``"hw1"`` to ``"hw4"``.
    tasks : tuple of TaskGrade
        In task order.
    seed : int
        Seed of the run; task ``i`` (0-based) used ``seed + i``.
    seconds : float
        Wall time of the execution and the checks.
    cell_errors : tuple of str
        One line per notebook cell that raised (the stubs of an untouched edition do).
    problem : str
        Empty, or why the notebook could not be graded (unreadable file, kernel died).

    Examples
    --------
    >>> grade = NotebookGrade(Path("hw1.ipynb"), "hw1", (
    ...     TaskGrade("task1", "time_based_decay", 2, 2, "passed", "", 11, 44),
    ...     TaskGrade("task2", "inverse_time_decay", 0, 1, "failed",
    ...               "case n=1: expected 1, got 2", 12)),
    ...     seed=11, seconds=1.0)
    >>> grade.total, grade.max_total
    (2, 3)
    >>> print(grade.table())
    hw1.ipynb: hw1, 2 / 3 points (seed 11, 1.0 s)
      task1  time_based_decay     2 / 2  passed (44 cases)
      task2  inverse_time_decay   0 / 1  failed: case n=1: expected 1, got 2
      total                       2 / 3
    """

    path: Path
    assignment: str
    tasks: tuple
    seed: int
    seconds: float
    cell_errors: tuple = ()
    problem: str = ""

    @property
    def total(self) -> int:
        """Points scored."""
        return sum(t.points for t in self.tasks)

    @property
    def max_total(self) -> int:
        """Points available."""
        return sum(t.max_points for t in self.tasks)

    def table(self) -> str:
        """The report printed by the command line: one line per task and the total."""
        lines = [f"{self.path}: {self.assignment}, {self.total} / {self.max_total} points "
                 f"(seed {self.seed}, {self.seconds:.1f} s)"]
        if self.problem:
            lines.append(f"  could not be graded: {self.problem}")
        width = max([len(t.function) for t in self.tasks] + [8])
        for t in self.tasks:
            detail = f"passed ({t.cases} cases)" if t.status == "passed" else (
                f"{t.status}: {t.message}" if t.message else t.status)
            note = f"  [{t.note}]" if t.note else ""
            lines.append(f"  {t.task:<6} {t.function:<{width}}  {t.points:>2} / {t.max_points:<2} "
                         f"{detail}{note}")
        lines.append(f"  {'total':<6} {'':<{width}}  {self.total:>2} / {self.max_total}")
        if self.cell_errors:
            lines.append(f"  ({len(self.cell_errors)} cells raised while the notebook ran; "
                         f"first: {self.cell_errors[0]})")
        return "\n".join(lines)


# ---------------------------------------------------------------------- inside the kernel

class _TaskTimeout(BaseException):
    """Raised by the alarm; a BaseException so that ``except Exception`` cannot swallow it."""


def _mentions_lrlib(function) -> bool:
    try:
        return "lrlib" in inspect.getsource(function)
    except (OSError, TypeError):
        return False


def grade_namespace(assignment: str, namespace: dict, *, seed: int, task_timeout: float) -> list:
    """Grade the functions found in ``namespace`` (a notebook's globals): a list of dicts."""
    rows = []
    for index, task in enumerate(tasks(assignment)):
        task_seed = (seed + index) % 2**32
        row = dict(task=task.name, function=task.function, points=0, max_points=task.points,
                   status="missing", message=f"the notebook defines no function {task.function}",
                   seed=task_seed, cases=0, note="")
        function = namespace.get(task.function)
        if callable(function):
            if task.from_scratch and _mentions_lrlib(function):
                row["note"] = "the function's source mentions lrlib"
            # The alarm needs SIGALRM (not on Windows) and the main thread (ipykernel's).
            alarm = (hasattr(signal, "SIGALRM") and task_timeout > 0
                     and threading.current_thread() is threading.main_thread())

            def on_alarm(signum, frame):
                raise _TaskTimeout()

            previous = signal.signal(signal.SIGALRM, on_alarm) if alarm else None
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, task_timeout)
            try:
                with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                    outcome = run_task(task, function, hidden=True, seed=task_seed)
                row.update(status=outcome.status, message=outcome.message, cases=outcome.cases,
                           points=task.points if outcome.passed else 0)
            except _TaskTimeout:
                row.update(status="timeout", message=f"the checks took longer than {task_timeout:g} s")
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # SystemExit from the student's code, say
                row.update(status="error", message=f"{type(error).__name__}: {error}")
            finally:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)
        rows.append(row)
    return rows


def report_in_kernel(assignment: str, namespace: dict, *, seed: int, task_timeout: float,
                     marker: str) -> None:
    """Print ``marker`` and the grades as JSON on one line (what the grading cell does)."""
    rows = grade_namespace(assignment, namespace, seed=seed, task_timeout=task_timeout)
    print(marker + json.dumps(rows))


def _grading_cell(assignment: str, seed: int, task_timeout: float, marker: str) -> str:
    return (
        "import sys as _lrlib_sys\n"
        "for _lrlib_name in [n for n in _lrlib_sys.modules\n"
        "                    if n == 'lrlib' or n.startswith('lrlib.')]:\n"
        "    del _lrlib_sys.modules[_lrlib_name]\n"
        "import lrlib.grading.autograde as _lrlib_autograde\n"
        f"_lrlib_autograde.report_in_kernel({assignment!r}, globals(), seed={seed}, "
        f"task_timeout={task_timeout!r}, marker={marker!r})\n"
    )


# ---------------------------------------------------------------------- outside the kernel

def assignment_of(notebook: dict, path: Path) -> str | None:
    """``metadata.lrlib_grading.assignment``, else ``hwN`` from the file name, else None."""
    named = notebook.get("metadata", {}).get("lrlib_grading", {}).get("assignment")
    if named:
        return named
    match = re.search(r"hw(\d+)", path.name, re.IGNORECASE)
    return f"hw{int(match.group(1))}" if match else None


def _not_graded(assignment: str, seed: int, reason: str) -> tuple:
    return tuple(TaskGrade(t.name, t.function, 0, t.points, "not graded", reason,
                           (seed + i) % 2**32) for i, t in enumerate(tasks(assignment)))


def _cell_errors(cells) -> tuple:
    found = []
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                lines = str(output.get("evalue", "")).splitlines()
                found.append(f"cell {index}: {output.get('ename')}: {lines[0][:120] if lines else ''}")
    return tuple(found)


def grade_notebook(path, *, assignment: str | None = None, seed: int | None = None,
                   timeout: float = 120.0, task_timeout: float = 120.0) -> NotebookGrade:
    r"""Execute a notebook and grade every task of its assignment.

    Parameters
    ----------
    path : str or Path
        The notebook.
    assignment : str, optional
        ``"hw1"`` to ``"hw4"``; default: the notebook's ``metadata.lrlib_grading.assignment``,
        else ``hwN`` in the file name.
    seed : int, optional
        Seed of the run (task ``i`` uses ``seed + i``); fresh from ``os.urandom`` if omitted.
    timeout : float, default 120
        Seconds each notebook cell may run before it is interrupted.
    task_timeout : float, default 120
        Seconds each task's checks may run.

    Returns
    -------
    NotebookGrade
        Never raises for a broken notebook: an unreadable file or a dead kernel gives status
        "not graded" (0 points) with the reason in ``problem``.

    Raises
    ------
    ValueError
        If the assignment cannot be told, or for a bad argument.

    Examples
    --------
    A notebook that defines one task's function (the others are missing):

    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> code = "def inverse_time_decay(lr0, decay, n):\n    return lr0 / (1 + decay * n)\n"
    >>> cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
    ...           "source": code}]
    >>> _ = (folder / "hw1_mine.ipynb").write_text(json.dumps({"cells": cells, "metadata": {},
    ...                                            "nbformat": 4, "nbformat_minor": 5}))
    >>> grade = grade_notebook(folder / "hw1_mine.ipynb", seed=5)
    >>> [(t.task, t.points, t.status) for t in grade.tasks][:2]
    [('task1', 0, 'missing'), ('task2', 1, 'passed')]
    """
    path = Path(path)
    timeout = check_real("timeout", timeout, min_value=0.0, min_inclusive=False)
    task_timeout = check_real("task_timeout", task_timeout, min_value=0.0, min_inclusive=False)
    seed = new_seed() if seed is None else check_int("seed", seed, min_value=0)
    start = time.perf_counter()
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        notebook, problem = None, f"unreadable notebook ({type(error).__name__}: {error})"
    assignment = assignment or (assignment_of(notebook, path) if notebook else assignment_of({}, path))
    if assignment is None:
        raise fail_value("assignment", "given (the notebook's metadata and name do not tell)", None)
    tasks(assignment)  # validates the name
    if notebook is None:
        return NotebookGrade(path, assignment, _not_graded(assignment, seed, problem), seed,
                             time.perf_counter() - start, (), problem)

    import nbformat
    from nbclient import NotebookClient

    marker = f"LRLIB-GRADES-{secrets.token_hex(8)} "
    try:
        with warnings.catch_warnings():  # e.g. cells without ids, from older Jupyter versions
            warnings.simplefilter("ignore")
            node = nbformat.reads(json.dumps(notebook), as_version=4)
    except Exception as error:  # a JSON file that is not a notebook
        problem = f"not a notebook ({type(error).__name__}: {error})"
        return NotebookGrade(path, assignment, _not_graded(assignment, seed, problem), seed,
                             time.perf_counter() - start, (), problem)
    node.cells = [c for c in node.cells if c.cell_type in ("code", "markdown", "raw")]
    grading = nbformat.v4.new_code_cell(_grading_cell(assignment, seed, task_timeout, marker))
    node.cells.append(grading)
    per_cell = int(max(timeout, 1))
    budget = int(task_timeout * len(tasks(assignment)) + 60.0)  # the grading cell's own limit
    client = NotebookClient(node, timeout=per_cell, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False,
                            timeout_func=lambda cell: budget if cell is grading else per_cell,
                            resources={"metadata": {"path": str(path.resolve().parent)}})
    problem = ""
    try:
        client.execute()
    except Exception as error:  # DeadKernelError, a kernel that cannot start, ...
        problem = f"{type(error).__name__}: {str(error).strip()[:200]}"
    rows = None
    for output in node.cells[-1].get("outputs", []):
        if output.get("output_type") == "stream":
            for line in output.get("text", "").splitlines():
                if line.startswith(marker):
                    rows = json.loads(line[len(marker):])
    errors = _cell_errors(node.cells[:-1])
    seconds = time.perf_counter() - start
    if rows is None:
        failure = _cell_errors(node.cells[-1:])
        problem = problem or (failure[0] if failure else "the grading cell printed no grades")
        return NotebookGrade(path, assignment, _not_graded(assignment, seed, problem), seed,
                             seconds, errors, problem)
    grades = tuple(TaskGrade(**row) for row in rows)
    return NotebookGrade(path, assignment, grades, seed, seconds, errors, problem)


def write_csv(grades, path) -> Path:
    r"""Write one row per task and a ``total`` row per notebook.

    Parameters
    ----------
    grades : iterable of NotebookGrade
    path : str or Path
        The CSV file (overwritten).

    Returns
    -------
    Path

    Notes
    -----
    Columns: notebook, assignment, task, function, points, max_points, status, message, seed,
    cases, note. The ``total`` row has task ``total`` and the notebook's sums.

    Examples
    --------
    >>> import tempfile
    >>> grade = NotebookGrade(Path("hw1.ipynb"), "hw1",
    ...     (TaskGrade("task1", "time_based_decay", 2, 2, "passed", "", 11, 44),), 11, 1.0)
    >>> out = write_csv([grade], Path(tempfile.mkdtemp()) / "grades.csv")
    >>> print(out.read_text().strip())
    notebook,assignment,task,function,points,max_points,status,message,seed,cases,note
    hw1.ipynb,hw1,task1,time_based_decay,2,2,passed,,11,44,
    hw1.ipynb,hw1,total,,2,2,,,11,,
    """
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for grade in grades:
            for task in grade.tasks:
                row = dataclasses.asdict(task)
                writer.writerow([str(grade.path), grade.assignment] + [row[c] for c in CSV_COLUMNS[2:]])
            status = "" if not grade.problem else "not graded"
            writer.writerow([str(grade.path), grade.assignment, "total", "", grade.total,
                             grade.max_total, status, grade.problem, grade.seed, "", ""])
    return path
