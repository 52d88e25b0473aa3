r"""Line searches: the step length chosen from the surface (exact on quadratics, backtracking).

A line search picks the step length along a descent direction from the values and gradients of
the surface instead of taking a learning rate from the user; see :mod:`lrlib.optimizers.second_order`
for the conventions shared with Newton's method and BFGS (``step(params, grads, state, surface)``,
``state.step_size`` is the accepted step length, batches of points are handled at once).
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


__all__ = [
    "BacktrackingLineSearch",
    "ExactLineSearch",
    "armijo_holds",
    "wolfe_holds",
    "LineSearchState",
    "ExactLineSearchState",
]


# --------------------------------------------------------------------------------------------
# Shared helpers


def _point(params, grads, names=("params", "grads")):
    """``params`` and ``grads`` as float64 arrays of one shape ``(..., d)`` (new arrays)."""
    try:
        x = np.array(params, dtype=float)
    except (TypeError, ValueError):
        raise fail_type(names[0], "an array of real numbers of shape (..., d)", params) from None
    if x.ndim == 0 or x.shape[-1] == 0:
        raise fail_value(names[0], "an array of shape (..., d) with d >= 1", params)
    if grads is None:
        return x, None
    try:
        g = np.array(grads, dtype=float)
    except (TypeError, ValueError):
        raise fail_type(names[1], "an array of real numbers", grads) from None
    if g.shape != x.shape:
        raise fail_value(names[1], f"an array of the shape of {names[0]} {x.shape}", grads)
    return x, g


def _require(surface, *methods):
    for method in methods:
        if not callable(getattr(surface, method, None)):
            raise fail_type("surface", "an object with methods " + ", ".join(methods), surface)


def _hessian(surface, x):
    expected = x.shape + x.shape[-1:]
    hessian = np.asarray(surface.hessian(x), dtype=float)
    try:
        return np.broadcast_to(hessian, expected)
    except ValueError:
        raise fail_value(
            "surface", f"an object whose hessian(x) has shape {expected}", surface) from None


def _solve(matrix, g, params):
    """``matrix^{-1} g`` for a batch of matrices; a singular matrix raises, naming ``params``."""
    try:
        return np.linalg.solve(matrix, g[..., None])[..., 0]
    except np.linalg.LinAlgError:
        raise fail_value(
            "params", "a point where the Hessian (plus damping) is invertible", params) from None


def _out(value):
    """A Python scalar for a single point, an array for a batch."""
    value = np.asarray(value)
    return value.item() if value.ndim == 0 else value


def _dot(a, b):
    return np.sum(a * b, axis=-1)


def _armijo(f_start, f_trial, step, slope, c1):
    # Written as "<=" so that a NaN or infinite trial value fails it.
    return f_trial <= f_start + c1 * step * slope


def _curvature(slope_trial, slope, c2, strong):
    if strong:
        return np.abs(slope_trial) <= c2 * np.abs(slope)
    return slope_trial >= c2 * slope


class _Search(NamedTuple):
    step_size: np.ndarray
    armijo_ok: np.ndarray
    wolfe_ok: np.ndarray
    strong_wolfe_ok: np.ndarray
    evaluations: np.ndarray
    x_new: np.ndarray
    g_new: np.ndarray


def _backtrack(surface, x, g, p, lr0, shrink, c1, c2, max_shrinks):
    """Backtracking along ``p`` from ``x``, every point of a batch with its own step length."""
    slope = _dot(g, p)
    f_start = np.asarray(surface.f(x), dtype=float)
    step = np.full(slope.shape, lr0)
    accepted = np.zeros(slope.shape, dtype=bool)
    evaluations = np.zeros(slope.shape, dtype=np.int64)
    # Only a descent direction is searched (p = 0 at a stationary point passes trivially):
    # along an ascent direction a tiny trial would "pass" by rounding, f(x + a p) == f(x).
    pending = (slope < 0) | np.all(p == 0, axis=-1)
    for _ in range(max_shrinks + 1):
        if not pending.any():
            break
        # A trial point may overflow the surface; such a trial fails the test and is shrunk.
        with np.errstate(all="ignore"):
            f_trial = np.asarray(surface.f(x + step[..., None] * p), dtype=float)
        evaluations += pending
        passed = pending & _armijo(f_start, f_trial, step, slope, c1)
        accepted |= passed
        pending &= ~passed
        step = np.where(pending, step * shrink, step)
    step = np.where(accepted, step, 0.0)
    x_new = x + step[..., None] * p
    g_new = np.asarray(surface.grad(x_new), dtype=float)
    slope_new = _dot(g_new, p)
    wolfe = accepted & _curvature(slope_new, slope, c2, strong=False)
    strong = accepted & _curvature(slope_new, slope, c2, strong=True)
    return _Search(step, accepted, wolfe, strong, evaluations, x_new, g_new)


def _check_search_parameters(rule):
    check_real("lr0", rule.lr0, min_value=0.0, min_inclusive=False)
    check_real("shrink", rule.shrink, min_value=0.0, max_value=1.0,
               min_inclusive=False, max_inclusive=False)
    check_real("c1", rule.c1, min_value=0.0, max_value=1.0,
               min_inclusive=False, max_inclusive=False)
    check_real("c2", rule.c2, min_value=rule.c1, max_value=1.0,
               min_inclusive=False, max_inclusive=False)
    check_int("max_shrinks", rule.max_shrinks, min_value=0)


# --------------------------------------------------------------------------------------------
# Newton's method


class LineSearchState(NamedTuple):
    """State of :class:`BacktrackingLineSearch`, about its last update.

    ``step_size`` is the accepted step length :math:`a` (0.0 when no trial passed, and before
    the first update); ``armijo_ok``, ``wolfe_ok``, ``strong_wolfe_ok`` say which conditions
    the accepted step satisfies (None before the first update); ``evaluations`` counts the
    trial values :math:`f(x + a p)` computed (not :math:`f(x)`, nor the gradient at the
    accepted point that the Wolfe check needs).
    """

    t: int
    step_size: Any
    armijo_ok: Any
    wolfe_ok: Any
    strong_wolfe_ok: Any
    evaluations: Any


@dataclass(frozen=True)
class BacktrackingLineSearch:
    r"""Backtracking line search: shrink a trial step until it decreases f enough (Armijo).

    Parameters
    ----------
    direction : {"gradient", "newton"}, default "gradient"
        Search direction :math:`p`: steepest descent :math:`-g`, or Newton's :math:`-H^{-1} g`.
    lr0 : float, default 1.0
        First trial step length :math:`a_0 > 0`.
    shrink : float, default 0.5
        Factor :math:`\rho \in (0, 1)` applied to a rejected trial.
    c1 : float, default 1e-4
        Sufficient-decrease constant, in (0, 1).
    c2 : float, default 0.9
        Curvature constant of the Wolfe check, in (c1, 1). It is checked and recorded only:
        the search accepts on the Armijo condition alone.
    max_shrinks : int, default 60
        Largest number of shrinks; at most ``max_shrinks + 1`` trials per update.

    Raises
    ------
    ValueError, TypeError
        At construction, for a bad argument. With ``direction="newton"``, ``step`` raises
        ValueError naming ``params`` where the Hessian is singular.

    Notes
    -----
    The trials are :math:`a = a_0, a_0 \rho, a_0 \rho^2, \dots`; the first that satisfies
    the Armijo (sufficient decrease) condition

    .. math:: f(x + a p) \le f(x) + c_1 \, a \, g^\top p

    is taken: :math:`x \leftarrow x + a p`. If none of the ``max_shrinks + 1`` trials passes
    (a NaN surface, say), the point does not move, ``step_size`` is 0.0 and ``armijo_ok`` is
    False. Only a descent direction, :math:`g^\top p < 0`, is searched: where
    :math:`g^\top p \ge 0` and :math:`p \ne 0` (Newton's direction where the Hessian is
    indefinite, say) no trial is made (``evaluations`` is 0) and the point does not move
    either. The state shows it; no other direction is substituted (use :class:`BFGS`, or
    ``Newton(damping=...)``, where the Hessian can be indefinite).

    The state also records whether the accepted step satisfies the curvature condition
    (``wolfe_ok``, with Armijo: the Wolfe conditions) and its strong form
    (``strong_wolfe_ok``), at :math:`x^+ = x + a p`:

    .. math::
        \nabla f(x^+)^\top p \ge c_2 \, g^\top p, \qquad
        |\nabla f(x^+)^\top p| \le c_2 \, |g^\top p|.

    The gradient :math:`g` at :math:`x` is the ``grads`` argument; :math:`\nabla f(x^+)` comes
    from ``surface.grad``. A trial value that overflows counts as a failed trial.

    References
    ----------
    L. Armijo, "Minimization of functions having Lipschitz continuous first partial
    derivatives", *Pacific J. Math.* 16(1), 1966. P. Wolfe, "Convergence conditions for ascent
    methods", *SIAM Review* 11(2), 1969. Nocedal and Wright, *Numerical Optimization*, Ch. 3.1.

    Examples
    --------
    On :math:`f(x) = x^2` from :math:`x = 1` the trial :math:`a = 1` lands on :math:`x = -1`
    (no decrease); :math:`a = 1/2` lands on the minimiser.

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> parabola = SimpleNamespace(f=lambda x: np.sum(x**2, -1), grad=lambda x: 2 * x)
    >>> search = BacktrackingLineSearch()
    >>> x = np.array([1.0])
    >>> x1, state = search.step(x, 2 * x, search.init(x), parabola)
    >>> x1, state.step_size, state.evaluations, state.armijo_ok, state.wolfe_ok
    (array([0.]), 0.5, 2, True, True)
    """

    direction: str = "gradient"
    lr0: float = 1.0
    shrink: float = 0.5
    c1: float = 1e-4
    c2: float = 0.9
    max_shrinks: int = 60

    needs_surface: ClassVar[bool] = True

    def __post_init__(self):
        check_choice("direction", self.direction, ("gradient", "newton"))
        _check_search_parameters(self)

    def init(self, params):
        _point(params, None)
        return LineSearchState(0, 0.0, None, None, None, 0)

    def step(self, params, grads, state, surface):
        x, g = _point(params, grads)
        _require(surface, "f", "grad", *(("hessian",) if self.direction == "newton" else ()))
        p = -g if self.direction == "gradient" else -_solve(_hessian(surface, x), g, params)
        s = _backtrack(surface, x, g, p, self.lr0, self.shrink, self.c1, self.c2,
                       self.max_shrinks)
        return s.x_new, LineSearchState(
            state.t + 1, _out(s.step_size), _out(s.armijo_ok), _out(s.wolfe_ok),
            _out(s.strong_wolfe_ok), _out(s.evaluations))


class ExactLineSearchState(NamedTuple):
    """State of :class:`ExactLineSearch`: ``t`` and the last step length (0.0 before any)."""

    t: int
    step_size: Any


@dataclass(frozen=True)
class ExactLineSearch:
    r"""Steepest descent with the exact step along :math:`-g` on a quadratic.

    Raises
    ------
    ValueError
        In ``step``, naming ``params``, where :math:`g^\top H g \le 0` with :math:`g \ne 0`:
        the quadratic model falls without bound along :math:`-g`.

    Notes
    -----
    On :math:`f(x) = \tfrac12 x^\top A x - b^\top x` the function along :math:`-g` is a parabola
    in :math:`a`, minimised at

    .. math::
        a^* = \frac{g^\top g}{g^\top A g}, \qquad x \leftarrow x - a^* g.

    ``A`` is ``surface.hessian(x)``; on a non-quadratic surface this is the minimiser along
    :math:`-g` of the local quadratic model. At a stationary point (:math:`g = 0`) the point
    stays and ``step_size`` is 0.0. The new gradient is orthogonal to the old one (the exact
    minimum along :math:`-g` is where the gradient has no component along :math:`g`), so the
    path zig-zags at right angles. With eigenvalues :math:`\lambda_1 \le \dots \le \lambda_n`
    and :math:`\kappa = \lambda_n / \lambda_1`, each step multiplies :math:`f - f^*` by at most
    :math:`((\kappa - 1)/(\kappa + 1))^2`, with equality on a worst-case start.

    References
    ----------
    Nocedal and Wright, *Numerical Optimization*, Theorem 3.3.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> A = np.diag([1.0, 4.0])
    >>> bowl = SimpleNamespace(hessian=lambda x: A)
    >>> search = ExactLineSearch()
    >>> x = np.array([4.0, 1.0])  # the worst case: g points along (1, 1)
    >>> x1, state = search.step(x, A @ x, search.init(x), bowl)
    >>> x1, state.step_size
    (array([ 2.4, -0.6]), 0.4)
    """

    needs_surface: ClassVar[bool] = True

    def init(self, params):
        _point(params, None)
        return ExactLineSearchState(0, 0.0)

    def step(self, params, grads, state, surface):
        x, g = _point(params, grads)
        _require(surface, "hessian")
        gg = _dot(g, g)
        gAg = _dot(g, np.einsum("...ij,...j->...i", _hessian(surface, x), g))
        moving = gg > 0
        if np.any(moving & ~(gAg > 0)):
            raise fail_value(
                "params", "a point where g.A g > 0 (ExactLineSearch needs positive curvature "
                "along the gradient)", params)
        step = np.where(moving, gg / np.where(moving, gAg, 1.0), 0.0)
        return x - step[..., None] * g, ExactLineSearchState(state.t + 1, _out(step))


# --------------------------------------------------------------------------------------------
# BFGS


# The conditions, for the book


def armijo_holds(f, grad, x, p, a, c1=1e-4):
    r"""Whether the step length ``a`` along ``p`` from ``x`` gives sufficient decrease (Armijo).

    Parameters
    ----------
    f, grad : callable
        The function and its gradient, vectorised over leading axes (a surface's ``f``, ``grad``).
    x, p : array of shape (..., d)
        Start point and search direction.
    a : float
        Step length, >= 0.
    c1 : float, default 1e-4
        Sufficient-decrease constant, in (0, 1).

    Returns
    -------
    bool, or a bool array of shape (...) for a batch.

    Raises
    ------
    ValueError, TypeError
        For a bad ``x``, ``p``, ``a`` or ``c1``.

    Notes
    -----
    .. math:: f(x + a p) \le f(x) + c_1 \, a \, \nabla f(x)^\top p

    A NaN or infinite :math:`f(x + a p)` fails it.

    Examples
    --------
    >>> import numpy as np
    >>> f, grad = (lambda x: np.sum(x**2, -1)), (lambda x: 2 * x)
    >>> x = np.array([1.0])
    >>> armijo_holds(f, grad, x, -grad(x), 1.0), armijo_holds(f, grad, x, -grad(x), 0.5)
    (False, True)
    """
    a = check_real("a", a, min_value=0.0)
    c1 = check_real("c1", c1, min_value=0.0, max_value=1.0,
                    min_inclusive=False, max_inclusive=False)
    x, p = _point(x, p, ("x", "p"))
    with np.errstate(all="ignore"):
        f_trial = np.asarray(f(x + a * p), dtype=float)
    return _out(_armijo(np.asarray(f(x), dtype=float), f_trial, a, _dot(grad(x), p), c1))


def wolfe_holds(f, grad, x, p, a, c1=1e-4, c2=0.9, strong=False):
    r"""Whether the step length ``a`` along ``p`` from ``x`` satisfies the (strong) Wolfe
    conditions.

    Parameters
    ----------
    f, grad, x, p, a, c1
        As in :func:`armijo_holds`.
    c2 : float, default 0.9
        Curvature constant, in (c1, 1).
    strong : bool, default False
        Check the strong form of the curvature condition (absolute values).

    Returns
    -------
    bool, or a bool array of shape (...) for a batch: the Armijo and curvature conditions both.

    Raises
    ------
    ValueError, TypeError
        For a bad ``x``, ``p``, ``a``, ``c1``, ``c2`` or ``strong``.

    Notes
    -----
    .. math::
        f(x + a p) \le f(x) + c_1 a\, \nabla f(x)^\top p, \qquad
        \nabla f(x + a p)^\top p \ge c_2 \nabla f(x)^\top p

    and, with ``strong=True``, :math:`|\nabla f(x + a p)^\top p| \le c_2 |\nabla f(x)^\top p|`.

    Examples
    --------
    On :math:`f(x) = x^2` from 1 along -2, the step 0.02 decreases f but stops while the
    slope is still steep: Armijo holds, the curvature condition fails.

    >>> import numpy as np
    >>> f, grad = (lambda x: np.sum(x**2, -1)), (lambda x: 2 * x)
    >>> x = np.array([1.0])
    >>> armijo_holds(f, grad, x, -grad(x), 0.02), wolfe_holds(f, grad, x, -grad(x), 0.02)
    (True, False)
    >>> wolfe_holds(f, grad, x, -grad(x), 0.5, strong=True)
    True
    """
    c1 = check_real("c1", c1, min_value=0.0, max_value=1.0,
                    min_inclusive=False, max_inclusive=False)
    c2 = check_real("c2", c2, min_value=c1, max_value=1.0,
                    min_inclusive=False, max_inclusive=False)
    strong = check_bool("strong", strong)
    armijo = armijo_holds(f, grad, x, p, a, c1)
    x, p = _point(x, p, ("x", "p"))
    slope = _dot(np.asarray(grad(x), dtype=float), p)
    slope_new = _dot(np.asarray(grad(x + a * p), dtype=float), p)
    return _out(np.asarray(armijo) & _curvature(slope_new, slope, c2, strong))
