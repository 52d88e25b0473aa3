"""What every schedule module shares: the ``Schedule`` protocol and the sequence checks.

The public names are re-exported by :mod:`lrlib.schedules`; nothing here is meant to be
imported from this module directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ._validation import check_int, check_real, fail_type, fail_value

__all__ = ["Schedule"]


@runtime_checkable
class Schedule(Protocol):
    """Anything that maps a 0-based step (or an integer array of steps) to a learning rate.

    Every schedule of :mod:`lrlib.schedules` satisfies this protocol, and so does any plain
    function ``step -> lr`` that accepts integer arrays; optimizers accept either wherever
    they take ``lr``.

    Examples
    --------
    >>> from lrlib.schedules import Constant
    >>> isinstance(Constant(0.1), Schedule)
    True
    >>> isinstance(0.1, Schedule)
    False
    """

    def __call__(self, step):  # pragma: no cover - a protocol has no body
        """The learning rate of ``step``: a float for an int, an array for an array."""
        ...


def set_field(instance, name: str, value) -> None:
    """Store a normalised argument on a frozen dataclass (``__post_init__`` only).

    >>> from lrlib.schedules import Constant
    >>> Constant(1).lr  # stored as the float that check_real returned
    1.0
    """
    object.__setattr__(instance, name, value)


def check_sequence(name: str, value) -> list:
    """``value`` as a list, if it is a one-dimensional sequence (list, tuple, range, array).

    >>> check_sequence("milestones", range(10, 30, 10))
    [10, 20]
    >>> check_sequence("milestones", 10)
    Traceback (most recent call last):
    ...
    TypeError: milestones must be a sequence; got milestones=10 (int)
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise fail_type(name, "a sequence", value)
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise fail_value(name, "a one-dimensional sequence", value)
    return list(value)


def check_int_sequence(name: str, value, *, min_value: int, strictly: bool) -> tuple[int, ...]:
    """A sequence of integers >= ``min_value``, increasing (``strictly`` or not), as a tuple.

    >>> check_int_sequence("boundaries", [10, 20], min_value=1, strictly=True)
    (10, 20)
    >>> check_int_sequence("boundaries", [20, 10], min_value=1, strictly=True)
    Traceback (most recent call last):
    ...
    ValueError: boundaries must be strictly increasing; got boundaries=[20, 10]
    """
    items = check_sequence(name, value)
    numbers = tuple(check_int(f"{name}[{i}]", item, min_value=min_value)
                    for i, item in enumerate(items))
    pairs = list(zip(numbers, numbers[1:]))
    if strictly and any(later <= earlier for earlier, later in pairs):
        raise fail_value(name, "strictly increasing", value)
    if not strictly and any(later < earlier for earlier, later in pairs):
        raise fail_value(name, "in increasing order (repeats allowed)", value)
    return numbers


def check_real_sequence(name: str, value, *, min_value: float) -> tuple[float, ...]:
    """A sequence of finite reals >= ``min_value``, as a tuple of floats.

    >>> check_real_sequence("values", [1, 0.5], min_value=0.0)
    (1.0, 0.5)
    """
    items = check_sequence(name, value)
    return tuple(check_real(f"{name}[{i}]", item, min_value=min_value)
                 for i, item in enumerate(items))


def check_schedule(name: str, value):
    """A schedule: any callable ``step -> lr``.

    >>> check_schedule("schedule", 0.1)
    Traceback (most recent call last):
    ...
    TypeError: schedule must be a schedule (a callable step -> lr); got schedule=0.1 (float)
    """
    if not callable(value) or isinstance(value, np.ndarray):
        raise fail_type(name, "a schedule (a callable step -> lr)", value)
    return value


def evaluate(schedule, steps: np.ndarray) -> np.ndarray:
    """``schedule`` on an int64 array of steps, as a float64 array of the same shape.

    A schedule may return a scalar for an array (``lambda n: 0.1``); it is broadcast.

    >>> evaluate(lambda n: 0.1, np.arange(3))
    array([0.1, 0.1, 0.1])
    """
    return np.broadcast_to(np.asarray(schedule(steps), dtype=float), steps.shape).copy()
