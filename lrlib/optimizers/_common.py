"""Helpers shared by the update rules: array preparation, the rate of an update, torch's lerp,
and :func:`elementwise`, which evaluates a rule's arithmetic the fastest way.

Every rule follows the same pattern::

    params, grads = prepare(params, grads, inplace)   # float arrays of one dtype
    check_state(state, AdamState, "Adam")
    lr = rate(self.lr, state.t, params.dtype)          # the rate of update n = state.t
    params, exp_avg, ... = elementwise(_adam_update, (params, grads, state.exp_avg, ...),
                                       (lr, ...), inplace=inplace)  # the rule's arithmetic

The update function (``_adam_update``) is the rule's formula, written once with Python's
operators and ``ops.sqrt``, ``ops.maximum``, ``ops.divide``: it runs unchanged on whole arrays,
on blocks of them and on single Python floats, and gives the same numbers on each.

Adam and AdamW also have a compiled form of their update (``_kernels``, used when numba is
installed): the same operations in the same order, tested equal bit for bit.

Nothing here mutates its arguments, except ``elementwise(..., inplace=True)``, which writes
the results into the parameters and state arrays it was given (what ``step(..., inplace=True)``
asks for).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._validation import check_bool, check_lr, check_real, fail_type, fail_value, lr_at

__all__ = [
    "as_float_array",
    "prepare",
    "rate",
    "lerp",
    "divide",
    "elementwise",
    "ArrayMath",
    "FloatMath",
    "SCALAR_SIZE",
    "BLOCK_SIZE",
    "check_state",
    "validated",
    "learning_rate",
    "nonnegative",
    "unit_interval_open",
]

#: Up to this many float64 coordinates an update runs on Python floats, one coordinate at a
#: time: numpy's fixed cost per operation (about 0.3 us) outweighs the arithmetic on a few
#: numbers (a 2-parameter Adam step takes about 5 us this way, 10 us as array operations).
SCALAR_SIZE = 8

#: From twice this many coordinates on, an update runs block by block: a rule's temporaries
#: then stay in the CPU cache instead of streaming through main memory (a float64 Adam step
#: on 1e6 parameters: about 5.0 ms this way, 5.8 ms on the whole arrays).
BLOCK_SIZE = 1 << 16


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


def prepare(params, grads, inplace: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Parameters and gradients as float arrays of the parameters' dtype.

    With ``inplace`` the parameters must already be a writable float array (they will be
    overwritten): anything else raises TypeError rather than updating a converted copy.
    """
    if inplace is not False:
        check_bool("inplace", inplace)
    if type(params) is not np.ndarray or params.dtype.kind != "f":
        if inplace:
            raise fail_type("params", "a writable float numpy array when inplace=True", params)
        params = as_float_array("params", params)
    if inplace and not params.flags.writeable:
        raise fail_value("params", "writable when inplace=True (this array is read-only)",
                         params)
    if type(grads) is not np.ndarray or grads.dtype != params.dtype:
        grads = as_float_array("grads", grads).astype(params.dtype, copy=False)
    return params, grads


def rate(lr, t: int, dtype):
    """The learning rate of update ``t`` (0-based), in a form that keeps ``dtype``.

    A Python float is returned as is (numpy treats it as a weak scalar, so float32 parameters
    stay float32); an array, or a numpy scalar returned by a schedule, is cast to ``dtype``.
    """
    if type(lr) is float:  # the common case, first
        return lr
    value = lr_at(lr, t)
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value, dtype=dtype)
    return value


def lerp(start, end, weight: float):
    """``start + weight * (end - start)`` computed as ``torch.lerp`` does (arrays or floats).

    torch switches formula at ``|weight| = 0.5`` so that both ends are reproduced exactly;
    following it keeps moment estimates within an ulp of torch's.
    """
    diff = end - start
    if abs(weight) < 0.5:
        return start + weight * diff
    return end - diff * (1.0 - weight)


def divide(numerator, denominator):
    """``numerator / denominator``, with 0 wherever the denominator is exactly 0.

    A zero denominator only occurs with ``eps = 0`` in a coordinate whose gradients have all
    been zero, so the numerator is zero as well: the coordinate does not move (torch would
    produce NaN there). No division warning is raised.
    """
    denominator = np.asarray(denominator)
    # The usual case, one plain division: every denominator nonzero (NaN counts as nonzero).
    # Denominators are usually positive, and min() is the cheaper test (a third of all()'s
    # time on a large float32 array); all() decides the rest.
    if not denominator.size or denominator.min() > 0 or denominator.all():
        return numerator / denominator
    shape = np.broadcast_shapes(np.shape(numerator), denominator.shape)
    out = np.zeros(shape, dtype=np.result_type(numerator, denominator))
    return np.divide(numerator, denominator, out=out, where=denominator != 0)


class ArrayMath:
    """The functions an update uses beyond ``+ - * /``, for numpy arrays (see :func:`elementwise`)."""

    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)
    divide = staticmethod(divide)


class FloatMath:
    """The same functions for Python floats, with numpy's results (NaN in, NaN out)."""

    @staticmethod
    def sqrt(x: float) -> float:
        return math.sqrt(x) if x >= 0.0 else math.nan

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return a if (a >= b or a != a) else b

    @staticmethod
    def divide(numerator: float, denominator: float) -> float:
        return numerator / denominator if denominator != 0.0 else 0.0


