"""Helpers shared by the update rules: array preparation, the rate of an update, torch's lerp.

Every rule follows the same pattern::

    params, grads = prepare(params, grads)            # float arrays of one dtype
    check_state(state, AdamState, "Adam")
    lr = rate(self.lr, state.t, params.dtype)          # the rate of update n = state.t
    ... the rule's arithmetic, out of place ...

Nothing here mutates its arguments.
"""

from __future__ import annotations

import functools

import numpy as np

from .._validation import check_lr, check_real, fail_type, lr_at

__all__ = [
    "as_float_array",
    "prepare",
    "rate",
    "lerp",
    "divide",
    "check_state",
    "validated",
    "quiet",
    "learning_rate",
    "nonnegative",
    "unit_interval_open",
]


def as_float_array(name: str, values) -> np.ndarray:
    """``values`` as a real floating array: integers and bools become float64, floats keep
    their precision (float32 stays float32). Complex or non-numeric input raises TypeError.

    >>> as_float_array("params", [1, 2]).dtype
    dtype('float64')
    >>> as_float_array("params", np.zeros(2, dtype=np.float32)).dtype
    dtype('float32')
    """
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        raise fail_type(name, "an array of real numbers", values) from None
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise fail_type(name, "an array of real numbers", values)
    return array


def prepare(params, grads) -> tuple[np.ndarray, np.ndarray]:
    """Parameters and gradients as float arrays of the parameters' dtype."""
    params = as_float_array("params", params)
    grads = as_float_array("grads", grads).astype(params.dtype, copy=False)
    return params, grads


def rate(lr, t: int, dtype):
    """The learning rate of update ``t`` (0-based), in a form that keeps ``dtype``.

    A Python float is returned as is (numpy treats it as a weak scalar, so float32 parameters
    stay float32); an array, or a numpy scalar returned by a schedule, is cast to ``dtype``.
    """
    value = lr_at(lr, t)
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value, dtype=dtype)
    return value


def lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start + weight * (end - start)`` computed as ``torch.lerp`` does.

    torch switches formula at ``|weight| = 0.5`` so that both ends are reproduced exactly;
    following it keeps moment estimates within an ulp of torch's.
    """
    diff = end - start
    if abs(weight) < 0.5:
        return start + weight * diff
    return end - diff * (1.0 - weight)


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, with 0 wherever the denominator is exactly 0.

    A zero denominator only occurs with ``eps = 0`` in a coordinate whose gradients have all
    been zero, so the numerator is zero as well: the coordinate does not move (torch would
    produce NaN there). No division warning is raised.
    """
    shape = np.broadcast_shapes(np.shape(numerator), np.shape(denominator))
    out = np.zeros(shape, dtype=np.result_type(numerator, denominator))
    return np.divide(numerator, denominator, out=out, where=np.asarray(denominator) != 0)


def check_state(state, state_type: type, rule: str) -> None:
    """Raise TypeError unless ``state`` is a ``state_type`` (made by ``rule.init``)."""
    if not isinstance(state, state_type):
        raise fail_type("state", f"a {state_type.__name__} made by {rule}.init", state)


def validated(instance, **checks) -> None:
    """Store validated values on a frozen dataclass: ``checks`` maps a field to its checker.

    Each checker takes ``(name, value)`` and returns the value to store (a float for a
    number, the array copy for an array ``lr``, ...).
    """
    for name, checker in checks.items():
        object.__setattr__(instance, name, checker(name, getattr(instance, name)))


def nonnegative(name: str, value) -> float:
    """A finite number >= 0."""
    return check_real(name, value, min_value=0.0)


def unit_interval_open(name: str, value) -> float:
    """A finite number in [0, 1)."""
    return check_real(name, value, min_value=0.0, max_value=1.0, max_inclusive=False)


def learning_rate(name: str, value):
    """A number >= 0, an array >= 0, or a schedule."""
    return check_lr(name, value)


def quiet(step):
    """Run ``step`` with numpy's overflow/invalid/underflow warnings off.

    A diverging run overflows; the resulting inf and NaN propagate into the returned
    parameters, where the caller (``lrlib.run``) detects them. Warnings would only flood the
    output. Division by zero is avoided explicitly (see :func:`divide`), not silenced.
    """

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            return step(*args, **kwargs)

    return wrapper
