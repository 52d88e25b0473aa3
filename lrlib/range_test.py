r"""The learning-rate range test (Smith, 2017): raise the rate geometrically and watch the loss.

A short run whose rate grows from ``lr_min`` to ``lr_max`` by a constant factor per step records
the loss against the rate. Read on a log axis, the curve is flat while the rate is too small to
matter, falls once it is large enough, and turns up or blows up once it is too large.
:func:`lr_range_test` runs the test and applies two reading rules; :class:`ExponentialRamp` is
the rate it uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._schedules_base import set_field
from ._validation import (
    as_output,
    check_int,
    check_real,
    check_steps,
    fail_type,
    fail_value,
)
from .trajectory import run

__all__ = ["ExponentialRamp", "RangeTest", "lr_range_test"]


@dataclass(frozen=True)
class ExponentialRamp:
    r"""A rate that grows geometrically from ``lr_min`` to ``lr_max`` in ``steps`` steps.

    Parameters
    ----------
    lr_min : float
        Rate of the first update (step 0), ``> 0``.
    lr_max : float
        Rate of the last update (step ``steps - 1``), ``> lr_min``.
    steps : int
        Number of steps of the ramp, ``>= 2``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    .. math:: \eta_n = \eta_{min} \left(\frac{\eta_{max}}{\eta_{min}}\right)^{\min(n, S-1)/(S-1)}

    with :math:`S` = ``steps``: equal ratios between consecutive rates, so every decade of rates
    gets the same number of steps. Past the ramp the rate is held at ``lr_max``.

    Examples
    --------
    >>> ExponentialRamp(lr_min=1e-3, lr_max=1.0, steps=4)(np.arange(5))
    array([0.001, 0.01 , 0.1  , 1.   , 1.   ])
    """

    lr_min: float
    lr_max: float
    steps: int

    def __post_init__(self):
        lr_min = check_real("lr_min", self.lr_min, min_value=0.0, min_inclusive=False)
        set_field(self, "lr_min", lr_min)
        lr_max = check_real("lr_max", self.lr_max, min_value=0.0, min_inclusive=False)
        if not lr_max > lr_min:
            raise fail_value("lr_max", f"a finite number > lr_min={lr_min!r}", self.lr_max)
        set_field(self, "lr_max", lr_max)
        set_field(self, "steps", check_int("steps", self.steps, min_value=2))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        fraction = np.minimum(n, self.steps - 1) / (self.steps - 1)
        # exp(log) form: the last rate is lr_max up to one rounding, whatever the ratio.
        values = np.exp(math.log(self.lr_min) + fraction * math.log(self.lr_max / self.lr_min))
        values = np.where(n >= self.steps - 1, self.lr_max, values)
        values = np.where(n == 0, self.lr_min, values)
        return as_output(values, n)


@dataclass(frozen=True, eq=False)
class RangeTest:
    r"""The record of a learning-rate range test, and what two reading rules suggest.

    Made by :func:`lr_range_test`.

    Attributes
    ----------
    lrs : ndarray, shape (K,)
        The rate of each update that was done.
    losses : ndarray, shape (K,)
        The full loss after each of those updates (``losses[k]`` follows the update at
        ``lrs[k]``); the last one may be inf or NaN if the run diverged.
    smoothed : ndarray, shape (K,)
        The bias-corrected exponential moving average of ``losses``; NaN for the loss that
        ended a diverging run (not finite, or above 1e100).
    blowup_at : int or None
        Index of the first update whose smoothed loss exceeded ``blowup`` times the least
        smoothed loss before it, or whose loss was not finite; None if the loss never blew up.
    lr_steepest : float
        The rate where the smoothed loss falls fastest against :math:`\log \eta`, searched
        before the smoothed loss reaches its minimum: the first reading rule. The slope is that
        of :math:`\log \bar L` (the curve as drawn on log axes) when the smoothed loss is
        positive up to its minimum, of :math:`\bar L` itself otherwise.
    lr_min_loss : float
        The rate at the least smoothed loss.
    lr_blowup : float or None
        ``lrs[blowup_at]``, the rate where the loss blew up; None if it never did.
    lr_tenth : float or None
        ``lr_blowup / 10``: the second reading rule; None if the loss never blew up (raise
        ``lr_max`` and test again).

    Examples
    --------
    >>> from lrlib.optimizers import SGD
    >>> from lrlib.surfaces import Quadratic
    >>> test = lr_range_test(SGD, Quadratic([1.0, 4.0]), [1.0, 1.0], 1e-3, 10.0, 60,
    ...                      smoothing=0.0)
    >>> test.lrs.shape, test.losses.shape, test.blowup_at
    ((60,), (60,), 45)
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    blowup_at: int | None
    lr_steepest: float
    lr_min_loss: float
    lr_blowup: float | None
    lr_tenth: float | None


def _smooth(losses: np.ndarray, beta: float) -> np.ndarray:
    """Bias-corrected EMA: ``a_k = beta a_{k-1} + (1 - beta) L_k`` over ``1 - beta^(k+1)``."""
    smoothed = np.full(losses.shape, np.nan)
    average = 0.0
    for k, loss in enumerate(losses):
        if not np.isfinite(loss):
            break
        average = beta * average + (1.0 - beta) * loss
        smoothed[k] = average / (1.0 - beta ** (k + 1)) if beta > 0 else loss
    return smoothed


