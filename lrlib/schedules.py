r"""Learning-rate schedules: pure, vectorised functions of the 0-based step.

A schedule is a frozen dataclass; calling it with a step ``n`` (an ``int``) returns the learning
rate of update ``n`` as a Python float, and calling it with an integer array returns a float64
array of the same shape. A negative or fractional step raises, naming ``step``. Arguments are
checked when the schedule is built.

This module holds the smooth decays; the step-wise ones live in
:mod:`lrlib._schedules_piecewise`, the cosine and cyclic family in
:mod:`lrlib._schedules_cyclic`, and the composites (warm-up, joins, reduce-on-plateau) in
:mod:`lrlib._schedules_composite`. All of them are importable from here.

Where a schedule exists in ``torch.optim.lr_scheduler`` its docstring names the twin; the
fixture ``tests/oracle/schedules.json`` holds PyTorch's numbers for every twin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._schedules_base import Schedule, set_field
from ._schedules_composite import Join, LinearWarmup, PlateauState, ReduceOnPlateau
from ._schedules_cyclic import CosineDecay, CosineRestarts, Cyclic, OneCycle
from ._schedules_piecewise import MultiStepDecay, PiecewiseConstant, StepDecay
from ._validation import as_output, check_bool, check_int, check_real, check_steps

__all__ = [
    "Schedule",
    "Constant",
    "TimeBasedDecay",
    "InverseTimeDecay",
    "InverseSqrtDecay",
    "StepDecay",
    "ExponentialDecay",
    "MultiStepDecay",
    "PiecewiseConstant",
    "PolynomialDecay",
    "CosineDecay",
    "CosineRestarts",
    "Cyclic",
    "OneCycle",
    "LinearWarmup",
    "Noam",
    "Join",
    "ReduceOnPlateau",
    "PlateauState",
]

# TimeBasedDecay runs its literal recursion up to this step; beyond it, it sums logarithms in
# closed form (only reached when the rate has not yet underflowed, i.e. decay < ~3e-9).
_RECURSION_LIMIT = 2**20


@dataclass(frozen=True)
class Constant:
    r"""A constant learning rate.

    Parameters
    ----------
    lr : float
        The learning rate of every update, ``>= 0``.

    Raises
    ------
    TypeError, ValueError
        If ``lr`` is not a finite real number ``>= 0``.

    Notes
    -----
    .. math:: \eta_n = \eta

    Examples
    --------
    >>> Constant(0.1)(np.array([0, 1, 1000]))
    array([0.1, 0.1, 0.1])
    """

    lr: float

    def __post_init__(self):
        set_field(self, "lr", check_real("lr", self.lr, min_value=0.0))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        return as_output(np.full(n.shape, self.lr), n)


@dataclass(frozen=True)
class TimeBasedDecay:
    r"""Time-based decay as the recursion of the first seed: :math:`\eta_{n+1} = \eta_n/(1 + d n)`.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    decay : float
        Decay parameter :math:`d \ge 0`.

    Raises
    ------
    TypeError, ValueError
        If an argument is not a finite real number ``>= 0``.

    Notes
    -----
    The recursion has the product closed form

    .. math::
        \eta_n = \frac{\eta_0}{\prod_{k=0}^{n-1} (1 + d k)}
               = \frac{\eta_0\, \Gamma(1/d)}{d^n\, \Gamma(n + 1/d)} \quad (d > 0),

    an empty product for :math:`n = 0`. The first factor is :math:`1 + d \cdot 0 = 1`, so
    :math:`\eta_1 = \eta_0`: the first "decay" does nothing. For small :math:`d n`,
    :math:`\ln(\eta_n/\eta_0) \approx -d\, n(n-1)/2`: the rate collapses like a Gaussian, not
    like a hyperbola. It is *not* the time-based decay of Keras (:class:`InverseTimeDecay`,
    :math:`\eta_0/(1 + d n)`): with :math:`\eta_0 = 0.1, d = 0.01` the recursion gives
    :math:`\eta_{10} = 0.06464`, :math:`\eta_{50} = 2.45 \times 10^{-6}`,
    :math:`\eta_{100} = 2.4 \times 10^{-18}`, the hyperbola 0.0909, 0.0667 and 0.05.

    The literal recursion is evaluated (as a cumulative division, kept on the instance so that
    step-by-step calls cost linear time in total) up to step :math:`2^{20}`, or until the rate
    underflows to 0. Beyond :math:`2^{20}` the rate is nonzero only for
    :math:`d \lesssim 3 \times 10^{-9}`, and
    :math:`\sum_{k<n} \ln(1 + d k)` is taken from the Euler-Maclaurin formula (error
    :math:`O(d^3)`), so a step of :math:`10^{12}` costs no more than one of :math:`2^{20}`.
    Rates that underflow become 0, silently.

    PyTorch has no built-in twin; ``MultiplicativeLR(lr_lambda=lambda k: 1 / (1 + d * (k - 1)))``
    follows the same recursion (to ~1e-15, as it multiplies by a reciprocal).

    Examples
    --------
    >>> schedule = TimeBasedDecay(lr0=0.1, decay=0.01)
    >>> schedule(np.array([0, 1, 2, 10]))
    array([0.1       , 0.1       , 0.0990099 , 0.06463663])
    >>> float(f"{schedule(50):.3g}"), float(f"{schedule(100):.2g}")
    (2.45e-06, 2.4e-18)
    >>> InverseTimeDecay(lr0=0.1, decay=0.01)(np.array([1, 10, 100]))
    array([0.0990099 , 0.09090909, 0.05      ])
    """

    lr0: float
    decay: float
    _prefix: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "decay", check_real("decay", self.decay, min_value=0.0))

    def _recursion(self, top: int) -> np.ndarray:
        """``eta_0 .. eta_top`` by the literal recursion, ending early at the first 0.

        The prefix is kept on the instance (growing by doubling), so that an optimizer asking
        for steps 0, 1, 2, ... one at a time does linear, not quadratic, work. The recursion is
        sequential, so a longer prefix never changes an earlier value: the cache is invisible.
        """
        prefix = self._prefix
        if prefix is None:
            prefix = np.array([self.lr0])
        if len(prefix) > top or prefix[-1] == 0.0:
            return prefix
        while len(prefix) <= top and prefix[-1] != 0.0 and len(prefix) <= _RECURSION_LIMIT:
            # Continue eta_k = eta_{k-1} / (1 + d (k - 1)) in chunks of doubling size.
            chunk = min(max(len(prefix), 256), _RECURSION_LIMIT + 1 - len(prefix))
            ks = np.arange(len(prefix) - 1, len(prefix) - 1 + chunk, dtype=float)
            with np.errstate(under="ignore", over="ignore"):
                more = np.divide.accumulate(np.concatenate(([prefix[-1]], 1.0 + self.decay * ks)))
            prefix = np.concatenate((prefix, more[1:]))
        zeros = np.flatnonzero(prefix == 0.0)
        if zeros.size:
            prefix = prefix[: zeros[0] + 1]
        prefix.flags.writeable = False
        set_field(self, "_prefix", prefix)
        return prefix

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        if n.size == 0 or self.decay == 0.0:
            return as_output(np.full(n.shape, self.lr0), n)
        prefix = self._recursion(min(int(n.max()), _RECURSION_LIMIT))
        values = np.array(prefix[np.minimum(n, len(prefix) - 1)])  # past a 0 the rate stays 0
        far = n >= len(prefix)
        if prefix[-1] != 0.0 and far.any():
            values[far] = self._far(n[far])
        return as_output(values, n)

    def _far(self, n: np.ndarray) -> np.ndarray:
        """The rate at large steps from the Euler-Maclaurin sum of ``log1p(d k)``, ``k < n``."""
        d = self.decay
        steps = n.astype(float)
        x = d * steps
        # phi(x) = ((1 + x) log1p(x) - x) / x**2, by its series where the direct form cancels.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            direct = ((1.0 + x) * np.log1p(x) - x) / (x * x)
        series = sum((-x) ** m / ((m + 1) * (m + 2)) for m in range(12))
        phi = np.where(x < 1e-2, series, direct)
        with np.errstate(over="ignore", under="ignore"):
            log_sum = steps * x * phi - 0.5 * np.log1p(x) - d * x / (12.0 * (1.0 + x))
            return self.lr0 * np.exp(-log_sum)


@dataclass(frozen=True)
class InverseTimeDecay:
    r"""Inverse-time (hyperbolic) decay, as Keras' ``InverseTimeDecay``.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    decay : float
        Decay rate :math:`d \ge 0`.
    decay_steps : float, default 1
        The step scale :math:`s > 0`.
    staircase : bool, default False
        If true, :math:`n/s` is rounded down, so the rate changes every ``decay_steps`` steps.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range (NaN and inf included).

    Notes
    -----
    .. math:: \eta_n = \frac{\eta_0}{1 + d\, p}, \qquad
              p = n/s \ \text{or} \ \lfloor n/s \rfloor \ \text{(staircase)}.

    This is the "time-based decay" of Keras (and of the legacy ``decay`` argument of its
    optimizers), :math:`\eta_1 = \eta_0/(1 + d)`; compare :class:`TimeBasedDecay`, the seed's
    recursion. PyTorch twin: ``LambdaLR(lr_lambda=lambda k: 1 / (1 + d * k))``.

    Examples
    --------
    >>> InverseTimeDecay(lr0=0.1, decay=0.5)(np.array([0, 1, 2, 3]))
    array([0.1       , 0.06666667, 0.05      , 0.04      ])
    >>> InverseTimeDecay(0.1, 0.5, decay_steps=2, staircase=True)(np.array([0, 1, 2, 3]))
    array([0.1       , 0.1       , 0.06666667, 0.06666667])
    """

    lr0: float
    decay: float
    decay_steps: float = 1
    staircase: bool = False

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "decay", check_real("decay", self.decay, min_value=0.0))
        set_field(self, "decay_steps", check_real("decay_steps", self.decay_steps, min_value=0.0,
                                                  min_inclusive=False))
        set_field(self, "staircase", check_bool("staircase", self.staircase))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        progress = n / self.decay_steps
        if self.staircase:
            progress = np.floor(progress)
        with np.errstate(over="ignore"):
            return as_output(self.lr0 / (1.0 + self.decay * progress), n)


@dataclass(frozen=True)
class InverseSqrtDecay:
    r"""Inverse square-root decay, :math:`\eta_0/\sqrt{1 + n/s}`.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    decay_steps : float, default 1
        The time scale :math:`s > 0`: the rate has halved at :math:`n = 3s`. With the default
        the rate is :math:`\eta_0/\sqrt{n + 1}`.

    Raises
    ------
    TypeError, ValueError
        If ``lr0`` is not a finite real number ``>= 0`` or ``decay_steps`` not one ``> 0``.

    Notes
    -----
    .. math:: \eta_n = \frac{\eta_0}{\sqrt{1 + n/s}}

    With :math:`s = 1` this is the decay of Duchi et al.'s AdaGrad analysis: with it, the
    lecture form of AdaGrad (whose :math:`\sigma_n` is the root *mean* square of past
    gradients) becomes exactly Duchi's AdaGrad. A larger :math:`s` keeps the rate near
    :math:`\eta_0` for about :math:`s` steps before the decay sets in. Its rates satisfy
    :math:`\sum \eta_n = \infty`, but not the Robbins-Monro condition
    :math:`\sum \eta_n^2 < \infty` (that sum grows like :math:`\ln n`).
    PyTorch twin: ``LambdaLR(lr_lambda=lambda k: 1 / math.sqrt(1 + k / s))``.

    References
    ----------
    .. [1] J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for online learning
       and stochastic optimization", JMLR 12 (2011).

    Examples
    --------
    >>> InverseSqrtDecay(lr0=0.1)(np.array([0, 3, 99]))
    array([0.1 , 0.05, 0.01])
    >>> InverseSqrtDecay(lr0=0.1, decay_steps=50)(np.array([0, 150]))
    array([0.1 , 0.05])
    """

    lr0: float
    decay_steps: float = 1.0

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "decay_steps", check_real("decay_steps", self.decay_steps,
                                                  min_value=0.0, min_inclusive=False))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        if self.decay_steps == 1.0:
            # n + 1 exactly, as the LambdaLR twin computes it.
            return as_output(self.lr0 / np.sqrt(n + 1.0), n)
        return as_output(self.lr0 / np.sqrt(1.0 + n / self.decay_steps), n)


@dataclass(frozen=True)
class ExponentialDecay:
    r"""Exponential decay of the learning rate.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    decay : float
        Decay rate :math:`d \ge 0` per step.

    Raises
    ------
    TypeError, ValueError
        If an argument is not a finite real number ``>= 0``.

    Notes
    -----
    .. math:: \eta_n = \eta_0 \, e^{-d n}

    PyTorch twin: ``ExponentialLR(gamma=math.exp(-d))`` (a running product, so the two agree to
    ~1e-14, not bit for bit); Keras ``ExponentialDecay(lr0, 1, math.exp(-d))``.

    Examples
    --------
    >>> ExponentialDecay(lr0=0.1, decay=0.5)(np.array([0, 1, 2]))
    array([0.1       , 0.06065307, 0.03678794])
    """

    lr0: float
    decay: float

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "decay", check_real("decay", self.decay, min_value=0.0))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        with np.errstate(under="ignore"):
            return as_output(self.lr0 * np.exp(-self.decay * n), n)


@dataclass(frozen=True)
class PolynomialDecay:
    r"""Polynomial decay from ``lr0`` to ``lr_end`` over ``total_steps``, then held.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    total_steps : int
        The step :math:`T \ge 1` at which ``lr_end`` is reached.
    power : float, default 1.0
        The exponent :math:`p > 0` (1 is a straight line).
    lr_end : float, default 0.0
        The final rate, ``>= 0``. It may exceed ``lr0``: the schedule then rises, which makes a
        linear warm-up out of ``power=1``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    .. math:: \eta_n = (\eta_0 - \eta_{end}) \left(1 - \frac{\min(n, T)}{T}\right)^p + \eta_{end}

    PyTorch twin (``lr_end = 0`` only): ``PolynomialLR(total_iters=T, power=p)``. Keras'
    ``PolynomialDecay`` has the same formula with a default end of 1e-4.

    Examples
    --------
    >>> PolynomialDecay(lr0=0.1, total_steps=4, power=2.0)(np.arange(6))
    array([0.1    , 0.05625, 0.025  , 0.00625, 0.     , 0.     ])
    """

    lr0: float
    total_steps: int
    power: float = 1.0
    lr_end: float = 0.0

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "total_steps", check_int("total_steps", self.total_steps, min_value=1))
        set_field(self, "power",
                  check_real("power", self.power, min_value=0.0, min_inclusive=False))
        set_field(self, "lr_end", check_real("lr_end", self.lr_end, min_value=0.0))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        remaining = (self.total_steps - np.minimum(n, self.total_steps)) / self.total_steps
        with np.errstate(under="ignore"):
            values = (self.lr0 - self.lr_end) * remaining**self.power + self.lr_end
        return as_output(values, n)


@dataclass(frozen=True)
class Noam:
    r"""The Transformer's warm-up-then-inverse-square-root schedule (Vaswani et al., 2017).

    Parameters
    ----------
    d_model : int
        Model width, ``>= 1``.
    warmup_steps : int
        Length :math:`W \ge 1` of the linear warm-up.
    scale : float, default 1.0
        A constant factor, ``>= 0``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    .. math:: \eta_n = \mathrm{scale} \cdot d_{model}^{-1/2}
              \min\left((n + 1)^{-1/2},\ (n + 1)\, W^{-3/2}\right)

    The paper counts steps from 1; with 0-based steps the paper's step is :math:`n + 1` (so
    there is no :math:`0^{-1/2}`). The rate rises linearly up to the peak
    :math:`(d_{model} W)^{-1/2}` at :math:`n + 1 = W` and then decays as
    :math:`(n+1)^{-1/2}`. PyTorch twin: ``LambdaLR`` with the same expression and base lr 1.

    References
    ----------
    .. [1] A. Vaswani et al., "Attention is all you need", NeurIPS 2017, section 5.3.

    Examples
    --------
    >>> schedule = Noam(d_model=512, warmup_steps=4000)
    >>> round(schedule(3999), 9)
    0.000698771
    >>> bool(schedule(3998) < schedule(3999) > schedule(4000))
    True
    """

    d_model: int
    warmup_steps: int
    scale: float = 1.0

    def __post_init__(self):
        set_field(self, "d_model", check_int("d_model", self.d_model, min_value=1))
        set_field(self, "warmup_steps", check_int("warmup_steps", self.warmup_steps, min_value=1))
        set_field(self, "scale", check_real("scale", self.scale, min_value=0.0))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        count = n + 1.0
        values = self.scale * self.d_model**-0.5 * np.minimum(
            count**-0.5, count * self.warmup_steps**-1.5)
        return as_output(values, n)
