"""Compiled kernels: Adam and AdamW in one pass over memory, when numba is installed.

numpy evaluates a rule's formula one operation at a time, and each operation is a pass over
the arrays: thirteen for an Adam step. A compiled loop makes one pass, reading each
coordinate's parameter, gradient and moments once and writing the results once; at a million
parameters that is 4-6x faster than the numpy expressions, and at two parameters it skips
the per-coordinate Python evaluation. The loop is the same arithmetic in the same order, in
the parameters' dtype, so the numbers are the same, bit for bit (``tests/test_kernels.py``).

numba is optional (``pip install lrlib[fast]``; the book's environment has it). Without it,
or with the environment variable ``LRLIB_KERNELS=0``, or where a kernel does not apply (an
array of rates, mixed shapes or dtypes, an in-place update of a 2-D array that is not
C-contiguous), the rule runs as numpy expressions (:func:`lrlib.optimizers._common.elementwise`).
The first kernel call of a process imports numba and compiles the loop for the parameters'
dtype, or loads it from numba's cache: about 0.7 s the first time, 0.3 s from the cache.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

__all__ = ["ENABLED", "available", "adam"]

#: Use compiled kernels where they apply (set the environment variable LRLIB_KERNELS=0, or
#: this attribute to False, to run every rule as numpy expressions).
ENABLED = os.environ.get("LRLIB_KERNELS", "1").strip() != "0"

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_loops = None  # the module of compiled loops once loaded; False if numba is missing
_PLACEHOLDER = {dtype: np.empty(0, dtype) for dtype in _FLOATS}


def available() -> bool:
    """True when the kernels are enabled and numba can be imported."""
    return ENABLED and _load() is not None


def _load():
    global _loops
    if _loops is None:
        if importlib.util.find_spec("numba") is None:
            _loops = False
        else:
            from . import _adam_loop

            _loops = _adam_loop
    return _loops or None


def _applies(arrays, lr, inplace: bool) -> bool:
    """All arrays (None aside) of one float dtype and shape, a scalar rate, and, in place,
    C-contiguous arrays to write to (flat views of them are what the loop updates)."""
    params = arrays[0]
    shape, dtype = params.shape, params.dtype
    if dtype not in _FLOATS or not shape or (type(lr) is np.ndarray and lr.ndim):
        return False
    for array in arrays[1:]:
        if array is not None and (type(array) is not np.ndarray or array.shape != shape
                                  or (array.dtype is not dtype and array.dtype != dtype)):
            return False
    if inplace and len(shape) > 1:
        return all(a is None or a.flags.c_contiguous for a in arrays[:1] + arrays[2:])
    return True  # 1-D arrays: the loop reads and writes them through their strides


def adam(arrays: tuple, lr, bias_correction1: float, bias_correction2_sqrt: float, opt,
         decoupled: bool, inplace: bool):
    """Adam's update by the compiled loop, or None when the kernel does not apply.

    ``arrays`` and the scalars are those :func:`lrlib.optimizers.adam._adam_update` receives;
    the results are its results (new arrays, or ``arrays``' own when ``inplace``).
    """
    if not ENABLED or not _applies(arrays, lr, inplace):
        return None
    loops = _loops or _load()
    if loops is None:
        return None
    params, grads, exp_avg, exp_avg_sq, max_exp_avg_sq = arrays
    amsgrad = max_exp_avg_sq is not None
    if not inplace:  # the results start as copies, which the loop then updates
        params, exp_avg, exp_avg_sq = params.copy(), exp_avg.copy(), exp_avg_sq.copy()
        max_exp_avg_sq = max_exp_avg_sq.copy() if amsgrad else None
    # Without AMSGrad the loop gets an empty placeholder for the maximum (never touched; an
    # array of its own, so that the compiler sees no overlap to guard against).
    loop_arrays = (params, grads, exp_avg, exp_avg_sq,
                   max_exp_avg_sq if amsgrad else _PLACEHOLDER[params.dtype])
    if params.ndim > 1:  # flat views (copies, for an input that is not contiguous)
        loop_arrays = tuple(a.reshape(-1) for a in loop_arrays)
    # Each constant as _adam_update computes it: from a Python float rate, Python floats;
    # from a 0-d array rate (a schedule's numpy number), 0-d arrays of the dtype, as numpy
    # computes them. The loop rounds them to the dtype, as numpy does when an array
    # operation meets a Python float.
    weight = 1 - opt.beta1
    scalars = (1 - lr * opt.weight_decay, opt.weight_decay, weight, 1.0 - weight, opt.beta2,
               1 - opt.beta2, bias_correction2_sqrt, opt.eps, -(lr / bias_correction1))
    if type(lr) is not float:
        scalars = tuple(float(s) for s in scalars)
    decay = opt.weight_decay != 0
    loops.adam_inplace(*loop_arrays, scalars, decay and decoupled, decay and not decoupled,
                       amsgrad)
    return params, exp_avg, exp_avg_sq, max_exp_avg_sq