_QUIET = dict(over="ignore", invalid="ignore", under="ignore", divide="ignore")


def elementwise(update, arrays: tuple, constants: tuple = (), inplace: bool = False) -> tuple:
    """``update(ops, *arrays, *constants)``: one update of a rule, evaluated the fastest way.

    Parameters
    ----------
    update : callable
        The rule's arithmetic, elementwise: written with Python's operators and ``ops.sqrt``,
        ``ops.maximum``, ``ops.divide`` only, so that it runs on arrays and on floats alike.
        It returns the new parameters, then the new state arrays in the order of
        ``arrays[2:]`` (None for a state entry the rule does not use).
    arrays : tuple
        The parameters, the gradients, then the state arrays (None where unused).
    constants : tuple
        Everything else: the rate, the step count, the optimizer itself.
    inplace : bool, default False
        Write the results into the arrays they replace (the parameters and the state arrays)
        and return those; by default they are new arrays, none of them one of ``arrays``.

    Returns
    -------
    tuple
        ``update``'s results.

    Notes
    -----
    IEEE arithmetic is elementwise, so all three ways give the same numbers, bit for bit (a
    test checks it); they differ only in speed:

    - at most :data:`SCALAR_SIZE` float64 coordinates: once per coordinate, on Python floats;
    - at least twice :data:`BLOCK_SIZE` coordinates: block by block, so that temporaries stay
      in the cache (in place, each block's results go straight into the arrays they replace:
      the update allocates nothing of the arrays' size);
    - otherwise, or when an array must broadcast (a column of rates against a batch of
      parameters): once, on the whole arrays.

    Overflow in a diverging run gives inf and NaN, without a warning.
    """
    params = arrays[0]
    shape, dtype = params.shape, params.dtype
    aligned, float64, numpy_constants = True, dtype == np.float64, False
    for array in arrays:
        if array is not None:
            aligned = aligned and array.shape == shape
            float64 = float64 and array.dtype == np.float64
    for constant in constants:
        if type(constant) is np.ndarray:  # an array rate (rate() never gives a numpy scalar)
            numpy_constants = True
            aligned = aligned and constant.ndim == 0
    targets = (params, *arrays[2:]) if inplace else None
    if aligned and params.ndim:
        if params.size <= SCALAR_SIZE and float64:
            if numpy_constants:  # a 0-d rate from a schedule: the same number as a float
                constants = [c.item() if type(c) is np.ndarray else c for c in constants]
            try:
                results = _per_coordinate(update, arrays, constants, shape)
            except ArithmeticError:  # a float operation numpy would answer with inf or NaN
                pass
            else:  # new arrays
                return _store(results, targets) if inplace else results
        elif params.size >= 2 * BLOCK_SIZE and (
                not inplace or all(t is None or t.flags.c_contiguous for t in targets)):
            return _per_block(update, arrays, constants, shape, targets)
    with np.errstate(**_QUIET):
        results = update(ArrayMath, *arrays, *constants)
    if inplace:
        return _store(results, targets)
    # A rule may hand an input on unchanged (the first momentum buffer is the gradient):
    # copy it, so that the caller's arrays are never returned.
    return tuple(result.copy() if result is not None and any(result is a for a in arrays)
                 else result for result in results)


def _store(results, targets) -> tuple:
    """Copy each result into its target (where there is one); return the targets."""
    stored = []
    for result, target in zip(results, targets):
        if target is None or result is None:
            stored.append(result)
            continue
        if np.shape(result) != target.shape:
            raise ValueError(f"inplace=True needs results of the parameters' shape "
                             f"{target.shape}, but the rate broadcasts them to "
                             f"{np.shape(result)}; got inplace=True")
        np.copyto(target, result)
        stored.append(target)
    return tuple(stored)


def _per_coordinate(update, arrays, constants, shape):
    columns = [itertools.repeat(None) if a is None else a.ravel().tolist() for a in arrays]
    rows = [update(FloatMath, *values, *constants) for values in zip(*columns)]
    flat = len(shape) == 1
    return tuple(None if column[0] is None else
                 np.array(column) if flat else np.array(column).reshape(shape)
                 for column in zip(*rows))


def _per_block(update, arrays, constants, shape, targets=None):
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    size = flat[0].size
    targets = targets or (None,) * len(arrays)
    with np.errstate(**_QUIET):
        # The new arrays are allocated before any block's temporaries (their number and dtypes
        # from one coordinate): allocated later, they make the allocator return memory to the
        # system and fault it back in at every step (measured: a third of the time). In place,
        # the targets (contiguous: reshape gives views) take the blocks' results directly.
        probe = update(ArrayMath, *(None if a is None else a[:1] for a in flat), *constants)
        results = [None if part is None else
                   np.empty(size, dtype=part.dtype) if target is None else target.reshape(-1)
                   for part, target in zip(probe, targets)]
        for start in range(0, size, BLOCK_SIZE):
            block = slice(start, start + BLOCK_SIZE)
            parts = update(ArrayMath, *(None if a is None else a[block] for a in flat),
                           *constants)
            for result, part in zip(results, parts):
                if result is not None:
                    result[block] = part
    return tuple(None if result is None else target if target is not None else
                 result.reshape(shape) for result, target in zip(results, targets))


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
