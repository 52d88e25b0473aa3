"""Argument checks shared by the whole package.

Every public constructor validates its arguments here, so that every error message has the
same shape::

    ValueError: lr must be a finite number >= 0; got lr=-0.1
    TypeError: decay must be a real number; got decay='fast' (str)

Checks are written as ``if not (low <= value)`` so that NaN fails them.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

__all__ = [
    "check_real",
    "check_int",
    "check_bool",
    "check_choice",
    "check_lr",
    "check_steps",
    "lr_at",
    "fail_value",
    "fail_type",
]


def _show(value) -> str:
    """A short repr of ``value`` for an error message."""
    text = repr(value)
    if isinstance(value, np.ndarray) and len(text) > 60:
        text = f"array(shape={value.shape}, dtype={value.dtype})"
    return text


def fail_value(name: str, requirement: str, value) -> ValueError:
    """The package's ValueError: ``"<name> must be <requirement>; got <name>=<value>"``."""
    return ValueError(f"{name} must be {requirement}; got {name}={_show(value)}")


def fail_type(name: str, requirement: str, value) -> TypeError:
    """The package's TypeError, which also names the type received."""
    return TypeError(
        f"{name} must be {requirement}; got {name}={_show(value)} ({type(value).__name__})"
    )


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _bound_text(min_value, max_value, min_inclusive, max_inclusive) -> str:
    if min_value is not None and max_value is not None:
        left = "[" if min_inclusive else "("
        right = "]" if max_inclusive else ")"
        return f" in {left}{min_value:g}, {max_value:g}{right}"
    if min_value is not None:
        return f" {'>=' if min_inclusive else '>'} {min_value:g}"
    if max_value is not None:
        return f" {'<=' if max_inclusive else '<'} {max_value:g}"
    return ""


def _within(x, min_value, max_value, min_inclusive, max_inclusive) -> bool:
    ok = np.isfinite(x)
    if min_value is not None:
        ok &= (x >= min_value) if min_inclusive else (x > min_value)
    if max_value is not None:
        ok &= (x <= max_value) if max_inclusive else (x < max_value)
    return bool(np.all(ok))


