r"""Step-wise schedules: the seed's step decay, PyTorch's ``MultiStepLR``, piecewise constants.

Re-exported by :mod:`lrlib.schedules`; import them from there (or from :mod:`lrlib`).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ._schedules_base import check_int_sequence, check_real_sequence, set_field
from ._validation import as_output, check_int, check_real, check_steps, fail_value

__all__ = ["StepDecay", "MultiStepDecay", "PiecewiseConstant"]


@dataclass(frozen=True)
class StepDecay:
    r"""Step decay as in the first seed: the rate drops by a factor every ``every`` steps.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    drop : float
        Factor applied at each drop, in ``[0, 1]``.
    every : int
        Steps between drops (the seed's :math:`r`), ``>= 1``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    .. math:: \eta_n = \eta_0 \, \mathrm{drop}^{\lfloor (1 + n)/r \rfloor}

    The first drop comes at :math:`n = r - 1`, one step *before* PyTorch's ``StepLR``, Keras'
    ``ExponentialDecay(staircase=True)`` and optax, which all use :math:`\lfloor n/r \rfloor`:
    the seed's value at :math:`n` is their value at :math:`n + 1`. To get ``StepLR``'s numbers
    use its exact twin :class:`MultiStepDecay` with a milestone every :math:`r` steps,
    ``MultiStepDecay(lr0, milestones=range(r, total_steps, r), gamma=drop)``, which agrees with
    ``StepLR(step_size=r, gamma=drop)`` at every step below ``total_steps``.

    Examples
    --------
    >>> seed = StepDecay(lr0=0.1, drop=0.5, every=30)
    >>> seed(np.array([0, 28, 29, 30, 59]))
    array([0.1  , 0.1  , 0.05 , 0.05 , 0.025])
    >>> torch_steplr = MultiStepDecay(0.1, milestones=range(30, 300, 30), gamma=0.5)
    >>> torch_steplr(np.array([0, 28, 29, 30, 59]))
    array([0.1 , 0.1 , 0.1 , 0.05, 0.05])
    """

    lr0: float
    drop: float
    every: int

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "drop", check_real("drop", self.drop, min_value=0.0, max_value=1.0))
        set_field(self, "every", check_int("every", self.every, min_value=1))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        # floor((1 + n) / r), written so that n + 1 cannot overflow int64.
        drops = (n - (self.every - 1)) // self.every + 1
        with np.errstate(under="ignore"):
            return as_output(self.lr0 * np.power(self.drop, drops.astype(float)), n)


@dataclass(frozen=True)
class MultiStepDecay:
    r"""Multiply the rate by ``gamma`` at each milestone: PyTorch's ``MultiStepLR``.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    milestones : sequence of int
        Steps at which the rate is multiplied by ``gamma``, each ``>= 1``, in increasing order.
        A repeated milestone multiplies by ``gamma`` once per repeat, as in PyTorch (whose
        ``Counter`` of milestones stacks duplicates). May be empty.
    gamma : float, default 0.1
        The factor, ``>= 0``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range, or the milestones decrease.

    Notes
    -----
    .. math:: \eta_n = \eta_0\, \gamma^{\#\{i : m_i \le n\}}

    The levels are computed as PyTorch computes them (``lr * gamma ** count`` at each distinct
    milestone, in order), so the two agree bit for bit. With a milestone every :math:`r` steps
    it is PyTorch's ``StepLR`` (see :class:`StepDecay`).

    Examples
    --------
    >>> schedule = MultiStepDecay(lr0=1.0, milestones=[2, 4, 4], gamma=0.5)
    >>> schedule(np.arange(6))
    array([1.   , 1.   , 0.5  , 0.5  , 0.125, 0.125])
    """

    lr0: float
    milestones: tuple[int, ...]
    gamma: float = 0.1
    _levels: np.ndarray = field(init=False, repr=False, compare=False)
    _starts: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "milestones",
                  check_int_sequence("milestones", self.milestones, min_value=1, strictly=False))
        set_field(self, "gamma", check_real("gamma", self.gamma, min_value=0.0))
        repeats = Counter(self.milestones)
        starts = tuple(sorted(repeats))
        levels = [self.lr0]
        for start in starts:
            try:
                factor = self.gamma ** repeats[start]
            except OverflowError:
                factor = math.inf
            levels.append(levels[-1] * factor)
        if not all(math.isfinite(level) for level in levels):
            raise fail_value("gamma", "small enough for every level to stay finite", self.gamma)
        # Kept as read-only arrays so that a call does not convert them again.
        set_field(self, "_starts", np.asarray(starts, dtype=np.int64))
        set_field(self, "_levels", np.asarray(levels, dtype=float))
        self._starts.flags.writeable = False
        self._levels.flags.writeable = False

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        passed = np.searchsorted(self._starts, n, side="right")
        return as_output(self._levels[passed], n)


@dataclass(frozen=True)
class PiecewiseConstant:
    r"""A piecewise-constant rate: ``values[i]`` between consecutive boundaries.

    Parameters
    ----------
    boundaries : sequence of int
        Strictly increasing steps :math:`b_0 < b_1 < \dots`, each ``>= 1``. May be empty.
    values : sequence of float
        The rates, each ``>= 0``; one more than there are boundaries.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range, or the lengths do not match.

    Notes
    -----
    .. math:: \eta_n = v_i \quad \text{for} \quad b_{i-1} \le n < b_i,

    with :math:`b_{-1} = 0` and :math:`b_{k} = \infty`. The switch happens *at* the boundary,
    as in optax's ``piecewise_constant_schedule`` (Keras' ``PiecewiseConstantDecay`` switches
    one step later, at :math:`b + 1`). PyTorch's ``ConstantLR(factor, total_iters)`` is
    ``PiecewiseConstant([total_iters], [factor * lr, lr])``.

    Examples
    --------
    >>> PiecewiseConstant(boundaries=[2, 4], values=[0.1, 0.01, 0.001])(np.arange(5))
    array([0.1  , 0.1  , 0.01 , 0.01 , 0.001])
    """

    boundaries: tuple[int, ...]
    values: tuple[float, ...]

    def __post_init__(self):
        set_field(self, "boundaries",
                  check_int_sequence("boundaries", self.boundaries, min_value=1, strictly=True))
        values = check_real_sequence("values", self.values, min_value=0.0)
        if len(values) != len(self.boundaries) + 1:
            count = len(self.boundaries) + 1
            raise fail_value("values", f"a sequence of len(boundaries) + 1 = {count} numbers",
                             self.values)
        set_field(self, "values", values)

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        piece = np.searchsorted(np.asarray(self.boundaries, dtype=np.int64), n, side="right")
        return as_output(np.asarray(self.values)[piece], n)
