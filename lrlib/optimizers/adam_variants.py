"""Adamax, NAdam and RAdam, numerically equal to their ``torch.optim`` namesakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

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

__all__ = ["Adamax", "AdamaxState", "NAdam", "NAdamState", "RAdam", "RAdamState"]


class AdamaxState(NamedTuple):
    """State of :class:`Adamax`: updates done, first moment, exponentially weighted inf-norm."""

    t: int
    exp_avg: np.ndarray
    exp_inf: np.ndarray


class NAdamState(NamedTuple):
    """State of :class:`NAdam`: updates done, raw moments, and the product of the momentum
    schedule :math:`\\prod_{i \\le t} \\mu_i` (1.0 before the first update)."""

    t: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    mu_product: float


class RAdamState(NamedTuple):
    """State of :class:`RAdam`: updates done and the raw first and second moments."""

    t: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


def _moments(param, grad, exp_avg, exp_avg_sq, opt):
    """The L2-decayed gradient and the updated raw moments (Adam's recursions), elementwise."""
    if opt.weight_decay != 0:
        grad = grad + opt.weight_decay * param
    exp_avg = lerp(exp_avg, grad, 1 - opt.beta1)
    exp_avg_sq = exp_avg_sq * opt.beta2 + ((1 - opt.beta2) * grad) * grad
    return grad, exp_avg, exp_avg_sq


def _adamax_update(ops, param, grad, exp_avg, exp_inf, lr, bias_correction1, opt):
    """Update of :class:`Adamax`, elementwise (arrays or single floats, see ``elementwise``)."""
    if opt.weight_decay != 0:
        grad = grad + opt.weight_decay * param
    exp_avg = lerp(exp_avg, grad, 1 - opt.beta1)
    exp_inf = ops.maximum(exp_inf * opt.beta2, abs(grad) + opt.eps)
    clr = lr / bias_correction1
    return param + ops.divide((-clr) * exp_avg, exp_inf), exp_avg, exp_inf


def _nadam_update(ops, param, grad, exp_avg, exp_avg_sq, lr, bias_correction2, mu, mu_next,
                  mu_product, mu_product_next, opt):
    """Update of :class:`NAdam`, elementwise: two separate additions, in torch's order."""
    grad, exp_avg, exp_avg_sq = _moments(param, grad, exp_avg, exp_avg_sq, opt)
    denom = ops.sqrt(exp_avg_sq / bias_correction2) + opt.eps
    param = param + ops.divide((-lr * (1.0 - mu) / (1.0 - mu_product)) * grad, denom)
    param = param + ops.divide(((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg, denom)
    return param, exp_avg, exp_avg_sq


def _radam_update(ops, param, grad, exp_avg, exp_avg_sq, lr, bias_correction1,
                  bias_correction2, rect, opt):
    """Update of :class:`RAdam`, elementwise; ``rect`` is None while not rectified."""
    grad, exp_avg, exp_avg_sq = _moments(param, grad, exp_avg, exp_avg_sq, opt)
    corrected_exp_avg = exp_avg / bias_correction1
    if rect is None:
        return param - corrected_exp_avg * lr, exp_avg, exp_avg_sq
    adaptive = ops.divide(bias_correction2**0.5, ops.sqrt(exp_avg_sq) + opt.eps)
    return param - corrected_exp_avg * lr * adaptive * rect, exp_avg, exp_avg_sq


def _zeros(params):
    params, _ = prepare(params, params)
    return np.zeros_like(params)


_INIT_DOC = """The state before the first update: ``t = 0`` and zero moments{extra}.

        Parameters
        ----------
        params : array_like
            The initial parameters; the state takes their shape and dtype.

        Returns
        -------
        {name}State
        """

_STEP_DOC = """One update; returns new parameters and a new state.

        Parameters
        ----------
        params, grads : array_like
            Parameters and the gradient at them.
        state : {name}State
            From :meth:`init` or the previous :meth:`step`.
        inplace : bool, default False
            Write the results into ``params`` and the state's arrays, and return them (see
            :mod:`lrlib.optimizers`); by default the inputs are not modified.

        Returns
        -------
        params : numpy.ndarray
        state : {name}State
        """


@dataclass(frozen=True)
class Adamax:
    r"""Adamax (Kingma & Ba, 2015, section 7.1), numerically equal to ``torch.optim.Adamax``.

    Parameters
    ----------
    lr : float, array or callable, default 2e-3
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)` of the first moment and the inf-norm.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to :math:`|g|` *inside* the maximum.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient first.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n`, :math:`m_{-1} = u_{-1} = 0` and
    :math:`t = n + 1`:

    .. math::
        m_n = \beta_1 m_{n-1} + (1-\beta_1)\,\tilde g_n, \qquad
        u_n = \max(\beta_2 u_{n-1},\; |\tilde g_n| + \epsilon), \qquad
        \theta_{n+1} = \theta_n - \frac{\eta_n}{1-\beta_1^t}\,\frac{m_n}{u_n}

    :math:`u_n` is the exponentially weighted infinity norm of the gradients (the
    :math:`p \to \infty` limit of Adam's :math:`\sqrt[p]{v}`); it needs no bias correction.
    The first step is :math:`\eta\, g_0/(|g_0|+\epsilon)`, about :math:`\eta\,\mathrm{sign}(g_0)`.

    PyTorch twin: ``torch.optim.Adamax(params, lr, betas=(beta1, beta2), eps,
    weight_decay=wd)``.

    References
    ----------
    .. [1] D. P. Kingma, J. Ba, "Adam: A method for stochastic optimization", ICLR 2015.

    Examples
    --------
    >>> opt = Adamax(lr=0.1)
    >>> x = np.array([1.0, 1.0])
    >>> x, state = opt.step(x, np.array([3.0, -4.0]), opt.init(x))
    >>> x
    array([0.9, 1.1])
    """

    lr: Any = 2e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, beta1=unit_interval_open, beta2=unit_interval_open,
                  eps=nonnegative, weight_decay=nonnegative)

    def init(self, params) -> AdamaxState:
        zeros = _zeros(params)
        return AdamaxState(0, zeros, zeros.copy())

    def step(self, params, grads, state: AdamaxState, *,
             inplace: bool = False) -> tuple[np.ndarray, AdamaxState]:
        params, grads = prepare(params, grads, inplace)
        check_state(state, AdamaxState, "Adamax")
        lr = rate(self.lr, state.t, params.dtype)
        t = state.t + 1
        params, exp_avg, exp_inf = elementwise(
            _adamax_update, (params, grads, state.exp_avg, state.exp_inf),
            (lr, 1 - self.beta1**t, self), inplace=inplace)
        return params, AdamaxState(t, exp_avg, exp_inf)

    init.__doc__ = _INIT_DOC.format(name="Adamax", extra="")
    step.__doc__ = _STEP_DOC.format(name="Adamax")


@dataclass(frozen=True)
class NAdam:
    r"""NAdam (Dozat, 2016): Adam with Nesterov momentum; numerically equal to
    ``torch.optim.NAdam``.

    Parameters
    ----------
    lr : float, array or callable, default 2e-3
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)` of the first and second moments.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{\hat v}`.
    momentum_decay : float, default 4e-3
        :math:`\psi \ge 0` of the momentum schedule :math:`\mu_t`.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient first.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n`, :math:`m_n, v_n` as in :class:`Adam`
    and :math:`t = n + 1`:

    .. math::
        \mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\psi}\right), \qquad
        \Pi_t = \prod_{i=1}^{t} \mu_i, \qquad
        d_n = \sqrt{v_n/(1-\beta_2^t)} + \epsilon,

    .. math::
        \theta_{n+1} = \theta_n - \eta_n \frac{1-\mu_t}{1-\Pi_t}\,\frac{\tilde g_n}{d_n}
        - \eta_n \frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\,\frac{m_n}{d_n}

    :math:`\mu_t` is the momentum schedule and :math:`\Pi_t` its running product (stored in
    the state as ``mu_product``). With :math:`\psi = 0.004`, :math:`\mu_t \approx \beta_1/2`
    for the first hundreds of steps (0.457 at :math:`t = 100`); ``momentum_decay=0`` gives
    the constant :math:`\beta_1/2`, not plain Nesterov-Adam.

    PyTorch twin: ``torch.optim.NAdam(params, lr, betas=(beta1, beta2), eps,
    weight_decay=wd, momentum_decay=psi)``, computed with float64 ``mu_product``.

    References
    ----------
    .. [1] T. Dozat, "Incorporating Nesterov momentum into Adam", ICLR 2016 workshop.
    .. [2] I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization
       and momentum in deep learning", ICML 2013.

    Examples
    --------
    The first step is :math:`\eta\,(1 + (1-\beta_1)\mu_2/(1-\mu_1\mu_2))` times the sign of
    the gradient (about :math:`1.0564\,\eta`):

    >>> opt = NAdam(lr=0.1)
    >>> x = np.array([1.0, 1.0])
    >>> x, state = opt.step(x, np.array([3.0, -4.0]), opt.init(x))
    >>> x.round(6), round(state.mu_product, 6)
    (array([0.894355, 1.105645]), 0.450073)
    """

    lr: Any = 2e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    momentum_decay: float = 4e-3
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, beta1=unit_interval_open, beta2=unit_interval_open,
                  eps=nonnegative, momentum_decay=nonnegative, weight_decay=nonnegative)

    def init(self, params) -> NAdamState:
        zeros = _zeros(params)
        return NAdamState(0, zeros, zeros.copy(), 1.0)

    def step(self, params, grads, state: NAdamState, *,
             inplace: bool = False) -> tuple[np.ndarray, NAdamState]:
        params, grads = prepare(params, grads, inplace)
        check_state(state, NAdamState, "NAdam")
        lr = rate(self.lr, state.t, params.dtype)
        t = state.t + 1
        bias_correction2 = 1 - self.beta2**t
        mu = self.beta1 * (1.0 - 0.5 * (0.96 ** (t * self.momentum_decay)))
        mu_next = self.beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * self.momentum_decay)))
        mu_product = state.mu_product * mu
        mu_product_next = mu_product * mu_next
        params, exp_avg, exp_avg_sq = elementwise(
            _nadam_update, (params, grads, state.exp_avg, state.exp_avg_sq),
            (lr, bias_correction2, mu, mu_next, mu_product, mu_product_next, self),
            inplace=inplace)
        return params, NAdamState(t, exp_avg, exp_avg_sq, mu_product)

    init.__doc__ = _INIT_DOC.format(name="NAdam", extra=", ``mu_product = 1``")
    step.__doc__ = _STEP_DOC.format(name="NAdam")