def check_real(
    name: str,
    value,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number within the given bounds; return it as float.

    >>> check_real("lr", 0.1, min_value=0.0)
    0.1
    >>> check_real("lr", -0.1, min_value=0.0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number >= 0; got lr=-0.1
    >>> check_real("beta", float("nan"), min_value=0.0, max_value=1.0, max_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: beta must be a finite number in [0, 1); got beta=nan
    """
    requirement = "a finite number" + _bound_text(min_value, max_value, min_inclusive, max_inclusive)
    if not _is_real(value):
        raise fail_type(name, "a real number", value)
    if not _within(float(value), min_value, max_value, min_inclusive, max_inclusive):
        raise fail_value(name, requirement, value)
    return float(value)


def check_int(name: str, value, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """Check that ``value`` is an integer (not a bool, not a float) within bounds; return it.

    >>> check_int("every", 10, min_value=1)
    10
    >>> check_int("every", 0, min_value=1)
    Traceback (most recent call last):
    ...
    ValueError: every must be an integer >= 1; got every=0
    >>> check_int("every", 2.5, min_value=1)
    Traceback (most recent call last):
    ...
    TypeError: every must be an integer; got every=2.5 (float)
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
        raise fail_type(name, "an integer", value)
    value = int(value)
    ok = (min_value is None or value >= min_value) and (max_value is None or value <= max_value)
    if not ok:
        if min_value is not None and max_value is not None:
            requirement = f"an integer in [{min_value}, {max_value}]"
        elif min_value is not None:
            requirement = f"an integer >= {min_value}"
        else:
            requirement = f"an integer <= {max_value}"
        raise fail_value(name, requirement, value)
    return value


def check_bool(name: str, value) -> bool:
    """Check that ``value`` is a bool.

    >>> check_bool("nesterov", 1)
    Traceback (most recent call last):
    ...
    TypeError: nesterov must be True or False; got nesterov=1 (int)
    """
    if not isinstance(value, (bool, np.bool_)):
        raise fail_type(name, "True or False", value)
    return bool(value)


def check_choice(name: str, value, choices) -> str:
    """Check that ``value`` is one of ``choices``.

    >>> check_choice("mode", "linear", ("triangular", "triangular2", "exp_range"))
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of 'triangular', 'triangular2', 'exp_range'; got mode='linear'
    """
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise fail_value(name, f"one of {listed}", value)
    return value


def check_lr(name: str, value, *, allow_callable: bool = True):
    """Check a learning rate: a number >= 0, a callable ``step -> lr`` (a schedule), or an array.

    An array must be finite and non-negative everywhere; it is returned as a float64 array (a
    copy, so later changes to the caller's array cannot reach the optimizer).

    >>> check_lr("lr", 0.1)
    0.1
    >>> check_lr("lr", np.array([1e-3, 1e-2]))
    array([0.001, 0.01 ])
    >>> check_lr("lr", -0.1)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number >= 0; got lr=-0.1
    >>> check_lr("lr", "0.1")
    Traceback (most recent call last):
    ...
    TypeError: lr must be a number, an array or a schedule (a callable step -> lr); got lr='0.1' (str)
    """
    if allow_callable and callable(value) and not isinstance(value, np.ndarray):
        return value
    if _is_real(value):
        return check_real(name, value, min_value=0.0)
    if isinstance(value, (np.ndarray, list, tuple)):
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise fail_type(name, "an array of real numbers", value) from None
        if array.dtype == object or not _within(array, 0.0, None, True, True):
            raise fail_value(name, "finite and >= 0 everywhere", value)
        return array
    kinds = "a number, an array or a schedule (a callable step -> lr)" if allow_callable else (
        "a number or an array")
    raise fail_type(name, kinds, value)


def lr_at(lr, t: int):
    """The learning rate of update ``t`` (0-based): ``lr(t)`` for a schedule, else ``lr`` itself.

    >>> lr_at(0.1, 5)
    0.1
    >>> lr_at(lambda n: 0.1 / (n + 1), 4)
    0.02
    """
    if callable(lr):
        return lr(t)
    return lr


def check_steps(step) -> np.ndarray:
    """Validate a step or an array of steps; return them as an int64 array (0-d for a scalar).

    Steps are 0-based update counts: integers >= 0. Floats are accepted only when integral
    (``np.linspace`` output, say); a fractional or negative step raises.

    >>> check_steps(3)
    array(3)
    >>> check_steps([0, 1, 2.0])
    array([0, 1, 2])
    >>> check_steps(-1)
    Traceback (most recent call last):
    ...
    ValueError: step must be an integer >= 0 (or an array of them); got step=-1
    >>> check_steps(1.5)
    Traceback (most recent call last):
    ...
    ValueError: step must be an integer >= 0 (or an array of them); got step=1.5
    """
    if type(step) is int and 0 <= step < 2**63:  # the common case: an optimizer's step count
        return np.array(step, dtype=np.int64)
    requirement = "an integer >= 0 (or an array of them)"
    if isinstance(step, (bool, np.bool_, str, bytes)):
        raise fail_type("step", requirement, step)
    try:
        array = np.asarray(step)
    except (TypeError, ValueError):
        raise fail_type("step", requirement, step) from None
    if array.dtype.kind in "iu":
        if array.size and array.min() < 0:
            raise fail_value("step", requirement, step)
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        if not (np.all(np.isfinite(array)) and np.all(array >= 0) and np.all(array == np.floor(array))):
            raise fail_value("step", requirement, step)
        return array.astype(np.int64)
    raise fail_type("step", requirement, step)


def as_output(values: np.ndarray, steps: np.ndarray):
    """Return a Python float for a scalar step and a float64 array otherwise."""
    values = np.asarray(values, dtype=float)
    if steps.ndim == 0:
        return float(values)
    return values


def is_callable_lr(lr: Callable | float | np.ndarray) -> bool:
    """True when ``lr`` is a schedule (a callable), not a constant or an array."""
    return callable(lr) and not isinstance(lr, np.ndarray)
