"""Per-coordinate adaptive rates: AdaGrad, RMSProp and Adadelta, as ``torch.optim`` computes them.

The lecture forms of AdaGrad and RMSProp (sigma as a root-mean-square that starts from the
first gradient) live in :mod:`lrlib.optimizers.lecture`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_bool, check_real
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

__all__ = [
    "AdaGrad",
    "AdaGradState",
    "RMSProp",
    "RMSPropState",
    "Adadelta",
    "AdadeltaState",
]


def _adagrad_update(ops, param, grad, sum_of_squares, lr, opt):
    """Update of :class:`AdaGrad`, elementwise (arrays or single floats, see ``elementwise``)."""
    if opt.weight_decay != 0:
        grad = grad + opt.weight_decay * param
    total = sum_of_squares + grad * grad
    return param + ops.divide((-lr) * grad, ops.sqrt(total) + opt.eps), total


def _rmsprop_update(ops, param, grad, square_avg, grad_avg, buffer, lr, opt):
    """Update of :class:`RMSProp`, elementwise; ``grad_avg`` and ``buffer`` are None when
    unused (not centered, no momentum)."""
    if opt.weight_decay != 0:
        grad = grad + opt.weight_decay * param
    square_avg = square_avg * opt.alpha + ((1 - opt.alpha) * grad) * grad
    if opt.centered:
        grad_avg = lerp(grad_avg, grad, 1 - opt.alpha)
        avg = ops.sqrt(ops.maximum(square_avg - grad_avg * grad_avg, 0.0)) + opt.eps
    else:
        avg = ops.sqrt(square_avg) + opt.eps
    if opt.momentum > 0:
        buffer = buffer * opt.momentum + ops.divide(grad, avg)
        return param + (-lr) * buffer, square_avg, grad_avg, buffer
    return param + ops.divide((-lr) * grad, avg), square_avg, grad_avg, buffer


def _adadelta_update(ops, param, grad, square_avg, acc_delta, lr, opt):
    """Update of :class:`Adadelta`, elementwise (arrays or single floats)."""
    if opt.weight_decay != 0:
        grad = grad + opt.weight_decay * param
    square_avg = square_avg * opt.rho + ((1 - opt.rho) * grad) * grad
    delta = ops.sqrt(acc_delta + opt.eps) / ops.sqrt(square_avg + opt.eps) * grad
    acc_delta = acc_delta * opt.rho + ((1 - opt.rho) * delta) * delta
    return param + (-lr) * delta, square_avg, acc_delta


class AdaGradState(NamedTuple):
    """State of :class:`AdaGrad`: updates done and the running sum of squared gradients."""

    t: int
    sum_of_squares: np.ndarray


class RMSPropState(NamedTuple):
    """State of :class:`RMSProp`. ``grad_avg`` is None unless ``centered``;
    ``momentum_buffer`` is None unless ``momentum > 0``."""

    t: int
    square_avg: np.ndarray
    grad_avg: np.ndarray | None
    momentum_buffer: np.ndarray | None


class AdadeltaState(NamedTuple):
    """State of :class:`Adadelta`: the running averages of squared gradients and updates."""

    t: int
    square_avg: np.ndarray
    acc_delta: np.ndarray


@dataclass(frozen=True)
class AdaGrad:
    r"""AdaGrad (Duchi, Hazan & Singer, 2011), numerically equal to ``torch.optim.Adagrad``.

    Parameters
    ----------
    lr : float, array or callable, default 0.01
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{s_n}` (outside the square root).
    initial_accumulator : float, default 0.0
        :math:`s_{-1} \ge 0`, the starting value of the sum of squares.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient first.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n`, update :math:`n` reads

    .. math::
        s_n = s_{n-1} + \tilde g_n^2, \qquad
        \theta_{n+1} = \theta_n - \frac{\eta_n}{\sqrt{s_n} + \epsilon}\, \tilde g_n

    element-wise, where :math:`s_n` is the sum of the squared gradients so far (the current
    one included) and :math:`s_{-1}` the initial accumulator. The effective rate of each
    coordinate, :math:`\eta/\sqrt{s_n}`, can only shrink.

    - With :math:`\epsilon = 0` a coordinate whose gradients have all been zero does not move
      (0/0 is taken as 0; torch would give NaN).
    - Keras and optax put :math:`\epsilon` inside the root and start the sum at 0.1.
    - The lecture form (:class:`LectureAdaGrad`) divides by the root *mean* square instead;
      with :math:`\eta_n = \eta/\sqrt{n+1}` it equals this rule with :math:`\epsilon = 0`.

    PyTorch twin: ``torch.optim.Adagrad(params, lr, lr_decay=0, weight_decay=wd,
    initial_accumulator_value=initial_accumulator, eps=eps)``.

    References
    ----------
    .. [1] J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning
       and stochastic optimization", JMLR 12, 2011.

    Examples
    --------
    The first step is :math:`\eta\,\mathrm{sign}(g)` up to :math:`\epsilon`:

    >>> opt = AdaGrad(lr=0.1)
    >>> x = np.array([1.0, 1.0])
    >>> x, state = opt.step(x, np.array([3.0, -4.0]), opt.init(x))
    >>> x, state.sum_of_squares
    (array([0.9, 1.1]), array([ 9., 16.]))
    """

    lr: Any = 0.01
    eps: float = 1e-10
    initial_accumulator: float = 0.0
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, eps=nonnegative, initial_accumulator=nonnegative,
                  weight_decay=nonnegative)

    def init(self, params) -> AdaGradState:
        """The state before the first update: ``t = 0``, the sum at ``initial_accumulator``.

        The state takes the shape and dtype of ``params``.
        """
        params, _ = prepare(params, params)
        return AdaGradState(t=0, sum_of_squares=np.full_like(params, self.initial_accumulator))

    def step(self, params, grads, state: AdaGradState, *,
             inplace: bool = False) -> tuple[np.ndarray, AdaGradState]:
        """One update: new parameters and a new ``AdaGradState``; the inputs are not
        modified, unless ``inplace`` (see :mod:`lrlib.optimizers`)."""
        params, grads = prepare(params, grads, inplace)
        check_state(state, AdaGradState, "AdaGrad")
        lr = rate(self.lr, state.t, params.dtype)
        params, total = elementwise(_adagrad_update, (params, grads, state.sum_of_squares),
                                    (lr, self), inplace=inplace)
        return params, AdaGradState(t=state.t + 1, sum_of_squares=total)


@dataclass(frozen=True)
class RMSProp:
    r"""RMSProp (Tieleman & Hinton, 2012), numerically equal to ``torch.optim.RMSprop``.

    Parameters
    ----------
    lr : float, array or callable, default 0.01
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    alpha : float, default 0.99
        Smoothing constant :math:`\alpha \in [0, 1)` of the squared-gradient average
        (``rho`` in Keras, ``decay`` in optax).
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added outside the square root.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its RMS.
    momentum : float, default 0.0
        Momentum coefficient :math:`\mu \in [0, 1)` applied to the normalised gradient.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient first.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n` and :math:`v_{-1} = \bar g_{-1} = b_{-1} = 0`,
    update :math:`n` reads

    .. math::
        v_n = \alpha v_{n-1} + (1-\alpha)\,\tilde g_n^2, \qquad
        \bar g_n = \alpha \bar g_{n-1} + (1-\alpha)\,\tilde g_n, \qquad
        a_n = \begin{cases} \sqrt{v_n} + \epsilon \\
              \sqrt{v_n - \bar g_n^2} + \epsilon & \text{centered} \end{cases}

    .. math::
        \theta_{n+1} = \theta_n - \eta_n \frac{\tilde g_n}{a_n}, \quad\text{or, with momentum,}
        \quad b_n = \mu b_{n-1} + \frac{\tilde g_n}{a_n}, \;\; \theta_{n+1} = \theta_n - \eta_n b_n

    :math:`v_n` is the exponential average of squared gradients, :math:`\bar g_n` that of the
    gradients (centered variant only), :math:`a_n` the denominator, :math:`b_n` the momentum
    buffer.

    - :math:`\epsilon` sits outside the root, and there is no bias correction: since
      :math:`v_{-1} = 0`, the first step is :math:`\eta/\sqrt{1-\alpha}` per coordinate, ten
      times the rate at :math:`\alpha = 0.99`. The lecture form (:class:`LectureRMSProp`)
      starts from :math:`g_0^2` instead and its first step is :math:`\eta\,\mathrm{sign}(g_0)`.
    - Centered: where rounding makes :math:`v_n - \bar g_n^2` negative (torch: NaN) it is
      taken as 0; where a denominator is exactly 0 (only with :math:`\epsilon = 0`) the step
      is 0.

    PyTorch twin: ``torch.optim.RMSprop(params, lr, alpha, eps, weight_decay=wd,
    momentum=momentum, centered=centered)``.

    References
    ----------
    .. [1] T. Tieleman, G. Hinton, "Lecture 6.5 - rmsprop: Divide the gradient by a running
       average of its recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012.

    Examples
    --------
    The first step is :math:`\eta/\sqrt{1-\alpha} = 10\eta` per coordinate (up to
    :math:`\epsilon`):

    >>> opt = RMSProp(lr=0.01)
    >>> x = np.array([1.0, 1.0])
    >>> x, state = opt.step(x, np.array([3.0, -4.0]), opt.init(x))
    >>> x
    array([0.9, 1.1])
    """

    lr: Any = 0.01
    alpha: float = 0.99
    eps: float = 1e-8
    centered: bool = False
    momentum: float = 0.0
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, alpha=unit_interval_open, eps=nonnegative,
                  centered=check_bool, momentum=unit_interval_open, weight_decay=nonnegative)

    def init(self, params) -> RMSPropState:
        """The state before the first update: ``t = 0`` and zero averages.

        The state takes the shape and dtype of ``params``.
        """
        params, _ = prepare(params, params)
        zeros = np.zeros_like(params)
        return RMSPropState(
            t=0,
            square_avg=zeros,
            grad_avg=zeros.copy() if self.centered else None,
            momentum_buffer=zeros.copy() if self.momentum > 0 else None,
        )

    def step(self, params, grads, state: RMSPropState, *,
             inplace: bool = False) -> tuple[np.ndarray, RMSPropState]:
        """One update: new parameters and a new ``RMSPropState``; the inputs are not
        modified, unless ``inplace`` (see :mod:`lrlib.optimizers`)."""
        params, grads = prepare(params, grads, inplace)
        check_state(state, RMSPropState, "RMSProp")
        lr = rate(self.lr, state.t, params.dtype)
        params, square_avg, grad_avg, buffer = elementwise(
            _rmsprop_update,
            (params, grads, state.square_avg, state.grad_avg, state.momentum_buffer), (lr, self),
            inplace=inplace)
        return params, RMSPropState(state.t + 1, square_avg, grad_avg, buffer)


@dataclass(frozen=True)
class Adadelta:
    r"""Adadelta (Zeiler, 2012), numerically equal to ``torch.optim.Adadelta``.

    Parameters
    ----------
    lr : float, array or callable, default 1.0
        Learning rate :math:`\eta_n \ge 0` multiplying the update. Zeiler's method has no
        rate; torch's default 1.0 recovers it (Keras' default is 1e-3: a different scale).
    rho : float, default 0.9
        Decay :math:`\rho \in [0, 1]` of both running averages.
    eps : float, default 1e-6
        :math:`\epsilon > 0`, added inside both square roots. It must be positive: the
        update average starts at 0, so with :math:`\epsilon = 0` nothing would ever move.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient first.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n` and :math:`v_{-1} = u_{-1} = 0`, update
    :math:`n` reads

    .. math::
        v_n = \rho v_{n-1} + (1-\rho)\,\tilde g_n^2, \qquad
        \Delta_n = \frac{\sqrt{u_{n-1} + \epsilon}}{\sqrt{v_n + \epsilon}}\, \tilde g_n, \qquad
        u_n = \rho u_{n-1} + (1-\rho)\,\Delta_n^2, \qquad
        \theta_{n+1} = \theta_n - \eta_n \Delta_n

    :math:`v_n` averages the squared gradients, :math:`u_n` the squared updates; note that
    :math:`\Delta_n` uses the *previous* :math:`u_{n-1}`.

    The units argument: the SGD step :math:`\eta g` has the units of :math:`1/\theta` (if
    :math:`f` is unitless), Newton's step :math:`H^{-1}g` the units of :math:`\theta`. The
    ratio RMS(past updates)/RMS(gradients) gives the step the units of :math:`\theta` again,
    which is why Zeiler needs no learning rate.

    Because :math:`u_{-1} = 0`, the first step is
    :math:`\sqrt{\epsilon/((1-\rho) g^2 + \epsilon)}\,g \approx \sqrt{\epsilon/(1-\rho)}\,
    \mathrm{sign}(g)`, about 3.2e-3 with the defaults: Adadelta starts very slowly. In a
    deterministic run with a constant rate it also fails to settle: near a minimum both
    averages shrink, the effective rate :math:`\sqrt{u+\epsilon}/\sqrt{v+\epsilon}` grows,
    and stiff directions start to bounce. A decaying ``lr`` removes this.

    PyTorch twin: ``torch.optim.Adadelta(params, lr, rho, eps, weight_decay=wd)``.

    References
    ----------
    .. [1] M. D. Zeiler, "ADADELTA: An adaptive learning rate method", arXiv:1212.5701, 2012.

    Examples
    --------
    >>> opt = Adadelta()
    >>> x = np.zeros(2)
    >>> x, state = opt.step(x, np.array([1.0, -2.0]), opt.init(x))
    >>> x
    array([-0.00316226,  0.00316227])
    """

    lr: Any = 1.0
    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(
            self,
            lr=learning_rate,
            rho=lambda name, value: check_real(name, value, min_value=0.0, max_value=1.0),
            eps=lambda name, value: check_real(name, value, min_value=0.0, min_inclusive=False),
            weight_decay=nonnegative,
        )

    def init(self, params) -> AdadeltaState:
        """The state before the first update: ``t = 0`` and zero averages.

        The state takes the shape and dtype of ``params``.
        """
        params, _ = prepare(params, params)
        return AdadeltaState(t=0, square_avg=np.zeros_like(params), acc_delta=np.zeros_like(params))

    def step(self, params, grads, state: AdadeltaState, *,
             inplace: bool = False) -> tuple[np.ndarray, AdadeltaState]:
        """One update: new parameters and a new ``AdadeltaState``; the inputs are not
        modified, unless ``inplace`` (see :mod:`lrlib.optimizers`)."""
        params, grads = prepare(params, grads, inplace)
        check_state(state, AdadeltaState, "Adadelta")
        lr = rate(self.lr, state.t, params.dtype)
        params, square_avg, acc_delta = elementwise(
            _adadelta_update, (params, grads, state.square_avg, state.acc_delta), (lr, self),
            inplace=inplace)
        return params, AdadeltaState(state.t + 1, square_avg, acc_delta)