@dataclass(frozen=True)
class RAdam:
    r"""RAdam (Liu et al., 2020): Adam with a rectified adaptive rate; equals
    ``torch.optim.RAdam``.

    Parameters
    ----------
    lr : float, array or callable, default 1e-3
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)` of the first and second moments.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to the *raw* :math:`\sqrt{v}` (unlike Adam).
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient first.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n`, :math:`m_n, v_n` as in :class:`Adam`,
    :math:`t = n + 1` and :math:`\hat m_n = m_n/(1-\beta_1^t)`:

    .. math::
        \rho_\infty = \frac{2}{1-\beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}, \qquad
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}

    .. math::
        \theta_{n+1} = \begin{cases}
        \theta_n - \eta_n\, \hat m_n\, r_t\, \dfrac{\sqrt{1-\beta_2^t}}{\sqrt{v_n} + \epsilon}
        & \rho_t > 5 \\[1ex]
        \theta_n - \eta_n\, \hat m_n & \text{otherwise (SGD with bias-corrected momentum)}
        \end{cases}

    :math:`\rho_t` approximates the length of the simple moving average that
    :math:`v` stands for; :math:`r_t` rectifies the variance of the adaptive rate while
    :math:`\rho_t` is small. The test is strict, :math:`\rho_t > 5`, as in torch: for
    :math:`\beta_2 = 0.999`, :math:`\rho_5 = 4.996` and :math:`\rho_6 = 5.994`, so updates 1 to
    5 are un-rectified (optax rectifies from :math:`\rho_t \ge 5`). For
    :math:`\beta_2 = 0.999`: :math:`r_{10} \approx 0.049`, :math:`r_{100} \approx 0.215`,
    :math:`r_{1000} \approx 0.645`: the rectifier acts as a built-in warm-up.
    :math:`\beta_2^t` is computed with C ``pow`` (Python's ``**``) as torch does, because
    :math:`\rho_t` cancels catastrophically.

    PyTorch twin: ``torch.optim.RAdam(params, lr, betas=(beta1, beta2), eps,
    weight_decay=wd)``.

    References
    ----------
    .. [1] L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao, J. Han, "On the variance of the
       adaptive learning rate and beyond", ICLR 2020.

    Examples
    --------
    The first five updates are momentum SGD: with a constant gradient of 1, :math:`\hat m = 1`
    and each update moves by :math:`\eta`:

    >>> opt = RAdam(lr=0.1)
    >>> x = np.array([0.0])
    >>> state = opt.init(x)
    >>> for _ in range(5):
    ...     x, state = opt.step(x, np.array([1.0]), state)
    >>> x.round(12)
    array([-0.5])
    """

    lr: Any = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, beta1=unit_interval_open, beta2=unit_interval_open,
                  eps=nonnegative, weight_decay=nonnegative)

    def init(self, params) -> RAdamState:
        zeros = _zeros(params)
        return RAdamState(0, zeros, zeros.copy())

    def rho(self, t: int) -> float:
        r""":math:`\rho_t`, the approximate length of the moving average after ``t`` updates.

        Parameters
        ----------
        t : int
            The bias-correction count (``t = n + 1`` inside update ``n``), at least 1.

        Returns
        -------
        float
            The update is rectified when this is > 5.

        Examples
        --------
        >>> opt = RAdam()
        >>> round(opt.rho(5), 3), round(opt.rho(6), 3)
        (4.996, 5.994)
        """
        beta2 = self.beta2
        rho_inf = 2 / (1 - beta2) - 1
        return rho_inf - 2 * t * (beta2**t) / (1 - beta2**t)

    def step(self, params, grads, state: RAdamState, *,
             inplace: bool = False) -> tuple[np.ndarray, RAdamState]:
        params, grads = prepare(params, grads, inplace)
        check_state(state, RAdamState, "RAdam")
        lr = rate(self.lr, state.t, params.dtype)
        t = state.t + 1
        bias_correction1 = 1 - self.beta1**t
        bias_correction2 = 1 - self.beta2**t
        rho_inf = 2 / (1 - self.beta2) - 1
        rho_t = self.rho(t)
        rect = None
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
        params, exp_avg, exp_avg_sq = elementwise(
            _radam_update, (params, grads, state.exp_avg, state.exp_avg_sq),
            (lr, bias_correction1, bias_correction2, rect, self), inplace=inplace)
        return params, RAdamState(t, exp_avg, exp_avg_sq)

    init.__doc__ = _INIT_DOC.format(name="RAdam", extra="")
    step.__doc__ = _STEP_DOC.format(name="RAdam")
