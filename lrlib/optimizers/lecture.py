r"""The lecture forms of AdaGrad and RMSProp (Hung-yi Lee, ML 2021, "Adaptive Learning Rate").

The lecture writes both rules as :math:`\theta_{t+1} = \theta_t - (\eta_t/\sigma_t)\, g_t` with a
per-coordinate statistic :math:`\sigma_t` of the gradients seen so far, the current one
included. Its two choices of :math:`\sigma_t` differ from torch's AdaGrad and RMSprop in ways
the book discusses; the docstrings below state the exact relations, and the tests prove them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._common import (
    check_state,
    elementwise,
    learning_rate,
    nonnegative,
    prepare,
    rate,
    unit_interval_open,
    validated,
)

__all__ = ["LectureAdaGrad", "LectureAdaGradState", "LectureRMSProp", "LectureRMSPropState"]


def _lecture_adagrad_update(ops, param, grad, sum_of_squares, lr, t, eps):
    """Update of :class:`LectureAdaGrad`, elementwise (arrays or single floats)."""
    total = sum_of_squares + grad * grad
    sigma = ops.sqrt(total / (t + 1))
    return param - lr * ops.divide(grad, sigma + eps), total


def _lecture_rmsprop_update(ops, param, grad, sigma_sq, lr, first, alpha, eps):
    """Update of :class:`LectureRMSProp`, elementwise; sigma starts at ``|g_0|``."""
    if first:
        sigma_sq = grad * grad
    else:
        sigma_sq = sigma_sq * alpha + ((1 - alpha) * grad) * grad
    return param - lr * ops.divide(grad, ops.sqrt(sigma_sq) + eps), sigma_sq


class LectureAdaGradState(NamedTuple):
    """State of :class:`LectureAdaGrad`: updates done and the sum of squared gradients."""

    t: int
    sum_of_squares: np.ndarray


class LectureRMSPropState(NamedTuple):
    """State of :class:`LectureRMSProp`: updates done and :math:`\\sigma_{t-1}^2`."""

    t: int
    sigma_sq: np.ndarray


@dataclass(frozen=True)
class LectureAdaGrad:
    r"""AdaGrad as the lecture writes it: divide by the root-mean-square of past gradients.

    Parameters
    ----------
    lr : float, array or callable
        :math:`\eta_t \ge 0` (number, broadcastable array or schedule).
    eps : float, default 0.0
        :math:`\epsilon \ge 0`, added to :math:`\sigma_t`. The lecture has none.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    Update :math:`t = 0, 1, \dots` reads, element-wise,

    .. math::
        \sigma_t = \sqrt{\frac{1}{t+1} \sum_{i=0}^{t} g_i^2}, \qquad
        \theta_{t+1} = \theta_t - \frac{\eta_t}{\sigma_t + \epsilon}\, g_t

    :math:`\sigma_t` is the root-mean-square of the gradients so far, the current one included.
    Where :math:`\sigma_t = 0` every gradient of that coordinate has been 0, and the step is
    0 (no division warning, no NaN).

    Relations (proved in the tests):

    - With the decaying rate :math:`\eta_t = \eta/\sqrt{t+1}` (``InverseSqrtDecay``) the
      :math:`\sqrt{t+1}` factors cancel,
      :math:`\eta_t/\sigma_t = \eta/\sqrt{\sum_{i\le t} g_i^2}`, and the rule is exactly torch's
      ``Adagrad(lr=eta, eps=0)``, i.e. :class:`AdaGrad` ``(lr=eta, eps=0)`` (to ~1e-15).
    - With a constant :math:`\eta` the factors do not cancel: the step is
      :math:`\eta\sqrt{t+1}\, g_t/\sqrt{\sum_{i\le t} g_i^2}`, which grows like
      :math:`\sqrt{t}` where the gradients are small. This is the lecture's "explosion" along
      a direction whose gradients were tiny for a long time.

    References
    ----------
    .. [1] J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning
       and stochastic optimization", JMLR 12, 2011.

    Examples
    --------
    The first step is :math:`\eta\,\mathrm{sign}(g_0)`; with a constant gradient
    :math:`\sigma_t = |g|` and every step is the same:

    >>> opt = LectureAdaGrad(lr=0.1)
    >>> x = np.array([1.0, 1.0])
    >>> state = opt.init(x)
    >>> for _ in range(3):
    ...     x, state = opt.step(x, np.array([3.0, -4.0]), state)
    >>> x
    array([0.7, 1.3])
    """

    lr: Any
    eps: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, eps=nonnegative)

    def init(self, params) -> LectureAdaGradState:
        """The state before the first update: ``t = 0``, a zero sum of squares.

        The state takes the shape and dtype of ``params``.
        """
        params, _ = prepare(params, params)
        return LectureAdaGradState(t=0, sum_of_squares=np.zeros_like(params))

    def step(self, params, grads, state: LectureAdaGradState, *, inplace: bool = False):
        """One update: new parameters and a new ``LectureAdaGradState``.

        The inputs are not modified, unless ``inplace`` (see :mod:`lrlib.optimizers`).
        """
        params, grads = prepare(params, grads, inplace)
        check_state(state, LectureAdaGradState, "LectureAdaGrad")
        lr = rate(self.lr, state.t, params.dtype)
        params, total = elementwise(_lecture_adagrad_update,
                                    (params, grads, state.sum_of_squares), (lr, state.t, self.eps),
                                    inplace=inplace)
        return params, LectureAdaGradState(t=state.t + 1, sum_of_squares=total)


@dataclass(frozen=True)
class LectureRMSProp:
    r"""RMSProp as the lecture writes it: :math:`\sigma` starts at :math:`|g_0|`.

    Parameters
    ----------
    lr : float, array or callable
        :math:`\eta_t \ge 0` (number, broadcastable array or schedule).
    alpha : float, default 0.9
        Weight :math:`\alpha \in [0, 1)` of the previous :math:`\sigma^2`.
    eps : float, default 0.0
        :math:`\epsilon \ge 0`, added to :math:`\sigma_t`. The lecture has none.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    Update :math:`t = 0, 1, \dots` reads, element-wise,

    .. math::
        \sigma_0^2 = g_0^2, \qquad
        \sigma_t^2 = \alpha\,\sigma_{t-1}^2 + (1-\alpha)\, g_t^2 \;\; (t \ge 1), \qquad
        \theta_{t+1} = \theta_t - \frac{\eta_t}{\sigma_t + \epsilon}\, g_t

    Unrolled, :math:`\sigma_t^2 = \alpha^t g_0^2 + (1-\alpha)\sum_{i=1}^{t} \alpha^{t-i} g_i^2`.
    Where :math:`\sigma_t = 0` the gradients of that coordinate have all been 0 (for
    :math:`\alpha < 1`) and the step is 0, without a division warning.

    Relations (proved in the tests):

    - The first step is exactly :math:`\eta\,\mathrm{sign}(g_0)` (with :math:`\epsilon = 0`).
      torch's RMSprop starts its average at 0, so its first step is
      :math:`\eta/\sqrt{1-\alpha}` per coordinate: :math:`10\eta` at :math:`\alpha = 0.99`.
    - This rule *is* torch's ``RMSprop(eps=0)`` with the square average initialised to
      :math:`g_0^2` instead of 0: then torch's :math:`v_t = \sigma_t^2` for every
      :math:`t`. torch has no option for that; :class:`RMSProp` gets it from a replaced state,
      ``state._replace(square_avg=g0**2)``.
    - Torch's average is :math:`v_t = \sigma_t^2 - \alpha^{t+1} g_0^2`: the two agree only once
      :math:`\alpha^t` is negligible.

    References
    ----------
    .. [1] T. Tieleman, G. Hinton, "Lecture 6.5 - rmsprop: Divide the gradient by a running
       average of its recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012.

    Examples
    --------
    >>> opt = LectureRMSProp(lr=0.1)
    >>> x = np.array([1.0, 1.0])
    >>> x, state = opt.step(x, np.array([3.0, -4.0]), opt.init(x))
    >>> x, state.sigma_sq
    (array([0.9, 1.1]), array([ 9., 16.]))
    """

    lr: Any
    alpha: float = 0.9
    eps: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, alpha=unit_interval_open, eps=nonnegative)

    def init(self, params) -> LectureRMSPropState:
        """The state before the first update (``sigma_sq`` is replaced by :math:`g_0^2` then).

        Parameters
        ----------
        params : array_like
            The initial parameters; the state takes their shape and dtype.

        Returns
        -------
        LectureRMSPropState
        """
        params, _ = prepare(params, params)
        return LectureRMSPropState(t=0, sigma_sq=np.zeros_like(params))

    def step(self, params, grads, state: LectureRMSPropState, *, inplace: bool = False):
        """One update: new parameters and a new ``LectureRMSPropState``.

        The inputs are not modified, unless ``inplace`` (see :mod:`lrlib.optimizers`).
        """
        params, grads = prepare(params, grads, inplace)
        check_state(state, LectureRMSPropState, "LectureRMSProp")
        lr = rate(self.lr, state.t, params.dtype)
        params, sigma_sq = elementwise(_lecture_rmsprop_update, (params, grads, state.sigma_sq),
                                       (lr, state.t == 0, self.alpha, self.eps), inplace=inplace)
        return params, LectureRMSPropState(t=state.t + 1, sigma_sq=sigma_sq)
