r"""Run an optimizer on a surface and record what happened: :func:`run`, :func:`sweep`, :class:`Trajectory`.

A run records every iterate, its loss and exact gradient norm, and the learning rate each update
used. A run whose loss stops being finite (or exceeds ``max_loss``) ends cleanly, with the step
recorded and no floating-point warning. Hyperparameters given as arrays turn one call into a
vectorised batch of runs: ``lr`` of shape ``(K, 1)`` runs K learning rates at once.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass

import numpy as np

from ._validation import check_bool, check_int, check_lr, check_real, fail_type, fail_value

__all__ = ["Trajectory", "run", "sweep"]


def _read_only(array) -> np.ndarray:
    array = np.asarray(array)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Trajectory:
    r"""The record of one run, or of a batch of runs, of an optimizer on a surface.

    Made by :func:`run` and :func:`sweep`. Iterate ``k`` is the parameter vector after ``k``
    updates (iterate 0 is the start); update ``n`` turns iterate ``n`` into iterate ``n + 1``.

    Parameters
    ----------
    params : ndarray, shape (S + 1, \*batch, d)
        The iterates.
    loss : ndarray, shape (S + 1, \*batch)
        The full (exact) loss at each iterate.
    lr : ndarray, shape (S, \*batch), or (S, \*batch, d) for per-coordinate rates
        The learning rate used by each update: ``lr_at(optimizer.lr, n)``, or the accepted step
        length ``state.step_size`` for second-order rules (``needs_surface = True``).
    grad_norm : ndarray, shape (S + 1, \*batch)
        Euclidean norm of the exact, full gradient at each iterate (never the noisy one).
    diverged_at : int or None, or ndarray of int
        Single run: the index of the first bad iterate, or None. Batch: an int array of shape
        ``batch`` with -1 for members that never diverged.
    steps : int
        The number of updates asked for.
    min_value : float or None
        The surface's minimum value, if known (used by :meth:`converged_at`).

    Notes
    -----
    An iterate is *bad* when its loss is not finite, its loss exceeds ``max_loss``, or any of
    its coordinates is not finite. For a **single run** (no batch axes) the arrays end at the
    first bad iterate :math:`k`: ``params`` and ``loss`` have :math:`k + 1` rows (the last one
    holds the bad value, possibly inf or NaN), ``lr`` has :math:`k`. For a **batch** the arrays
    always have :math:`S + 1` (``lr``: :math:`S`) rows; a member's entries after its bad iterate
    are NaN while the others go on, and the run stops early only when every member went bad.

    Examples
    --------
    >>> from lrlib.surfaces import Quadratic
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class GD:                       # plain gradient descent, in the optimizer protocol
    ...     lr: float
    ...     def init(self, params):
    ...         return 0
    ...     def step(self, params, grads, state):
    ...         return params - self.lr * grads, state + 1
    >>> traj = run(GD(0.5), Quadratic(eigenvalues=[1.0, 3.0]), [1.0, 1.0], 10)
    >>> traj.params.shape, traj.diverged_at
    ((11, 2), None)
    >>> traj.loss[:3]
    array([2.   , 0.5  , 0.125])
    >>> rates = np.array([[0.1], [0.9]])          # two runs in one batch
    >>> batch = run(GD(rates), Quadratic(eigenvalues=[1.0, 3.0]), [1.0, 1.0], 100, max_loss=1e6)
    >>> batch.diverged_at, batch.final_loss
    (array([-1, 13]), array([3.5e-10, inf]))
    """

    params: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    grad_norm: np.ndarray
    diverged_at: int | None | np.ndarray
    steps: int
    min_value: float | None = None

    def __post_init__(self):
        for name in ("params", "loss", "lr", "grad_norm"):
            object.__setattr__(self, name, _read_only(np.array(getattr(self, name), dtype=float)))
        rows = self.loss.shape[0]
        if self.params.shape[:-1] != self.loss.shape or self.grad_norm.shape != self.loss.shape:
            raise fail_value("params", f"of shape {self.loss.shape} + (d,), as loss and grad_norm",
                             self.params)
        if self.lr.shape[0] != rows - 1:
            raise fail_value("lr", f"an array with {rows - 1} rows (one per update)", self.lr)
        check_int("steps", self.steps, min_value=rows - 1)
        if self.loss.ndim > 1:
            object.__setattr__(self, "diverged_at", _read_only(np.array(self.diverged_at, dtype=np.int64)))

    @property
    def batch_shape(self) -> tuple:
        """The batch axes: ``()`` for a single run, ``(K,)`` for a sweep of K rates."""
        return self.loss.shape[1:]

    @property
    def diverged(self):
        """True (per member for a batch) if the run went bad."""
        if self.loss.ndim == 1:
            return self.diverged_at is not None
        return self.diverged_at >= 0

    @property
    def steps_run(self):
        """Updates done before the run ended: the divergence step, else ``steps``."""
        if self.loss.ndim == 1:
            return self.steps if self.diverged_at is None else self.diverged_at
        return np.where(self.diverged_at >= 0, self.diverged_at, self.steps)

    @property
    def final_loss(self):
        """Loss after the last update; inf for a run that diverged."""
        if self.loss.ndim == 1:
            return float("inf") if self.diverged else float(self.loss[-1])
        return np.where(self.diverged, np.inf, self.loss[-1])

    def converged_at(self, tol: float, target: float | None = None):
        """First step whose loss is within ``tol`` of ``target`` (default: ``min_value``).

        Returns an int, or None if never, for a single run; an int array with -1 for a batch.
        """
        tol = check_real("tol", tol, min_value=0.0)
        if target is None:
            if self.min_value is None:
                raise fail_value("target", "given when the surface's min_value is unknown", target)
            target = self.min_value
        target = check_real("target", target)
        with np.errstate(invalid="ignore"):
            close = self.loss - target <= tol
        first = np.where(close.any(axis=0), close.argmax(axis=0), -1)
        if self.loss.ndim == 1:
            return None if first < 0 else int(first)
        return first

    def member(self, index) -> Trajectory:
        """The single run at batch position ``index``, cut at its divergence step."""
        if self.loss.ndim == 1:
            raise fail_value("index", "used on a batch (this trajectory is a single run)", index)
        index = index if isinstance(index, tuple) else (index,)
        at = int(self.diverged_at[index])
        end = self.loss.shape[0] if at < 0 else at + 1
        pick = (slice(0, end),) + index
        return Trajectory(params=self.params[pick], loss=self.loss[pick], lr=self.lr[(slice(0, end - 1),) + index],
                          grad_norm=self.grad_norm[pick], diverged_at=None if at < 0 else at,
                          steps=self.steps, min_value=self.min_value)


    def head(self, steps: int) -> Trajectory:
        """The first ``steps`` updates of a single run: what a run given only ``steps``
        updates records (the same numbers, since an update never depends on the ones after).

        A slider over the length of a run can then draw every setting from one long run.

        >>> class GD:
        ...     def init(self, params):
        ...         return 0
        ...     def step(self, params, grads, state):
        ...         return params - 0.1 * grads, state
        >>> from lrlib.surfaces import Quadratic
        >>> long = run(GD(), Quadratic([1.0]), [1.0], steps=100)
        >>> short = run(GD(), Quadratic([1.0]), [1.0], steps=10)
        >>> bool(np.array_equal(long.head(10).params, short.params)), long.head(10).steps
        (True, 10)
        """
        if self.loss.ndim > 1:
            raise fail_value("steps", "used on a single run (take .member(i) of a batch first)",
                             steps)
        steps = check_int("steps", steps, min_value=0, max_value=self.steps)
        if self.diverged_at is not None and self.diverged_at <= steps:
            return dataclasses.replace(self, steps=steps)  # it ended before: all of it
        return dataclasses.replace(self, params=self.params[:steps + 1],
                                   loss=self.loss[:steps + 1], lr=self.lr[:steps],
                                   grad_norm=self.grad_norm[:steps + 1], diverged_at=None,
                                   steps=steps)


def _check_optimizer(optimizer):
    if not (callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "step", None))):
        raise fail_type("optimizer", "an object with init(params) and step(params, grads, state)", optimizer)


def _check_surface(surface):
    if not (callable(getattr(surface, "f", None)) and callable(getattr(surface, "grad", None))
            and isinstance(getattr(surface, "dim", None), int)):
        raise fail_type("surface", "an object with dim, f(x) and grad(x)", surface)


def _full_shape(optimizer, start_shape) -> tuple:
    """Broadcast x0 against every array hyperparameter of the optimizer (that makes the batch)."""
    if dataclasses.is_dataclass(optimizer):
        named = [(f.name, getattr(optimizer, f.name)) for f in dataclasses.fields(optimizer)]
    else:
        named = [("lr", getattr(optimizer, "lr", None))]
    shape = start_shape
    for name, value in named:
        if not isinstance(value, np.ndarray):
            continue
        requirement = (f"an array broadcasting against x0 of shape {start_shape} with last axis 1 "
                       f"or {start_shape[-1]} (use shape (K, 1) for K values)")
        try:
            shape = np.broadcast_shapes(shape, value.shape)
        except ValueError:
            raise fail_value(name, requirement, value) from None
        if shape[-1] != start_shape[-1]:
            raise fail_value(name, requirement, value)
    return shape


def _rate_value(value, batch_ndim: int, aligned: bool):
    """Turn a rate into (array, per_coordinate): strip the coordinate axis when it has length 1.

    A first-order ``lr`` broadcasts against the params, so its last axis is the coordinate axis;
    a second-order ``step_size`` counts as aligned with the params only if it has their ndim.
    """
    if type(value) is float:
        return value, False
    if value is None:
        return np.nan, False
    rate = np.asarray(value, dtype=float)
    if rate.ndim >= 1 and (aligned or rate.ndim == batch_ndim + 1):
        if rate.shape[-1] == 1:
            return rate[..., 0], False
        return rate, True
    return rate, False


def _went_bad(value, x, max_loss) -> bool:
    """Whether one run's iterate is bad: loss not finite or above ``max_loss``, or x not finite.

    The same test as the batch one (``np.isfinite``), on Python floats: it runs every step.
    """
    loss = float(value)
    if not (math.isfinite(loss) and loss <= max_loss):
        return True
    if x.size <= 16:
        return not all(map(math.isfinite, x.ravel().tolist()))
    return not np.isfinite(x).all()


def run(optimizer, surface, x0, steps, *, noise=0.0, batch_size=None, seed=0, max_loss=1e100,
        record_grad_norm=True):
    r"""Run ``optimizer`` on ``surface`` from ``x0`` for ``steps`` updates; return a :class:`Trajectory`.

    Parameters
    ----------
    optimizer : optimizer
        Anything with ``init(params)`` and ``step(params, grads, state)``; with a class attribute
        ``needs_surface = True`` it is called as ``step(params, grads, state, surface)`` and its
        ``state.step_size`` is recorded as the rate used.
    surface : surface
        Anything with ``dim``, ``f(x)`` and ``grad(x)`` (``value_and_grad(x)`` is used if present).
    x0 : array_like, shape (\*batch, d)
        Start point(s). It is broadcast against the optimizer's array hyperparameters: ``lr`` of
        shape ``(K, 1)`` with ``x0`` of shape ``(d,)`` gives a batch of K runs, computed together.
    steps : int
        Number of updates, >= 0.
    noise : float, default 0
        Standard deviation of Gaussian noise added to each coordinate of the gradient the
        optimizer sees (the recorded ``grad_norm`` stays the exact gradient's).
    batch_size : int, optional
        Minibatch size, for a finite-sum surface (one with ``n_samples`` and ``grad(x, idx)``):
        each update sees the gradient of the next ``batch_size`` samples of a random permutation,
        redrawn each epoch; the last minibatch of an epoch may be smaller.
    seed : int, default 0
        Seed of ``np.random.default_rng``, the only source of randomness (noise, minibatches).
    max_loss : float, default 1e100
        A loss above this counts as divergence. The default is far above any loss of a working
        run and far below float overflow (about 1.8e308): a diverging run then ends at a step
        that does not depend on the float range, and its losses stay drawable on a log axis.
        Pass a smaller bound to end hopeless runs sooner, ``np.inf`` to count only non-finite
        losses and iterates.
    record_grad_norm : bool, default True
        Record the norm of the full gradient at every iterate. With False, ``grad_norm`` is
        left NaN; with ``batch_size`` as well, the full gradient is then never computed (the
        updates use minibatch gradients only), so an update costs one minibatch gradient and
        one full loss instead of a full loss and gradient, with the same iterates and losses.

    Returns
    -------
    Trajectory
        See :class:`Trajectory` for what the arrays hold after a divergence.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, named with its value; array hyperparameters that do not broadcast
        against ``x0``; a ``batch_size`` for a surface without ``n_samples``.

    Notes
    -----
    With :math:`\theta_0 = x_0` and update :math:`n = 0, \dots, S-1`:

    .. math::
        \tilde g_n = \nabla f_{B_n}(\theta_n) + \sigma \xi_n, \qquad
        (\theta_{n+1}, s_{n+1}) = \mathrm{step}(\theta_n, \tilde g_n, s_n),

    where :math:`B_n` is the minibatch (every sample without ``batch_size``), :math:`\sigma` is
    ``noise`` and :math:`\xi_n \sim N(0, I_d)`. Every member of a batch sees the same noise
    :math:`\xi_n` and the same minibatches (common random numbers), so a batched run equals its
    members run one at a time, bit for bit; vary ``seed`` to see other draws.
    All arithmetic runs under ``np.errstate(all="ignore")``: a diverging run emits no warning.

    Examples
    --------
    >>> from lrlib.surfaces import Quadratic
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class GD:
    ...     lr: float
    ...     def init(self, params):
    ...         return 0
    ...     def step(self, params, grads, state):
    ...         return params - self.lr * grads, state + 1
    >>> traj = run(GD(0.25), Quadratic(eigenvalues=[1.0, 10.0]), [1.0, 1.0], 50, max_loss=1e6)
    >>> traj.diverged_at, traj.steps_run, traj.loss[:3]
    (16, 16, array([ 5.5 , 11.53125 , 25.4707]))
    """
    _check_optimizer(optimizer)
    _check_surface(surface)
    record_grad_norm = check_bool("record_grad_norm", record_grad_norm)
    steps = check_int("steps", steps, min_value=0)
    noise = check_real("noise", noise, min_value=0.0)
    seed = check_int("seed", seed, min_value=0)
    if isinstance(max_loss, (bool, np.bool_)) or not isinstance(max_loss, numbers.Real):
        raise fail_type("max_loss", "a real number", max_loss)
    if not max_loss > 0:
        raise fail_value("max_loss", "a number > 0 (inf to disable)", max_loss)
    dim = surface.dim
    requirement = f"finite real numbers of shape (..., {dim})"
    try:
        start = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise fail_type("x0", requirement, x0) from None
    if start.ndim == 0 or start.shape[-1] != dim or not np.all(np.isfinite(start)):
        raise fail_value("x0", requirement, x0)
    shape = _full_shape(optimizer, start.shape)
    batch = shape[:-1]
    n_samples = getattr(surface, "n_samples", None)
    if batch_size is not None:
        if n_samples is None:
            raise fail_value("batch_size", f"None for a surface without n_samples ({type(surface).__name__})",
                             batch_size)
        batch_size = check_int("batch_size", batch_size, min_value=1, max_value=n_samples)

    needs_surface = bool(getattr(optimizer, "needs_surface", False))
    lr = getattr(optimizer, "lr", None)
    evaluate = getattr(surface, "value_and_grad", None) or (lambda x: (surface.f(x), surface.grad(x)))
    if not record_grad_norm and batch_size is not None:  # the steps use minibatch gradients
        evaluate = lambda x: (surface.f(x), None)  # noqa: E731
    rng = np.random.default_rng(seed)
    order, position = None, 0

    params = np.full((steps + 1,) + shape, np.nan)
    loss = np.full((steps + 1,) + batch, np.nan)
    grad_norm = np.full((steps + 1,) + batch, np.nan)
    # A single run keeps its exact gradients and takes their norms after the loop, in one pass
    # (the same numbers: each row is summed as a 1-D array is). A batch takes them as it goes.
    gradients = None if batch or not record_grad_norm else np.full((steps + 1,) + shape, np.nan)
    rates = None
    diverged_at = np.full(batch, -1, dtype=np.int64)
    check_bound = max_loss < np.inf
    # A rate that is a number or an array is the same for every update: recorded after the loop.
    fixed_rate = not needs_surface and not callable(lr)
    updates = 0

    with np.errstate(all="ignore"):
        x = np.array(np.broadcast_to(start, shape))
        value, grad = evaluate(x)
        state = optimizer.init(x)
        for k in range(steps + 1):
            params[k] = x
            loss[k] = value
            if not batch:
                if gradients is not None:
                    gradients[k] = grad
                if _went_bad(value, x, max_loss):
                    diverged_at = np.array(k)
                    break
            else:
                if record_grad_norm:
                    grad_norm[k] = np.sqrt((grad * grad).sum(axis=-1))
                bad = ~np.isfinite(value) | ~np.isfinite(x).all(axis=-1)
                if check_bound:
                    bad |= value > max_loss
                if bad.any():
                    diverged_at = np.where(bad & (diverged_at < 0), k, diverged_at)
                    if (diverged_at >= 0).all():
                        break
            if k == steps:
                break
            seen = grad
            if batch_size is not None:
                if order is None or position >= n_samples:
                    order, position = rng.permutation(n_samples), 0
                seen = surface.grad(x, order[position:position + batch_size])
                position += batch_size
            if noise > 0:
                seen = seen + noise * rng.standard_normal(dim)
            if needs_surface:
                x, state = optimizer.step(x, seen, state, surface)
                rate, per_coordinate = _rate_value(state.step_size, len(batch), aligned=False)
            elif fixed_rate:
                x, state = optimizer.step(x, seen, state)
            else:
                rate, per_coordinate = _rate_value(lr(k), len(batch), aligned=True)
                x, state = optimizer.step(x, seen, state)
            updates += 1
            if not fixed_rate:
                if rates is None:
                    rates = np.full((steps,) + batch + ((dim,) if per_coordinate else ()), np.nan)
                rates[k] = rate
            if type(x) is not np.ndarray or x.shape != shape:
                if np.shape(x) != shape:
                    raise ValueError(f"optimizer.step returned params of shape {np.shape(x)}; "
                                     f"expected {shape}")
            value, grad = evaluate(x)
        if gradients is not None:
            grad_norm = np.sqrt((gradients * gradients).sum(axis=-1))

    if fixed_rate and updates:
        rate, per_coordinate = _rate_value(lr, len(batch), aligned=True)
        rates = np.full((steps,) + batch + ((dim,) if per_coordinate else ()), np.nan)
        rates[:updates] = rate
    if rates is None:
        rates = np.full((steps,) + batch, np.nan)
    min_value = getattr(surface, "min_value", None)
    if not batch:
        at = int(diverged_at)
        if at < 0:
            return Trajectory(params, loss, rates, grad_norm, None, steps, min_value)
        return Trajectory(params[: at + 1], loss[: at + 1], rates[:at], grad_norm[: at + 1], at, steps,
                          min_value)
    if (diverged_at >= 0).any():
        # Blank each diverged member after its bad iterate (and the updates from it on).
        later = np.arange(steps + 1).reshape((-1,) + (1,) * len(batch)) > np.where(
            diverged_at >= 0, diverged_at, steps + 1)
        params[later] = np.nan
        loss[later] = np.nan
        grad_norm[later] = np.nan
        rates[later[1:]] = np.nan
    return Trajectory(params, loss, rates, grad_norm, diverged_at, steps, min_value)


def sweep(make_optimizer, lrs, surface, x0, steps, **run_kwargs) -> Trajectory:
    r"""Run one optimizer at many learning rates as one vectorised batch.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(lr_column)`` returns the optimizer, with ``lr_column`` (shape ``(K, 1)``)
        as its learning rate, e.g. ``lambda lr: Momentum(lr, beta=0.9)``.
    lrs : array_like, shape (K,)
        Learning rates, finite and >= 0.
    surface, x0, steps, run_kwargs
        As for :func:`run`; ``x0`` is a single start point, shape ``(d,)``.

    Returns
    -------
    Trajectory
        A batch whose axis 1 runs over ``lrs``: ``traj.loss[:, i]`` is the run at ``lrs[i]``.

    Raises
    ------
    ValueError, TypeError
        For bad ``lrs`` or ``x0``, or an optimizer that did not take ``lr_column`` as its rate.

    Notes
    -----
    The batch equals K separate calls of :func:`run`, bit for bit (including noise and
    minibatches, which every member shares), in one pass of vectorised arithmetic.

    Examples
    --------
    >>> from lrlib.surfaces import Quadratic
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class GD:
    ...     lr: float
    ...     def init(self, params):
    ...         return 0
    ...     def step(self, params, grads, state):
    ...         return params - self.lr * grads, state + 1
    >>> q = Quadratic(eigenvalues=[1.0, 10.0])
    >>> traj = sweep(GD, [0.05, 0.15, 0.25], q, [1.0, 1.0], 30, max_loss=1e6)
    >>> traj.diverged, traj.diverged_at
    (array([False, False,  True]), array([-1, -1, 16]))
    """
    if not callable(make_optimizer):
        raise fail_type("make_optimizer", "a callable lr_column -> optimizer", make_optimizer)
    rates = check_lr("lrs", lrs, allow_callable=False)
    if np.ndim(rates) != 1 or np.size(rates) == 0:
        raise fail_value("lrs", "a non-empty 1-D array of finite numbers >= 0", lrs)
    if np.ndim(x0) != 1:
        raise fail_value("x0", "a single start point (a 1-D array) in a sweep", x0)
    count = len(rates)
    optimizer = make_optimizer(rates[:, None])
    traj = run(optimizer, surface, x0, steps, **run_kwargs)
    if traj.batch_shape != (count,):
        raise fail_value("make_optimizer", f"a callable that uses its argument (shape ({count}, 1)) as lr",
                         make_optimizer)
    return traj
