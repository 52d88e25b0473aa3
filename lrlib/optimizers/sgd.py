"""Plain gradient descent and heavy-ball / Nesterov momentum (``torch.optim.SGD``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_bool, check_real, fail_value
from ._common import (
    check_state,
    elementwise,
    learning_rate,
    nonnegative,
    prepare,
    rate,
    validated,
)

__all__ = ["SGD", "SGDState", "Momentum", "MomentumState"]


class SGDState(NamedTuple):
    """State of :class:`SGD`: only the number of updates done."""

    t: int


class MomentumState(NamedTuple):
    """State of :class:`Momentum`: updates done and the momentum buffer (velocity)."""

    t: int
    momentum_buffer: np.ndarray


@dataclass(frozen=True)
class SGD:
    r"""Gradient descent with a fixed rate or a schedule; ``torch.optim.SGD`` without momentum.

    Parameters
    ----------
    lr : float, array or callable
        Learning rate :math:`\eta_n \ge 0`: a number, an array that broadcasts against the
        parameters (one rate per row, say), or a schedule ``step -> lr``.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient as torch does.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    Update :math:`n = 0, 1, \dots` reads

    .. math:: \theta_{n+1} = \theta_n - \eta_n \, (g_n + \lambda \theta_n)

    where :math:`\theta_n` are the parameters, :math:`g_n = \nabla f(\theta_n)` the gradient and
    :math:`\eta_n` the learning rate of update :math:`n`.

    PyTorch twin: ``torch.optim.SGD(params, lr, weight_decay=wd)``.

    References
    ----------
    .. [1] H. Robbins, S. Monro, "A stochastic approximation method", The Annals of
       Mathematical Statistics 22(3), 1951.

    Examples
    --------
    >>> opt = SGD(lr=0.1)
    >>> params, state = opt.step(np.array([1.0, 2.0]), np.array([0.5, -1.0]), opt.init(np.zeros(2)))
    >>> params, state.t
    (array([0.95, 2.1 ]), 1)
    """

    lr: Any
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, weight_decay=nonnegative)

    def init(self, params) -> SGDState:
        """The state before the first update: ``t = 0``.

        Parameters
        ----------
        params : array_like
            The initial parameters (unused: SGD keeps no moments).

        Returns
        -------
        SGDState
        """
        return SGDState(t=0)

    def step(self, params, grads, state: SGDState, *,
             inplace: bool = False) -> tuple[np.ndarray, SGDState]:
        """One update; returns new parameters and a new state.

        Parameters
        ----------
        params, grads : array_like
            Parameters and the gradient at them (same shape, or broadcastable).
        state : SGDState
            From :meth:`init` or the previous :meth:`step`.
        inplace : bool, default False
            Write the new parameters into ``params`` and return it (see
            :mod:`lrlib.optimizers`); by default the inputs are not modified.

        Returns
        -------
        params : numpy.ndarray
        state : SGDState
        """
        params, grads = prepare(params, grads, inplace)
        check_state(state, SGDState, "SGD")
        lr = rate(self.lr, state.t, params.dtype)
        (params,) = elementwise(_sgd_update, (params, grads), (lr, self.weight_decay),
                                inplace=inplace)
        return params, SGDState(t=state.t + 1)


def _sgd_update(ops, param, grad, lr, weight_decay):
    """Update of :class:`SGD`, in torch's order (elementwise: see ``elementwise``)."""
    if weight_decay != 0:
        grad = grad + weight_decay * param
    return (param + (-lr) * grad,)


