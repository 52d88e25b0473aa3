r"""Schedules built from other schedules, and the metric-driven ``ReduceOnPlateau``.

Re-exported by :mod:`lrlib.schedules`; import them from there (or from :mod:`lrlib`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._schedules_base import (
    check_int_sequence,
    check_schedule,
    check_sequence,
    evaluate,
    set_field,
)
from ._validation import (
    as_output,
    check_choice,
    check_int,
    check_real,
    check_steps,
    fail_type,
    fail_value,
)

__all__ = ["LinearWarmup", "Join", "ReduceOnPlateau", "PlateauState"]


@dataclass(frozen=True)
class LinearWarmup:
    r"""A linear warm-up from ``start_lr`` to ``schedule(0)``, then ``schedule`` shifted by it.

    Parameters
    ----------
    schedule : Schedule
        The schedule that follows the warm-up; it starts at its own step 0 when the warm-up
        ends. Any callable ``step -> lr`` that accepts integer arrays will do.
    warmup_steps : int
        Length :math:`W \ge 0` of the warm-up (0: no warm-up).
    start_lr : float, default 0.0
        Rate of the first update, ``>= 0``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    .. math:: \eta_n = \begin{cases}
              \eta_{start} + (s(0) - \eta_{start})\, n/W & n < W \\
              s(n - W) & n \ge W \end{cases}

    The wrapped schedule is *shifted*, not multiplied: it runs in full after the warm-up, so
    its own ``total_steps`` count from the end of the warm-up (as Keras' ``CosineDecay`` with
    ``warmup_steps``; optax's ``warmup_cosine_decay_schedule`` counts them from 0 instead).
    With ``start_lr = 0`` the first update has rate 0, as in HuggingFace's linear warm-up.
    PyTorch twin: ``SequentialLR([LinearLR(start_factor=f, total_iters=W), S], milestones=[W])``
    is ``LinearWarmup(S', W, start_lr=f * lr)`` when ``S'`` is the twin of ``S``.

    Examples
    --------
    >>> from lrlib.schedules import CosineDecay
    >>> schedule = LinearWarmup(CosineDecay(0.1, total_steps=4), warmup_steps=2)
    >>> schedule(np.arange(8))
    array([0.        , 0.05      , 0.1       , 0.08535534, 0.05      , 0.01464466,
           0.        , 0.        ])
    """

    schedule: object
    warmup_steps: int
    start_lr: float = 0.0

    def __post_init__(self):
        check_schedule("schedule", self.schedule)
        set_field(self, "warmup_steps", check_int("warmup_steps", self.warmup_steps, min_value=0))
        set_field(self, "start_lr", check_real("start_lr", self.start_lr, min_value=0.0))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        warming = n < self.warmup_steps
        values = np.empty(n.shape)
        if warming.any():
            target = float(evaluate(self.schedule, np.zeros((), dtype=np.int64)))
            values[warming] = self.start_lr + (target - self.start_lr) * (
                n[warming] / self.warmup_steps)
        if not warming.all():
            values[~warming] = evaluate(self.schedule, n[~warming] - self.warmup_steps)
        return as_output(values, n)


@dataclass(frozen=True)
class Join:
    r"""Run schedules one after another, each restarted at its own step 0.

    Parameters
    ----------
    schedules : sequence of Schedule
        The schedules, at least one; callables ``step -> lr`` that accept integer arrays.
    boundaries : sequence of int
        The steps :math:`b_0 < b_1 < \dots` (each ``>= 1``) where the next schedule takes
        over; one fewer than there are schedules.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type, the boundaries are not strictly increasing positive
        integers, or the lengths do not match.

    Notes
    -----
    .. math:: \eta_n = s_i(n - b_{i-1}) \quad \text{for} \quad b_{i-1} \le n < b_i,

    with :math:`b_{-1} = 0` and :math:`b_k = \infty`. Each schedule starts afresh at its own
    step 0, whatever the rate was before: PyTorch's ``SequentialLR`` (which restarts each
    scheduler from the base rate at its milestone) and optax's ``join_schedules``.

    Examples
    --------
    >>> from lrlib.schedules import Constant, ExponentialDecay
    >>> schedule = Join([Constant(0.05), ExponentialDecay(0.1, decay=0.5)], boundaries=[2])
    >>> schedule(np.arange(5))
    array([0.05      , 0.05      , 0.1       , 0.06065307, 0.03678794])
    """

    schedules: tuple
    boundaries: tuple[int, ...]

    def __post_init__(self):
        schedules = tuple(check_schedule(f"schedules[{i}]", s)
                          for i, s in enumerate(check_sequence("schedules", self.schedules)))
        if not schedules:
            raise fail_value("schedules", "a non-empty sequence of schedules", self.schedules)
        set_field(self, "schedules", schedules)
        boundaries = check_int_sequence("boundaries", self.boundaries, min_value=1, strictly=True)
        if len(boundaries) != len(schedules) - 1:
            raise fail_value("boundaries", f"a sequence of len(schedules) - 1 = "
                             f"{len(schedules) - 1} integers", self.boundaries)
        set_field(self, "boundaries", boundaries)

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        starts = np.asarray((0,) + self.boundaries, dtype=np.int64)
        piece = np.searchsorted(starts, n, side="right") - 1
        values = np.empty(n.shape)
        for index, schedule in enumerate(self.schedules):
            here = piece == index
            if here.any():
                values[here] = evaluate(schedule, n[here] - starts[index])
        return as_output(values, n)


class PlateauState(NamedTuple):
    """The state of :class:`ReduceOnPlateau` after some metrics were reported.

    Attributes
    ----------
    lr : float
        The rate to use now.
    best : float
        The best metric so far (``inf`` for ``"min"``, ``-inf`` for ``"max"`` before any).
    num_bad : int
        Consecutive reports without improvement (reset by a reduction and during cooldown).
    cooldown_counter : int
        Reports left before bad reports count again.

    Examples
    --------
    >>> state = PlateauState(lr=0.1, best=0.5, num_bad=2, cooldown_counter=0)
    >>> state._replace(num_bad=0).num_bad
    0
    """

    lr: float
    best: float
    num_bad: int
    cooldown_counter: int


@dataclass(frozen=True)
class ReduceOnPlateau:
    r"""Cut the rate when a monitored metric stops improving: PyTorch's ``ReduceLROnPlateau``.

    Not a function of the step: the rate depends on the metrics reported so far. The object is
    immutable; its state is a :class:`PlateauState` that :meth:`update` returns anew.

    Parameters
    ----------
    lr0 : float
        The starting rate, ``>= 0``.
    mode : {"min", "max"}, default "min"
        Whether a lower or a higher metric is better.
    factor : float, default 0.1
        The factor of each reduction, in ``[0, 1)``.
    patience : int, default 10
        Reports without improvement that are tolerated; the rate is cut at the
        ``patience + 1``-th. ``>= 0``.
    threshold : float, default 1e-4
        The least improvement that counts, ``>= 0``.
    threshold_mode : {"rel", "abs"}, default "rel"
        Whether ``threshold`` is relative to the best metric or absolute.
    cooldown : int, default 0
        Reports after a reduction during which bad reports are not counted, ``>= 0``.
    min_lr : float, default 0.0
        The rate is never cut below this, in ``[0, lr0]``.
    eps : float, default 1e-8
        A cut smaller than this is skipped, ``>= 0``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    A report :math:`a` improves on the best :math:`a^*` if :math:`a < a^*(1 - \theta)` (min,
    rel), :math:`a < a^* - \theta` (min, abs), :math:`a > a^*(1 + \theta)` (max, rel) or
    :math:`a > a^* + \theta` (max, abs); the first report always improves on
    :math:`\pm\infty`. Each report then, in PyTorch's order: resets ``num_bad`` to 0 or adds 1;
    during cooldown counts the cooldown down and zeroes ``num_bad``; and if
    ``num_bad > patience`` sets :math:`\eta \leftarrow \max(\eta f, \eta_{min})` unless that
    changes :math:`\eta` by no more than ``eps``, then restarts the cooldown and zeroes
    ``num_bad``. In ``"rel"`` mode a negative best makes the test looser, as in PyTorch.

    Non-finite metrics are accepted and follow PyTorch: NaN never improves (so a run whose
    loss became NaN counts bad reports and is eventually cut), ``inf`` in ``"min"`` mode never
    improves, and ``-inf`` improves once and then can never be beaten.

    Examples
    --------
    >>> plateau = ReduceOnPlateau(lr0=0.1, patience=1)
    >>> plateau.lrs([1.0, 0.5, 0.5, 0.5, 0.5, 0.4])
    array([0.1 , 0.1 , 0.1 , 0.1 , 0.01, 0.01, 0.01])
    >>> state = plateau.update(0.5, plateau.init())
    >>> state
    PlateauState(lr=0.1, best=0.5, num_bad=0, cooldown_counter=0)
    """

    lr0: float
    mode: str = "min"
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: str = "rel"
    cooldown: int = 0
    min_lr: float = 0.0
    eps: float = 1e-8

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        check_choice("mode", self.mode, ("min", "max"))
        set_field(self, "factor", check_real("factor", self.factor, min_value=0.0, max_value=1.0,
                                             max_inclusive=False))
        set_field(self, "patience", check_int("patience", self.patience, min_value=0))
        set_field(self, "threshold", check_real("threshold", self.threshold, min_value=0.0))
        check_choice("threshold_mode", self.threshold_mode, ("rel", "abs"))
        set_field(self, "cooldown", check_int("cooldown", self.cooldown, min_value=0))
        min_lr = check_real("min_lr", self.min_lr, min_value=0.0)
        if not min_lr <= self.lr0:
            raise fail_value("min_lr", f"a finite number <= lr0={self.lr0!r}", min_lr)
        set_field(self, "min_lr", min_lr)
        set_field(self, "eps", check_real("eps", self.eps, min_value=0.0))

    def init(self) -> PlateauState:
        """The state before any metric was reported.

        Returns
        -------
        PlateauState
            ``lr0``, the worst possible best metric, and zero counters.

        Examples
        --------
        >>> ReduceOnPlateau(lr0=0.1, mode="max").init()
        PlateauState(lr=0.1, best=-inf, num_bad=0, cooldown_counter=0)
        """
        worst = float("inf") if self.mode == "min" else float("-inf")
        return PlateauState(lr=self.lr0, best=worst, num_bad=0, cooldown_counter=0)

    def _improves(self, metric: float, best: float) -> bool:
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            return metric < (best * (1.0 - self.threshold) if relative else best - self.threshold)
        return metric > (best * (self.threshold + 1.0) if relative else best + self.threshold)

    def update(self, metric, state: PlateauState) -> PlateauState:
        """Report one metric; return the new state (``state`` itself is not changed).

        Parameters
        ----------
        metric : float
            The monitored quantity after the latest epoch (any real number, NaN included).
        state : PlateauState
            The state from :meth:`init` or a previous :meth:`update`.

        Returns
        -------
        PlateauState
            The new state; its ``lr`` is the rate to use from now on.

        Raises
        ------
        TypeError
            If ``metric`` is not a real number or ``state`` not a :class:`PlateauState`.

        Examples
        --------
        >>> plateau = ReduceOnPlateau(lr0=1.0, factor=0.5, patience=0)
        >>> state = plateau.update(3.0, plateau.init())
        >>> plateau.update(3.0, state).lr
        0.5
        """
        if not isinstance(metric, numbers.Real) or isinstance(metric, (bool, np.bool_)):
            raise fail_type("metric", "a real number", metric)
        if not isinstance(state, PlateauState):
            raise fail_type("state", "a PlateauState (from init() or update())", state)
        metric = float(metric)
        if self._improves(metric, state.best):
            best, num_bad = metric, 0
        else:
            best, num_bad = state.best, state.num_bad + 1
        cooldown_counter = state.cooldown_counter
        if cooldown_counter > 0:
            cooldown_counter -= 1
            num_bad = 0
        lr = state.lr
        if num_bad > self.patience:
            reduced = max(lr * self.factor, self.min_lr)
            if lr - reduced > self.eps:
                lr = reduced
            cooldown_counter = self.cooldown
            num_bad = 0
        return PlateauState(lr=lr, best=best, num_bad=num_bad, cooldown_counter=cooldown_counter)

    def lrs(self, metrics) -> np.ndarray:
        """The rates after reporting ``metrics`` one by one.

        Parameters
        ----------
        metrics : sequence of float
            The metrics, in the order they are reported.

        Returns
        -------
        numpy.ndarray
            ``len(metrics) + 1`` rates: entry ``k`` is the rate after ``k`` reports (entry 0
            is ``lr0``), so update ``k`` of a training loop that reports after every update
            uses entry ``k``.

        Examples
        --------
        >>> ReduceOnPlateau(lr0=1.0, patience=0, factor=0.5).lrs([2.0, 2.0, 1.0, 1.0])
        array([1.  , 1.  , 0.5 , 0.5 , 0.25])
        """
        state = self.init()
        rates = [state.lr]
        for index, metric in enumerate(check_sequence("metrics", metrics)):
            if not isinstance(metric, numbers.Real) or isinstance(metric, (bool, np.bool_)):
                raise fail_type(f"metrics[{index}]", "a real number", metric)
            state = self.update(metric, state)
            rates.append(state.lr)
        return np.asarray(rates, dtype=float)
