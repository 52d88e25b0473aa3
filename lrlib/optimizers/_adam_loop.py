"""Adam's update as one compiled loop (numba): imported by :mod:`._kernels` only.

The loop body is :func:`lrlib.optimizers.adam._adam_update` written for one coordinate,
operation for operation in the same order. Every constant is first rounded to the
parameters' dtype, as numpy rounds a Python float that meets an array, so float32 parameters
are updated in float32 arithmetic, as numpy and torch do. ``tests/test_kernels.py`` checks
that the two give the same bits.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, error_model="numpy")
def adam_inplace(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, scalars,
                 decoupled, coupled, amsgrad):
    """One Adam update of flat arrays, written over the parameters and the moments.

    ``scalars``: 1 - lr * weight_decay, weight_decay, 1 - beta1, 1 - (1 - beta1), beta2,
    1 - beta2, bias_correction2_sqrt, eps, -lr / bias_correction1, as Python floats.
    Without ``amsgrad``, ``max_exp_avg_sq`` is a placeholder that is never touched.
    """
    c = np.empty(len(scalars), param.dtype)
    for k in range(len(scalars)):
        c[k] = scalars[k]                 # rounded to the dtype, as numpy rounds them
    # Loaded once, as scalars: the compiler keeps them in registers and vectorises the loop.
    decay_factor, weight_decay, weight, one_minus_weight, beta2 = c[0], c[1], c[2], c[3], c[4]
    one_minus_beta2, bias_correction2_sqrt, eps, neg_step_size = c[5], c[6], c[7], c[8]
    zero = eps * 0
    for i in range(param.size):
        p = param[i]
        g = grad[i]
        if decoupled:
            p = p * decay_factor
        elif coupled:
            g = g + weight_decay * p
        m = exp_avg[i]                    # torch.lerp(m, g, weight)
        diff = g - m
        if weight < 0.5:
            m = m + weight * diff
        else:
            m = g - diff * one_minus_weight
        v = exp_avg_sq[i] * beta2 + (one_minus_beta2 * g) * g
        if amsgrad:
            top = max_exp_avg_sq[i]
            if not (top >= v or top != top):  # numpy's maximum: a NaN wins
                top = v
            max_exp_avg_sq[i] = top
            denom = np.sqrt(top) / bias_correction2_sqrt + eps
        else:
            denom = np.sqrt(v) / bias_correction2_sqrt + eps
        if denom != 0:
            p = p + (neg_step_size * m) / denom
        else:                             # eps = 0, no gradient yet: no move (see divide)
            p = p + zero
        param[i] = p
        exp_avg[i] = m
        exp_avg_sq[i] = v