@dataclass(frozen=True)
class Momentum:
    r"""Heavy-ball (Polyak) or Nesterov momentum, numerically equal to ``torch.optim.SGD``
    with ``momentum=beta, dampening=0``.

    Parameters
    ----------
    lr : float, array or callable
        Learning rate :math:`\eta_n \ge 0` (number, broadcastable array or schedule).
    beta : float, default 0.9
        Momentum coefficient :math:`\beta \in [0, 1)`.
    nesterov : bool, default False
        Use Nesterov's look-ahead form (Sutskever et al., 2013); requires ``beta > 0``, as
        in torch.
    weight_decay : float, default 0.0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient before the buffer.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad value or type (the message names the argument).

    Notes
    -----
    With :math:`\tilde g_n = g_n + \lambda\theta_n`, update :math:`n` reads

    .. math::
        b_n = \begin{cases} \tilde g_0 & n = 0 \\ \beta b_{n-1} + \tilde g_n & n \ge 1
              \end{cases}, \qquad
        \theta_{n+1} = \theta_n - \eta_n \, d_n, \qquad
        d_n = \begin{cases} b_n & \text{heavy ball} \\ \tilde g_n + \beta b_n
              & \text{Nesterov} \end{cases}

    :math:`b_n` is the momentum buffer (a velocity in gradient units), :math:`\beta` the
    momentum coefficient, :math:`\eta_n` the rate of update :math:`n`.

    - The first buffer is the gradient itself (torch's ``buf = grad.clone()``), so the first
      step equals SGD's.
    - The rate sits outside the buffer: changing :math:`\eta` rescales the whole velocity at
      once. The "velocity includes the rate" form (:math:`v_n = \beta v_{n-1} - \eta_n g_n`,
      Keras) gives the same iterates only while the rate is constant.

    PyTorch twin: ``torch.optim.SGD(params, lr, momentum=beta, dampening=0,
    nesterov=nesterov, weight_decay=wd)``.

    References
    ----------
    .. [1] B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
       USSR Computational Mathematics and Mathematical Physics 4(5), 1964.
    .. [2] Y. Nesterov, "A method for solving the convex programming problem with convergence
       rate O(1/k^2)", Soviet Mathematics Doklady 27, 1983.
    .. [3] I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization
       and momentum in deep learning", ICML 2013.

    Examples
    --------
    The first buffer is the gradient, so two updates with a constant gradient of 1 move by
    :math:`\eta` and then :math:`\eta(1 + \beta)`:

    >>> opt = Momentum(lr=0.1, beta=0.5)
    >>> x, g = np.array([0.0]), np.array([1.0])
    >>> x, state = opt.step(x, g, opt.init(x))
    >>> x, state = opt.step(x, g, state)
    >>> x, state.momentum_buffer
    (array([-0.25]), array([1.5]))
    """

    lr: Any
    beta: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0

    def __post_init__(self):
        validated(self, lr=learning_rate, nesterov=check_bool, weight_decay=nonnegative)
        beta = check_real("beta", self.beta, min_value=0.0, max_value=1.0, max_inclusive=False)
        if self.nesterov and beta == 0.0:
            raise fail_value("beta", "a finite number in (0, 1) when nesterov=True", self.beta)
        object.__setattr__(self, "beta", beta)

    def init(self, params) -> MomentumState:
        """The state before the first update: ``t = 0`` and a zero buffer.

        Parameters
        ----------
        params : array_like
            The initial parameters; the buffer takes their shape and dtype.

        Returns
        -------
        MomentumState
        """
        params, _ = prepare(params, params)
        return MomentumState(t=0, momentum_buffer=np.zeros_like(params))

    def step(self, params, grads, state: MomentumState, *,
             inplace: bool = False) -> tuple[np.ndarray, MomentumState]:
        """One update: new parameters and a new ``MomentumState``; the inputs are not
        modified, unless ``inplace`` (see :mod:`lrlib.optimizers`)."""
        params, grads = prepare(params, grads, inplace)
        check_state(state, MomentumState, "Momentum")
        lr = rate(self.lr, state.t, params.dtype)
        params, buffer = elementwise(_momentum_update, (params, grads, state.momentum_buffer),
                                     (lr, state.t == 0, self), inplace=inplace)
        return params, MomentumState(t=state.t + 1, momentum_buffer=buffer)


def _momentum_update(ops, param, grad, buffer, lr, first, opt):
    """Update of :class:`Momentum`, in torch's order (elementwise: see ``elementwise``).

    The first buffer is the (decayed) gradient itself, as torch's ``buf = grad.clone()``.
    """
    if opt.weight_decay != 0:
        grad = grad + opt.weight_decay * param
    buffer = grad if first else buffer * opt.beta + grad
    direction = grad + opt.beta * buffer if opt.nesterov else buffer
    return param + (-lr) * direction, buffer
