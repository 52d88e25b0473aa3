"""Adam and AdamW, numerically equal to ``torch.optim.Adam`` and ``torch.optim.AdamW``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_bool
from . import _kernels
from ._common import (
    check_state,
    elementwise,
    learning_rate,
    lerp,
    nonnegative,
    prepare,
    rate,
    unit_interval_open,
    validated,
)

__all__ = ["Adam", "AdamW", "AdamState"]


class AdamState(NamedTuple):
    """State of :class:`Adam` and :class:`AdamW`: updates done, the first and second raw
    moments, and (only with ``amsgrad``, else None) the running maximum of the second."""

    t: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray | None


def _check_adam(opt) -> None:
    validated(opt, lr=learning_rate, beta1=unit_interval_open, beta2=unit_interval_open,
              eps=nonnegative, weight_decay=nonnegative, amsgrad=check_bool)


def _init_adam(opt, params) -> AdamState:
    params, _ = prepare(params, params)
    zeros = np.zeros_like(params)
    return AdamState(0, zeros, zeros.copy(), zeros.copy() if opt.amsgrad else None)


def _adam_update(ops, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, lr,
                 bias_correction1, bias_correction2_sqrt, opt, decoupled):
    """Update ``t`` of Adam (AdamW if ``decoupled``), in torch's order (``_single_tensor_adam``).

    Elementwise: the arguments are arrays or single floats (see ``elementwise``).
    """
    if opt.weight_decay != 0:
        if decoupled:
            param = param * (1 - lr * opt.weight_decay)
        else:
            grad = grad + opt.weight_decay * param
    exp_avg = lerp(exp_avg, grad, 1 - opt.beta1)
    exp_avg_sq = exp_avg_sq * opt.beta2 + ((1 - opt.beta2) * grad) * grad
    step_size = lr / bias_correction1
    if opt.amsgrad:
        max_exp_avg_sq = ops.maximum(max_exp_avg_sq, exp_avg_sq)
        denom = ops.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + opt.eps
    else:
        denom = ops.sqrt(exp_avg_sq) / bias_correction2_sqrt + opt.eps
    param = param + ops.divide((-step_size) * exp_avg, denom)
    return param, exp_avg, exp_avg_sq, max_exp_avg_sq


def _adam_step(opt, params, grads, state, *, decoupled: bool, name: str, inplace: bool):
    """One Adam update: the step's scalars here, the arithmetic in :func:`_adam_update`."""
    params, grads = prepare(params, grads, inplace)
    check_state(state, AdamState, name)
    lr = rate(opt.lr, state.t, params.dtype)
    t = state.t + 1
    # Python's float ** int is C pow, as torch's beta ** step.item().
    bias_correction1 = 1 - opt.beta1**t
    bias_correction2_sqrt = (1 - opt.beta2**t) ** 0.5
    arrays = (params, grads, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq)
    # The compiled loop when numba is installed (the same numbers, one pass over memory),
    # else the formula as numpy expressions.
    results = _kernels.adam(arrays, lr, bias_correction1, bias_correction2_sqrt, opt,
                            decoupled, inplace)
    if results is None:
        results = elementwise(_adam_update, arrays,
                              (lr, bias_correction1, bias_correction2_sqrt, opt, decoupled),
                              inplace=inplace)
    params, exp_avg, exp_avg_sq, max_exp_avg_sq = results
    return params, AdamState(t, exp_avg, exp_avg_sq, max_exp_avg_sq)


_STEP_DOC = """One update; returns new parameters and a new state.

        Parameters
        ----------
        params, grads : array_like
            Parameters and the gradient at them.
        state : AdamState
            From :meth:`init` or the previous :meth:`step`.
        inplace : bool, default False
            Write the results into ``params`` and the state's arrays, and return them (see
            :mod:`lrlib.optimizers`); by default the inputs are not modified.

        Returns
        -------
        params : numpy.ndarray
        state : AdamState
        """

_INIT_DOC = """The state before the first update: ``t = 0`` and zero moments.

        Parameters
        ----------
        params : array_like
            The initial parameters; the state takes their shape and dtype.

        Returns
        -------
        AdamState
        """