def lr_range_test(make_optimizer, surface, x0, lr_min, lr_max, steps, *, batch_size=None, seed=0,
                  smoothing=0.98, blowup=4.0) -> RangeTest:
    r"""Run a learning-rate range test and read two suggested rates off it.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(schedule)`` returns the optimizer with ``schedule`` (an
        :class:`ExponentialRamp`) as its learning rate, e.g. ``lambda lr: Momentum(lr, 0.9)``.
    surface : surface
        What to minimise, as for :func:`lrlib.run`.
    x0 : array_like, shape (d,)
        The start point.
    lr_min, lr_max : float
        The first and last rate of the ramp, ``0 < lr_min < lr_max``.
    steps : int
        Number of updates, ``>= 3``.
    batch_size : int, optional
        Minibatch size for a finite-sum surface (see :func:`lrlib.run`).
    seed : int, default 0
        Seed of the minibatches.
    smoothing : float, default 0.98
        The factor :math:`\beta` of the moving average, in ``[0, 1)``; 0 means no smoothing.
    blowup : float, default 4.0
        The smoothed loss has blown up when it exceeds ``blowup`` times its least value so far
        (the stopping rule of fastai's ``lr_find``), ``> 1``.

    Returns
    -------
    RangeTest

    Raises
    ------
    TypeError, ValueError
        For a bad argument (named, with its value), as for :func:`lrlib.run`.

    Notes
    -----
    Update :math:`n` uses :math:`\eta_n = \eta_{min} (\eta_{max}/\eta_{min})^{n/(S-1)}` and
    :math:`L_n` is the loss after it. The smoothed loss is the moving average

    .. math:: a_n = \beta a_{n-1} + (1 - \beta) L_n, \quad a_{-1} = 0, \qquad
              \bar L_n = a_n / (1 - \beta^{n+1}).

    Its weights have mean age :math:`\beta/(1 - \beta)` steps (49 for 0.98): the smoothed curve
    lags the raw one by that many steps, i.e. by that many ramp steps' worth of rate. The run
    ends early only if the loss stops being finite (or exceeds 1e100); it is not stopped at
    the blow-up, so the whole curve can be drawn.

    *Steepest descent* picks the rate where :math:`d\log\bar L/d\log\eta` (or
    :math:`d\bar L/d\log\eta` if the smoothed loss is not positive) is most negative among the
    updates up to the least smoothed loss. *A tenth of the blow-up* picks
    :math:`\eta_b/10`, with :math:`\eta_b` the first rate whose smoothed loss exceeds
    ``blowup`` times the least smoothed loss before it (or whose loss is not finite).

    References
    ----------
    .. [1] L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017,
       section 3.3.

    Examples
    --------
    >>> from lrlib.optimizers import SGD
    >>> from lrlib.surfaces import Quadratic
    >>> test = lr_range_test(SGD, Quadratic([1.0, 4.0]), [1.0, 1.0], 1e-3, 10.0, 60,
    ...                      smoothing=0.0)
    >>> round(test.lr_blowup, 3), round(test.lr_tenth, 4)
    (1.124, 0.1124)

    Gradient descent on this quadratic is stable for rates below :math:`2/\lambda_{max} = 0.5`;
    the loss blows up visibly only later, once the unstable direction has grown from the tiny
    size the earlier, stable updates left it at. Hence the margin of the tenth.
    """
    if not callable(make_optimizer):
        raise fail_type("make_optimizer", "a callable schedule -> optimizer", make_optimizer)
    steps = check_int("steps", steps, min_value=3)
    ramp = ExponentialRamp(lr_min, lr_max, steps)
    smoothing = check_real("smoothing", smoothing, min_value=0.0, max_value=1.0,
                           max_inclusive=False)
    blowup = check_real("blowup", blowup, min_value=1.0, min_inclusive=False)
    if np.ndim(x0) != 1:
        raise fail_value("x0", "a single start point (a 1-D array)", x0)
    optimizer = make_optimizer(ramp)
    if getattr(optimizer, "lr", None) is not ramp:
        raise fail_value("make_optimizer",
                         "a callable that uses its argument as the optimizer's lr", make_optimizer)
    traj = run(optimizer, surface, x0, steps, batch_size=batch_size, seed=seed)

    done = len(traj.lr)
    lrs = np.array(traj.lr, dtype=float)
    losses = np.array(traj.loss[1:done + 1], dtype=float)
    # The loss after the last update of a run that diverged is bad even if finite (> 1e100).
    good = len(losses) - 1 if traj.diverged_at is not None else len(losses)
    smoothed = np.concatenate((_smooth(losses[:good], smoothing),
                               np.full(len(losses) - good, np.nan)))
    finite = np.isfinite(smoothed)
    if not finite.any():
        raise fail_value("lr_min", "small enough for the first update to keep the loss finite",
                         lr_min)

    running_min = np.fmin.accumulate(np.where(finite, smoothed, np.inf))
    previous_min = np.concatenate(([np.inf], running_min[:-1]))
    with np.errstate(invalid="ignore"):
        blown = ~finite | (smoothed > blowup * previous_min)
    blowup_at = int(np.argmax(blown)) if blown.any() else None

    best = int(np.nanargmin(smoothed))
    if best >= 1:
        falling = smoothed[: best + 1]
        if np.all(falling > 0):  # the curve as drawn on a log axis
            falling = np.log(falling)
        slopes = np.gradient(falling, np.log(lrs[: best + 1]))
        steepest = int(np.argmin(slopes))
    else:
        steepest = 0
    lr_blowup = None if blowup_at is None else float(lrs[blowup_at])
    for array in (lrs, losses, smoothed):
        array.flags.writeable = False  # the record is frozen, arrays included
    return RangeTest(
        lrs=lrs, losses=losses, smoothed=smoothed, blowup_at=blowup_at,
        lr_steepest=float(lrs[steepest]), lr_min_loss=float(lrs[best]), lr_blowup=lr_blowup,
        lr_tenth=None if lr_blowup is None else lr_blowup / 10.0)
