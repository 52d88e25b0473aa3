r"""The task registry and the students' self-check: :class:`Task`, :func:`tasks`, :func:`check`.

Every homework task is a function the student writes (``time_based_decay(lr0, decay, n)``,
...). A task's *checker* calls that function on cases and compares each answer with lrlib's,
raising :class:`CaseFailed` at the first wrong one. The cases are drawn from a seeded random
generator, so two runs use different cases (a hard-coded answer fails) while a run can be
repeated exactly from its seed. Checkers never show reference code: a failure reports the
case, the expected value and the value received.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._validation import check_int, fail_type, fail_value

__all__ = ["Task", "CaseFailed", "tasks", "check"]

_REGISTRY: dict[tuple[str, str], "Task"] = {}


@dataclass(frozen=True)
class Task:
    r"""One homework task: the function a student writes, its points and its checker.

    Parameters
    ----------
    assignment : str
        ``"hw1"`` to ``"hw4"``.
    name : str
        ``"task1"``, ``"task2"``, ... within the assignment.
    function : str
        Name of the function the student defines in the notebook.
    title : str
        What the function computes, in a few words (used in the stub's message).
    points : int
        Points for a task that passes every case.
    checker : callable
        ``checker(function, rng, hidden) -> int``: runs the cases (more of them when
        ``hidden``), raises :class:`CaseFailed` at the first wrong answer, returns the number
        of cases passed.
    from_scratch : bool, default True
        The answer must not call lrlib's implementation of the same thing; the grader notes
        (without deducting) a graded function whose source mentions ``lrlib``.

    Examples
    --------
    >>> task = tasks("hw1")[0]
    >>> task.function, task.points
    ('time_based_decay', 2)
    >>> task.stub_message
    "Homework 1, task 1: the seed's time-based decay (time_based_decay)"
    """

    assignment: str
    name: str
    function: str
    title: str
    points: int
    checker: Callable = field(repr=False, compare=False)
    from_scratch: bool = True

    @property
    def number(self) -> int:
        """The task's number, 1 for ``"task1"``."""
        return int(self.name.removeprefix("task"))

    @property
    def stub_message(self) -> str:
        """The message of the student edition's ``NotImplementedError``."""
        homework = int(self.assignment.removeprefix("hw"))
        return f"Homework {homework}, task {self.number}: {self.title} ({self.function})"


def register(assignment: str, name: str, *, function: str, title: str, points: int,
             from_scratch: bool = True):
    """Decorator that registers a checker as a task (used by the ``hw*`` modules)."""
    def decorate(checker):
        _REGISTRY[(assignment, name)] = Task(assignment, name, function, title, points, checker,
                                             from_scratch)
        return checker
    return decorate


def tasks(assignment: str | None = None) -> list[Task]:
    """The registered tasks, in order: all of them, or those of one assignment.

    Parameters
    ----------
    assignment : str, optional
        ``"hw1"`` to ``"hw4"``; all tasks when omitted.

    Returns
    -------
    list of Task

    Raises
    ------
    ValueError
        For an unknown assignment.

    Examples
    --------
    >>> [(t.name, t.function, t.points) for t in tasks("hw1")][:2]
    [('task1', 'time_based_decay', 2), ('task2', 'inverse_time_decay', 1)]
    >>> sum(t.points for t in tasks("hw1"))
    10
    """
    known = sorted({a for a, _ in _REGISTRY})
    if assignment is not None and assignment not in known:
        raise fail_value("assignment", "one of " + ", ".join(repr(a) for a in known), assignment)
    found = [t for (a, _), t in _REGISTRY.items() if assignment in (None, a)]
    return sorted(found, key=lambda t: (int(t.assignment[2:]), t.number))


def find_task(assignment: str, name: str) -> Task:
    """The task ``name`` of ``assignment``; ValueError naming the choices if there is none."""
    choices = [t.name for t in tasks(assignment)]
    if name not in choices:
        raise fail_value("task", "one of " + ", ".join(repr(c) for c in choices), name)
    return _REGISTRY[(assignment, name)]


# ---------------------------------------------------------------------------- failures

def show(value) -> str:
    """A compact text for a value in a failure message (numbers to 10 significant digits)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        return repr(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.10g}"
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        return np.array2string(value, precision=10, threshold=12, separator=", ",
                               max_line_width=200)
    if isinstance(value, (list, tuple)) and len(value) <= 12:
        inner = ", ".join(show(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


class CaseFailed(AssertionError):
    """The student's function gave a wrong answer (or raised) on one case.

    Parameters
    ----------
    case : str
        The case, with its arguments: ``"lr0=0.1, decay=0.01, n=2"``.
    expected, got : object
        The right answer and the answer received (shown to 10 significant digits), or
        ``got = None`` and ``reason`` for other failures.
    reason : str, optional
        Replaces "expected ..., got ..." when given (an exception, a wrong shape, a burst).

    Examples
    --------
    >>> print(CaseFailed("n=2", 0.099, 0.1))
    case n=2: expected 0.099, got 0.1
    >>> print(CaseFailed("n=2", None, None, reason="your function raised ZeroDivisionError"))
    case n=2: your function raised ZeroDivisionError
    """

    def __init__(self, case: str, expected=None, got=None, reason: str | None = None):
        self.case, self.expected, self.got, self.reason = case, expected, got, reason
        detail = reason if reason is not None else f"expected {show(expected)}, got {show(got)}"
        super().__init__(f"case {case}: {detail}")


def ask(function, case: str, *args, **kwargs):
    """Call the student's ``function``; an exception other than NotImplementedError becomes a
    :class:`CaseFailed` naming the case (NotImplementedError propagates: "not done yet")."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:  # the student's code may raise anything
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        message = f"your function raised {type(error).__name__}" + (f": {text}" if text else "")
        raise CaseFailed(case, reason=message) from None


def as_number(case: str, got) -> float:
    """The student's answer as a float, or CaseFailed saying what was received instead."""
    if got is None or isinstance(got, (str, bytes)):
        raise CaseFailed(case, reason=f"expected a number, got {show(got)}")
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CaseFailed(case, reason=f"expected a number, got {show(got)}") from None
    if array.size != 1:
        raise CaseFailed(case, reason=f"expected one number, got an array of shape {array.shape}")
    return float(array.reshape(()))


def same_number(case: str, expected, got, *, rtol: float = 1e-9, atol: float = 0.0) -> None:
    """Raise CaseFailed unless the answer is a number within the tolerances of ``expected``."""
    value = as_number(case, got)
    expected = float(expected)
    if not (abs(value - expected) <= atol + rtol * abs(expected)):  # NaN fails
        raise CaseFailed(case, expected, value)


def as_array(case: str, got, shape: tuple, what: str = "the answer") -> np.ndarray:
    """The answer as a float array of ``shape``, or CaseFailed describing what came back."""
    if got is None or isinstance(got, (str, bytes)):
        raise CaseFailed(case, reason=f"expected {what} as an array of numbers, got {show(got)}")
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CaseFailed(case, reason=f"expected {what} as an array of numbers, "
                                      f"got {show(got)}") from None
    if array.shape != tuple(shape):
        raise CaseFailed(case, reason=f"expected {what} of shape {tuple(shape)}, "
                                      f"got shape {array.shape}")
    return array


def same_array(case: str, expected, got, *, what: str = "the answer", rtol: float = 1e-9,
               atol: float = 0.0) -> None:
    """Raise CaseFailed unless ``got`` has ``expected``'s shape and agrees elementwise."""
    expected = np.asarray(expected, dtype=float)
    array = as_array(case, got, expected.shape, what)
    close = np.abs(array - expected) <= atol + rtol * np.abs(expected)
    if not np.all(close):  # NaN fails
        if expected.size <= 6:
            raise CaseFailed(case, reason=f"{what}: expected {show(expected)}, got {show(array)}")
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        raise CaseFailed(case, reason=f"{what}{list(index)}: expected {show(expected[index])}, "
                                      f"got {show(array[index])}")


def unpack(case: str, got, count: int, what: str):
    """A tuple of ``count`` items from the answer, or CaseFailed."""
    if not isinstance(got, (tuple, list)) or len(got) != count:
        raise CaseFailed(case, reason=f"expected a tuple {what}, got {show(got)}")
    return tuple(got)


def rounded(value: float, digits: int = 3) -> float:
    """``value`` to ``digits`` significant digits, so that a printed case is the exact case."""
    return float(f"{value:.{digits}g}")


# ---------------------------------------------------------------------------- running a task

@dataclass(frozen=True)
class Outcome:
    """What running one task's checks gave (``check`` prints it; the grader records it)."""

    task: Task
    status: str          # "passed", "failed", "not implemented", "error"
    message: str
    cases: int
    seed: int
    seconds: float

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def text(self, hidden: bool) -> str:
        head = f"{self.task.assignment} {self.task.name} ({self.task.function})"
        kind = "hidden and public" if hidden else "public"
        if self.passed:
            return f"{head}: passed, {self.cases} {kind} cases (seed {self.seed})"
        if self.status == "not implemented":
            return f"{head}: not implemented yet ({self.message}); write the function, then check again"
        return (f"{head}: {self.status}: {self.message}\n    (seed {self.seed}; "
                f"check(..., seed={self.seed}) repeats these cases)")


def new_seed() -> int:
    """A fresh seed from the operating system's entropy (printed, so a run can be repeated)."""
    return int.from_bytes(os.urandom(4), "little")


def run_task(task: Task, function, *, hidden: bool, seed: int) -> Outcome:
    """Run ``task``'s checker on ``function`` with cases drawn from ``seed``."""
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    try:
        cases = task.checker(function, rng, hidden)
        status, message = "passed", ""
    except NotImplementedError as error:
        cases, status = 0, "not implemented"
        message = f"NotImplementedError: {error}" if str(error) else "NotImplementedError"
    except CaseFailed as failure:
        cases, status, message = 0, "failed", str(failure)
    except Exception as error:  # raised outside a case, e.g. by a returned schedule
        cases, status = 0, "error"
        message = f"{type(error).__name__}: {error}"
    return Outcome(task, status, message, cases, seed, time.perf_counter() - start)


def check(assignment: str, task: str, function, *, hidden: bool = False, seed: int | None = None,
          verbose: bool = True) -> bool:
    r"""Check a homework function on cases drawn at random; print what happened.

    Prints "passed" and the number of cases, or the first case that failed as
    ``case <arguments>: expected <value>, got <value>`` (never the reference code), with the
    seed that repeats the cases. Use it as ``assert check(...)`` in a test cell.

    Parameters
    ----------
    assignment : str
        ``"hw1"`` to ``"hw4"``.
    task : str
        ``"task1"``, ``"task2"``, ... (see :func:`tasks`).
    function : callable
        The student's function (for the tuning task, the function returning the
        configuration).
    hidden : bool, default False
        Also run the hidden cases (many more random ones, as the grader does).
    seed : int, optional
        Seed of the random cases; a fresh one from ``os.urandom`` when omitted (printed).
    verbose : bool, default True
        Print the outcome.

    Returns
    -------
    bool
        True if every case passed.

    Raises
    ------
    ValueError, TypeError
        For an unknown assignment or task, a ``function`` that is not callable, a bad seed.

    Examples
    --------
    >>> def time_based_decay(lr0, decay, n):
    ...     rate = lr0
    ...     for k in range(n):
    ...         rate = rate / (1 + decay * k)
    ...     return rate
    >>> check("hw1", "task1", time_based_decay, seed=7)
    hw1 task1 (time_based_decay): passed, 8 public cases (seed 7)
    True
    >>> check("hw1", "task1", lambda lr0, decay, n: lr0 / (1 + decay * n), seed=7)
    hw1 task1 (time_based_decay): failed: case lr0=0.1, decay=0.01, n=1: expected 0.1, got 0.09900990099
        (seed 7; check(..., seed=7) repeats these cases)
    False
    """
    found = find_task(assignment, task)
    if not callable(function):
        raise fail_type("function", "the function you wrote (a callable)", function)
    seed = new_seed() if seed is None else check_int("seed", seed, min_value=0)
    outcome = run_task(found, function, hidden=hidden, seed=seed)
    if verbose:
        print(outcome.text(hidden))
    return outcome.passed