@dataclass(frozen=True)
class Adam:
    r"""Adam (Kingma & Ba, 2015), numerically equal to ``torch.optim.Adam``.

    Parameters
    ----------
    lr : float, array or callable, default 1e-3
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)` of the first and second moments.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{\hat v}` (the bias-corrected scale).
    amsgrad : bool, default False
        Divide by the running maximum of the raw :math:`v` (Reddi et al., 2018).
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0` added to the gradient (coupled; see :class:`AdamW`
        for the decoupled form).

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n`, :math:`m_{-1} = v_{-1} = 0` and the
    bias-correction count :math:`t = n + 1`, update :math:`n` reads

    .. math::
        m_n = \beta_1 m_{n-1} + (1-\beta_1)\,\tilde g_n, \qquad
        v_n = \beta_2 v_{n-1} + (1-\beta_2)\,\tilde g_n^2,

    .. math::
        \theta_{n+1} = \theta_n - \frac{\eta_n}{1-\beta_1^t}\,
        \frac{m_n}{\sqrt{v_n}/\sqrt{1-\beta_2^t} + \epsilon}

    :math:`m_n, v_n` are the raw first and second moment estimates;
    :math:`m_n/(1-\beta_1^t)` and :math:`v_n/(1-\beta_2^t)` their bias-corrected versions
    :math:`\hat m, \hat v`. With AMSGrad, :math:`v_n` in the denominator is replaced by
    :math:`\max_{k \le n} v_k` (the maximum of the *raw* :math:`v`, divided by the current
    :math:`\sqrt{1-\beta_2^t}`, as torch and Keras do; optax takes the maximum of :math:`\hat v`).

    - :math:`\epsilon` is added to :math:`\sqrt{\hat v_n}`, as in the paper's Algorithm 1
      (Keras adds its :math:`\hat\epsilon` to the uncorrected :math:`\sqrt{v_n}`).
    - The first step is :math:`\eta\, g_0/(|g_0| + \epsilon)`: the rate times the sign of
      the gradient, whatever the gradient's size.
    - Where a denominator is exactly 0 (only with :math:`\epsilon = 0`) the step is 0.

    PyTorch twin: ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps,
    weight_decay=wd, amsgrad=amsgrad)``.

    References
    ----------
    .. [1] D. P. Kingma, J. Ba, "Adam: A method for stochastic optimization", ICLR 2015.
    .. [2] S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond",
       ICLR 2018.

    Examples
    --------
    >>> opt = Adam(lr=0.1)
    >>> x = np.array([1.0, 1.0])
    >>> x, state = opt.step(x, np.array([3.0, -4.0]), opt.init(x))
    >>> x, state.t
    (array([0.9, 1.1]), 1)
    """

    lr: Any = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    amsgrad: bool = False
    weight_decay: float = 0.0

    def __post_init__(self):
        _check_adam(self)

    def init(self, params) -> AdamState:
        return _init_adam(self, params)

    def step(self, params, grads, state: AdamState, *,
             inplace: bool = False) -> tuple[np.ndarray, AdamState]:
        return _adam_step(self, params, grads, state, decoupled=False, name="Adam",
                          inplace=inplace)

    init.__doc__ = _INIT_DOC
    step.__doc__ = _STEP_DOC


@dataclass(frozen=True)
class AdamW:
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay; equals
    ``torch.optim.AdamW``.

    Parameters
    ----------
    lr : float, array or callable, default 1e-3
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)` of the first and second moments.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{\hat v}`.
    weight_decay : float, default 1e-2
        Decoupled decay :math:`\lambda \ge 0`, multiplied by the current rate.
    amsgrad : bool, default False
        Divide by the running maximum of the raw :math:`v`.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    Update :math:`n` first shrinks the parameters, then takes :class:`Adam`'s step (with
    :math:`\lambda = 0` there) from the shrunk point:

    .. math::
        \theta_n' = \theta_n\,(1 - \eta_n \lambda), \qquad
        \theta_{n+1} = \theta_n' - \frac{\eta_n}{1-\beta_1^t}\,
        \frac{m_n}{\sqrt{v_n}/\sqrt{1-\beta_2^t} + \epsilon}

    with :math:`m_n, v_n, t = n+1` as in :class:`Adam`, built from the raw gradient
    :math:`g_n` (the decay never enters the moments). Because the decay is multiplied by
    :math:`\eta_n`, a schedule scales it too (torch, Keras and optax agree on this; the
    paper's :math:`\eta_t` multiplier is the schedule multiplier).

    PyTorch twin: ``torch.optim.AdamW(params, lr, betas=(beta1, beta2), eps,
    weight_decay=wd, amsgrad=amsgrad)``.

    References
    ----------
    .. [1] I. Loshchilov, F. Hutter, "Decoupled weight decay regularization", ICLR 2019.

    Examples
    --------
    With a zero gradient AdamW only shrinks the weights, by the factor :math:`1-\eta\lambda`:

    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> x = np.array([1.0, -2.0])
    >>> x, state = opt.step(x, np.zeros(2), opt.init(x))
    >>> x
    array([ 0.95, -1.9 ])
    """

    lr: Any = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 1e-2
    amsgrad: bool = False

    def __post_init__(self):
        _check_adam(self)

    def init(self, params) -> AdamState:
        return _init_adam(self, params)

    def step(self, params, grads, state: AdamState, *,
             inplace: bool = False) -> tuple[np.ndarray, AdamState]:
        return _adam_step(self, params, grads, state, decoupled=True, name="AdamW",
                          inplace=inplace)

    init.__doc__ = _INIT_DOC
    step.__doc__ = _STEP_DOC
