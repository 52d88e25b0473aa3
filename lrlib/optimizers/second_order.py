r"""Rules that use the error surface itself: Newton's method, line searches and BFGS.

These rules choose the step length from the surface (its values, gradients or Hessian) instead
of taking a learning rate from the user, so their ``step`` has one more argument::

    state = rule.init(params)
    params, state = rule.step(params, grads, state, surface)

``surface`` is any object with ``f(x)``, ``grad(x)`` and (for Newton's direction) ``hessian(x)``,
vectorised over the leading axes of ``x`` (shape ``(..., d)``). Every rule handles a batch of
points at once, each point with its own step length; state fields about a single point are
Python scalars, about a batch arrays of the batch shape. ``state.step_size`` is the step length
accepted by the last update: the learning rate the rule chose. Everything is computed in
float64. Numerical trouble met during a step (a trial that fails, a curvature that is not
positive) is recorded in the state, never silently repaired; a step that is undefined (a
singular Hessian) raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from lrlib._validation import (
    _is_real,
    check_bool,
    check_choice,
    check_int,
    check_lr,
    check_real,
    fail_type,
    fail_value,
    lr_at,
)

from lrlib.optimizers.line_search import (
    _backtrack,
    _check_search_parameters,
    _dot,
    _hessian,
    _out,
    _point,
    _require,
    _solve,
)

__all__ = ["Newton", "BFGS", "NewtonState", "BFGSState"]



class NewtonState(NamedTuple):
    """State of :class:`Newton`.

    ``t`` counts updates; ``step_size`` is the ``lr`` of the last update (0.0 before the first);
    ``positive_definite`` says whether :math:`H + \\lambda I` was positive definite at each point
    of the last update (None before the first).
    """

    t: int
    step_size: Any
    positive_definite: Any


@dataclass(frozen=True)
class Newton:
    r"""Newton's method: the step to the minimiser of the local quadratic model.

    Parameters
    ----------
    lr : float, array or schedule, default 1.0
        Multiplier :math:`\eta` of the Newton step; 1.0 is the pure method. An array broadcasts
        against the parameters; a callable is a schedule ``step -> lr``.
    damping : float, default 0.0
        :math:`\lambda \ge 0` added to the Hessian's diagonal (Levenberg's damping).
    indefinite : {"step", "raise"}, default "step"
        What to do where :math:`H + \lambda I` is not positive definite: take the step anyway
        (the method as written; ``state.positive_definite`` records it) or raise ValueError.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad argument. In ``step``: ValueError naming ``params`` where
        :math:`H + \lambda I` is singular (the step is undefined), or, with
        ``indefinite="raise"``, where it is not positive definite.

    Notes
    -----
    .. math::
        x_{t+1} = x_t - \eta_t \, (H(x_t) + \lambda I)^{-1} g_t

    with :math:`g_t` the gradient and :math:`H` the Hessian of the surface; the linear system
    is solved, the inverse is never formed. In one dimension this is gradient descent with the
    learning rate :math:`\eta = 1 / f''(x)`, which has the units of :math:`x^2 / f`, the units
    a step needs (Zeiler's argument for Adadelta).

    With :math:`\eta = 1` and :math:`\lambda = 0`, one step lands on the minimiser of a
    quadratic with positive-definite Hessian, from any start. Near a minimiser :math:`x^*`
    where :math:`H(x^*)` is positive definite and :math:`H` is Lipschitz, convergence is
    *quadratic*: :math:`\|x_{t+1} - x^*\| \le C \|x_t - x^*\|^2`, so the number of correct
    digits roughly doubles each step. With :math:`\eta \ne 1` or :math:`\lambda > 0` it is
    only linear (the error shrinks by about :math:`|1 - \eta|` per step for :math:`\lambda = 0`).

    Where the Hessian is indefinite the step still goes to the stationary point of the local
    model, which is then a saddle or a maximum: Newton's method is attracted to saddle points
    and maxima as well as minima, and in one dimension with :math:`f'' < 0` it steps uphill.
    A damping :math:`\lambda` larger than minus the smallest eigenvalue of :math:`H` makes the
    step a descent direction again.

    References
    ----------
    J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006, Ch. 3.3.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> bowl = SimpleNamespace(hessian=lambda x: A)  # f(x) = x.A x / 2, minimiser 0
    >>> x = np.array([1.0, -2.0])
    >>> newton = Newton()
    >>> x1, state = newton.step(x, A @ x, newton.init(x), bowl)
    >>> x1.round(12) + 0.0, state.step_size, state.positive_definite
    (array([0., 0.]), 1.0, True)
    """

    lr: Any = 1.0
    damping: float = 0.0
    indefinite: str = "step"

    needs_surface: ClassVar[bool] = True

    def __post_init__(self):
        object.__setattr__(self, "lr", check_lr("lr", self.lr))
        check_real("damping", self.damping, min_value=0.0)
        check_choice("indefinite", self.indefinite, ("step", "raise"))

    def init(self, params):
        _point(params, None)
        return NewtonState(t=0, step_size=0.0, positive_definite=None)

    def step(self, params, grads, state, surface):
        x, g = _point(params, grads)
        _require(surface, "hessian")
        matrix = _hessian(surface, x) + self.damping * np.eye(x.shape[-1])
        finite = np.all(np.isfinite(matrix), axis=(-2, -1))
        smallest = np.linalg.eigvalsh(np.where(finite[..., None, None], matrix, 0.0))[..., 0]
        positive_definite = finite & (smallest > 0)
        if self.indefinite == "raise" and not np.all(positive_definite):
            raise fail_value(
                "params", "a point where H + damping*I is positive definite "
                "(Newton(indefinite='raise'))", params)
        lr = lr_at(self.lr, state.t)
        x_new = x - lr * _solve(matrix, g, params)
        return x_new, NewtonState(state.t + 1, lr, _out(positive_definite))


# --------------------------------------------------------------------------------------------
# Line searches


class BFGSState(NamedTuple):
    """State of :class:`BFGS`: the fields of :class:`LineSearchState`, plus
    ``inverse_hessian`` (shape ``(..., d, d)``) and ``updated`` (whether the last update
    changed it, i.e. :math:`y^\\top s > 0`; None before the first update)."""

    t: int
    step_size: Any
    inverse_hessian: np.ndarray
    armijo_ok: Any
    wolfe_ok: Any
    strong_wolfe_ok: Any
    evaluations: Any
    updated: Any


@dataclass(frozen=True)
class BFGS:
    r"""BFGS quasi-Newton method with a backtracking (Armijo) line search that tries 1 first.

    Parameters
    ----------
    lr0 : float, default 1.0
        First trial step length; 1.0 lets the rule take full quasi-Newton steps.
    c1 : float, default 1e-4
        Sufficient-decrease constant, in (0, 1).
    c2 : float, default 0.9
        Curvature constant of the recorded Wolfe check, in (c1, 1).
    H0 : None, float or (d, d) array, default None
        Initial inverse-Hessian estimate: the identity (None), a multiple ``H0 * I`` of it
        (a number > 0), or a symmetric positive-definite matrix (stored as a tuple of rows).
    shrink : float, default 0.5
        Factor applied to a rejected trial step, in (0, 1).
    max_shrinks : int, default 60
        Largest number of shrinks per update.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad argument; in ``init``/``step``, ValueError naming
        ``params`` when their last axis does not match ``H0`` or the shape given to ``init``.

    Notes
    -----
    With :math:`H_t` the estimate of the inverse Hessian, the direction is
    :math:`p_t = -H_t g_t`; the step length :math:`a_t` comes from the backtracking search of
    :class:`BacktrackingLineSearch` (trials ``lr0``, ``lr0 * shrink``, ...). Then, with
    :math:`s = x_{t+1} - x_t`, :math:`y = g_{t+1} - g_t` and :math:`\rho = 1 / y^\top s`,

    .. math::
        H_{t+1} = (I - \rho\, s y^\top)\, H_t \,(I - \rho\, y s^\top) + \rho\, s s^\top,

    which satisfies the secant equation :math:`H_{t+1} y = s` and stays symmetric positive
    definite when :math:`y^\top s > 0`. An Armijo search alone does not guarantee that
    (the Wolfe curvature condition would), so when :math:`y^\top s \le 0` the update is
    skipped, :math:`H_{t+1} = H_t`, and ``state.updated`` is False. :math:`g_{t+1}` comes
    from ``surface.grad``.

    Near a minimiser with positive-definite Hessian the full step :math:`a = 1` is accepted
    and convergence is superlinear. From :math:`(-1.2, 1)` on Rosenbrock's function the rule
    reaches the minimiser to 1e-8 in about 35 updates, the last ones all with :math:`a = 1`.

    References
    ----------
    C. G. Broyden (1970), R. Fletcher (1970), D. Goldfarb (1970), D. F. Shanno (1970).
    Nocedal and Wright, *Numerical Optimization*, Ch. 6.1, eq. (6.17).

    Examples
    --------
    On a quadratic the first trial, the full step along :math:`-g`, is accepted, and the
    estimate of the inverse Hessian is updated to satisfy the secant equation.

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> A = np.array([[2.0, 0.0], [0.0, 1.0]])
    >>> bowl = SimpleNamespace(f=lambda x: 0.5 * np.sum(x * (x @ A), -1), grad=lambda x: x @ A)
    >>> bfgs = BFGS()
    >>> x = np.array([1.0, 1.0])
    >>> state = bfgs.init(x)
    >>> x, state = bfgs.step(x, bowl.grad(x), state, bowl)
    >>> x, state.step_size, state.updated
    (array([-1.,  0.]), 1.0, True)
    >>> state.inverse_hessian @ np.array([-4.0, -1.0])  # H y = s
    array([-2., -1.])
    """

    lr0: float = 1.0
    c1: float = 1e-4
    c2: float = 0.9
    H0: Any = None
    shrink: float = 0.5
    max_shrinks: int = 60

    needs_surface: ClassVar[bool] = True

    def __post_init__(self):
        _check_search_parameters(self)
        object.__setattr__(self, "H0", _check_initial_inverse(self.H0))

    def init(self, params):
        x, _ = _point(params, None)
        d = x.shape[-1]
        if self.H0 is None or np.ndim(self.H0) == 0:
            start = np.eye(d) * (1.0 if self.H0 is None else self.H0)
        elif len(self.H0) != d:
            raise fail_value(
                "params", f"an array whose last axis has length {len(self.H0)} "
                "(the size of H0)", params)
        else:
            start = np.array(self.H0)
        inverse_hessian = np.broadcast_to(start, x.shape[:-1] + (d, d)).copy()
        return BFGSState(0, 0.0, inverse_hessian, None, None, None, 0, None)

    def step(self, params, grads, state, surface):
        x, g = _point(params, grads)
        _require(surface, "f", "grad")
        H = state.inverse_hessian
        if H.shape != x.shape + x.shape[-1:]:
            raise fail_value(
                "params", f"an array of shape {H.shape[:-1]} (the shape given to init)", params)
        p = -np.einsum("...ij,...j->...i", H, g)
        s = _backtrack(surface, x, g, p, self.lr0, self.shrink, self.c1, self.c2,
                       self.max_shrinks)
        step_vector = s.x_new - x
        change = s.g_new - g
        curvature = _dot(change, step_vector)
        updated = curvature > 0
        rho = np.where(updated, 1.0 / np.where(updated, curvature, 1.0), 0.0)[..., None, None]
        eye = np.eye(x.shape[-1])
        left = eye - rho * step_vector[..., :, None] * change[..., None, :]
        H_new = left @ H @ np.swapaxes(left, -1, -2) + (
            rho * step_vector[..., :, None] * step_vector[..., None, :])
        H_new = np.where(updated[..., None, None], H_new, H)
        return s.x_new, BFGSState(
            state.t + 1, _out(s.step_size), H_new, _out(s.armijo_ok), _out(s.wolfe_ok),
            _out(s.strong_wolfe_ok), _out(s.evaluations), _out(updated))


def _check_initial_inverse(H0):
    requirement = "None, a number > 0 or a symmetric positive-definite (d, d) matrix"
    if H0 is None:
        return None
    if _is_real(H0):
        return check_real("H0", H0, min_value=0.0, min_inclusive=False)
    if not isinstance(H0, (np.ndarray, list, tuple)):
        raise fail_type("H0", requirement, H0)
    try:
        matrix = np.array(H0, dtype=float)
    except (TypeError, ValueError):
        raise fail_type("H0", requirement, H0) from None
    ok = (matrix.ndim == 2 and matrix.shape[0] == matrix.shape[1] and matrix.size > 0
          and np.all(np.isfinite(matrix))
          and np.allclose(matrix, matrix.T, rtol=1e-12, atol=0.0)
          and np.linalg.eigvalsh(matrix)[0] > 0)
    if not ok:
        raise fail_value("H0", requirement, H0)
    # Kept as nested tuples: immutable and hashable, and not mistaken by ``lrlib.run`` for an
    # array hyperparameter that makes a batch.
    return tuple(tuple(row) for row in matrix.tolist())


# --------------------------------------------------------------------------------------------
