r"""The cosine and cyclic schedules: cosine decay, SGDR restarts, CLR and the one-cycle policy.

Re-exported by :mod:`lrlib.schedules`; import them from there (or from :mod:`lrlib`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._schedules_base import set_field
from ._validation import (
    as_output,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_steps,
    fail_value,
)

__all__ = ["CosineDecay", "CosineRestarts", "Cyclic", "OneCycle"]


def _check_floor(name: str, value, floor_name: str, floor: float, *, above: bool) -> float:
    """A rate that must stay on one side of another argument (``lr_min <= lr0``, say)."""
    value = check_real(name, value, min_value=0.0)
    if (above and not value >= floor) or (not above and not value <= floor):
        relation = ">=" if above else "<="
        raise fail_value(name, f"a finite number {relation} {floor_name}={floor!r}", value)
    return value


def _half_cosine(remaining: np.ndarray, length) -> np.ndarray:
    r""":math:`(1 + \cos(\pi e/L))/2` with :math:`e = L - r` elapsed, as :math:`\sin^2(\pi r/(2L))`.

    The half-angle form keeps full relative precision near the end of a cycle, where
    :math:`1 + \cos` cancels (PyTorch's form loses up to ~5e-13 relative there for L = 300).
    """
    with np.errstate(under="ignore"):
        return np.sin(np.pi * remaining / (2.0 * length)) ** 2


@dataclass(frozen=True)
class CosineDecay:
    r"""Cosine decay from ``lr0`` to ``lr_min`` over ``total_steps``, then held at ``lr_min``.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first update (step 0), ``>= 0``.
    total_steps : int
        The step :math:`T \ge 1` at which ``lr_min`` is reached.
    lr_min : float, default 0.0
        The final rate, in ``[0, lr0]``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    .. math:: \eta_n = \eta_{min} + \frac{\eta_0 - \eta_{min}}{2}
              \left(1 + \cos\frac{\pi \min(n, T)}{T}\right)

    evaluated as :math:`\eta_{min} + (\eta_0 - \eta_{min}) \sin^2(\pi (T - \min(n,T))/(2T))`,
    which is accurate to the last bits near :math:`n = T`. For :math:`n \le T` this is PyTorch's
    ``CosineAnnealingLR(T_max=T, eta_min=lr_min)``; PyTorch computes it recursively, and the
    two agree to ~5e-13 (PyTorch's own rounding near :math:`T`). After :math:`T` PyTorch's rate
    rises again (a cosine of period :math:`2T`), while this one stays at ``lr_min``: use
    :class:`CosineRestarts` for repeated cycles.

    References
    ----------
    .. [1] I. Loshchilov and F. Hutter, "SGDR: Stochastic gradient descent with warm
       restarts", ICLR 2017.

    Examples
    --------
    >>> CosineDecay(lr0=0.1, total_steps=4)(np.arange(6))
    array([0.1       , 0.08535534, 0.05      , 0.01464466, 0.        , 0.        ])
    """

    lr0: float
    total_steps: int
    lr_min: float = 0.0

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "total_steps", check_int("total_steps", self.total_steps, min_value=1))
        set_field(self, "lr_min", _check_floor("lr_min", self.lr_min, "lr0", self.lr0, above=False))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        remaining = self.total_steps - np.minimum(n, self.total_steps)
        fraction = _half_cosine(remaining, self.total_steps)
        return as_output(self.lr_min + (self.lr0 - self.lr_min) * fraction, n)


@dataclass(frozen=True)
class CosineRestarts:
    r"""Cosine annealing with warm restarts (SGDR): PyTorch's ``CosineAnnealingWarmRestarts``.

    Parameters
    ----------
    lr0 : float
        Rate at the start of every cycle, ``>= 0``.
    period : int
        Length :math:`T_0 \ge 1` of the first cycle (PyTorch's ``T_0``).
    period_mult : int, default 1
        Each cycle is ``period_mult`` times longer than the one before (PyTorch's ``T_mult``,
        an integer ``>= 1``).
    lr_min : float, default 0.0
        The floor the rate approaches at the end of each cycle, in ``[0, lr0]``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    With :math:`T_i = T_0 m^i` the length of cycle :math:`i`, cycle :math:`i` starts at
    :math:`s_i = T_0 (m^i - 1)/(m - 1)` (at :math:`s_i = i T_0` for :math:`m = 1`), and

    .. math:: \eta_n = \eta_{min} + \frac{\eta_0 - \eta_{min}}{2}
              \left(1 + \cos\frac{\pi (n - s_i)}{T_i}\right), \qquad s_i \le n < s_{i+1}.

    The cycle index is found by searching the cycle starts, so no floating logarithm can put a
    restart one step off. The rate reaches ``lr_min`` only in the limit: the step that would
    have it is the first step of the next cycle, at ``lr0``. The cosine is evaluated in the
    half-angle form of :class:`CosineDecay`; PyTorch's direct form differs from it by up to
    ~1e-13 relative near the end of long cycles.

    References
    ----------
    .. [1] I. Loshchilov and F. Hutter, "SGDR: Stochastic gradient descent with warm
       restarts", ICLR 2017.

    Examples
    --------
    >>> schedule = CosineRestarts(lr0=0.1, period=10, period_mult=2)
    >>> steps = np.arange(200)
    >>> steps[schedule(steps) == 0.1]
    array([  0,  10,  30,  70, 150])
    >>> schedule(np.array([5, 20, 29]))
    array([0.05      , 0.05      , 0.00061558])
    """

    lr0: float
    period: int
    period_mult: int = 1
    lr_min: float = 0.0

    def __post_init__(self):
        set_field(self, "lr0", check_real("lr0", self.lr0, min_value=0.0))
        set_field(self, "period", check_int("period", self.period, min_value=1))
        set_field(self, "period_mult", check_int("period_mult", self.period_mult, min_value=1))
        set_field(self, "lr_min", _check_floor("lr_min", self.lr_min, "lr0", self.lr0, above=False))

    def _cycles(self, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Steps elapsed in the current cycle and that cycle's length, for each step."""
        if self.period_mult == 1:
            return n % self.period, np.full(n.shape, float(self.period))
        top = int(n.max()) if n.size else 0
        starts, lengths = [0], [self.period]
        while starts[-1] + lengths[-1] <= top:  # Python ints: no overflow
            starts.append(starts[-1] + lengths[-1])
            lengths.append(lengths[-1] * self.period_mult)
        cycle = np.searchsorted(np.asarray(starts, dtype=np.int64), n, side="right") - 1
        elapsed = n - np.asarray(starts, dtype=np.int64)[cycle]
        return elapsed, np.asarray(lengths, dtype=float)[cycle]

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        elapsed, length = self._cycles(n)
        fraction = _half_cosine(length - elapsed, length)
        return as_output(self.lr_min + (self.lr0 - self.lr_min) * fraction, n)


@dataclass(frozen=True)
class Cyclic:
    r"""Cyclical learning rates (Smith, 2017): PyTorch's ``CyclicLR``.

    Parameters
    ----------
    lr_min : float
        Lower end of the cycle (PyTorch's ``base_lr``), ``>= 0``.
    lr_max : float
        Upper end of the cycle, ``>= lr_min``.
    step_size : int
        Steps from the bottom to the top of a cycle, and from the top back down (PyTorch's
        ``step_size_up``, with ``step_size_down`` left equal to it), ``>= 1``.
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
        How the amplitude shrinks: not at all; halved every cycle; by ``gamma`` every step.
    gamma : float, default 1.0
        The per-step factor of ``"exp_range"``, in ``(0, 1]`` (ignored by the other modes).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    With :math:`s` = ``step_size``, cycle :math:`c = \lfloor 1 + n/(2s) \rfloor` and position
    :math:`x = 1 + n/(2s) - c \in [0, 1)`:

    .. math:: \eta_n = \eta_{min} + (\eta_{max} - \eta_{min})\, \mathrm{tri}(x)\, a(n),
              \qquad \mathrm{tri}(x) = \begin{cases} 2x & x \le 1/2 \\ 2(1 - x) & x > 1/2
              \end{cases}

    with amplitude :math:`a = 1` (triangular), :math:`2^{-(c-1)}` (triangular2, per cycle) or
    :math:`\gamma^n` (exp_range, per step). The arithmetic follows PyTorch's operation by
    operation; ``cycle_momentum`` has no counterpart here (momentum is the optimizer's).

    References
    ----------
    .. [1] L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017.

    Examples
    --------
    >>> Cyclic(lr_min=0.01, lr_max=0.1, step_size=2)(np.arange(5))
    array([0.01 , 0.055, 0.1  , 0.055, 0.01 ])
    >>> Cyclic(0.01, 0.1, 2, mode="triangular2")(np.array([2, 6, 10]))
    array([0.1   , 0.055 , 0.0325])
    """

    lr_min: float
    lr_max: float
    step_size: int
    mode: str = "triangular"
    gamma: float = 1.0

    def __post_init__(self):
        set_field(self, "lr_min", check_real("lr_min", self.lr_min, min_value=0.0))
        set_field(self, "lr_max",
                  _check_floor("lr_max", self.lr_max, "lr_min", self.lr_min, above=True))
        set_field(self, "step_size", check_int("step_size", self.step_size, min_value=1))
        check_choice("mode", self.mode, ("triangular", "triangular2", "exp_range"))
        set_field(self, "gamma", check_real("gamma", self.gamma, min_value=0.0, max_value=1.0,
                                            min_inclusive=False))

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        total = float(self.step_size) + float(self.step_size)
        ratio = float(self.step_size) / total
        cycle = np.floor(1 + n / total)
        position = 1.0 + n / total - cycle
        rise = np.where(position <= ratio, position / ratio, (position - 1) / (ratio - 1))
        height = (self.lr_max - self.lr_min) * rise
        with np.errstate(over="ignore", under="ignore"):
            if self.mode == "triangular":
                amplitude = 1.0
            elif self.mode == "triangular2":
                amplitude = 1 / (2.0 ** (cycle - 1))
            else:
                amplitude = self.gamma ** n.astype(float)
            return as_output(self.lr_min + height * amplitude, n)


@dataclass(frozen=True)
class OneCycle:
    r"""The one-cycle policy (Smith & Topin, 2019): PyTorch's ``OneCycleLR``, step for step.

    Parameters
    ----------
    lr_max : float
        Peak rate, ``>= 0``.
    total_steps : int
        Number of steps :math:`T` in the cycle, ``>= 2``.
    pct_start : float, default 0.3
        Fraction :math:`p` of the cycle spent rising; every phase must be at least a step long:
        :math:`1 < pT < T` (and :math:`pT < (T + 1)/2` with ``three_phase``).
    div_factor : float, default 25.0
        The first rate is ``lr_max / div_factor``; ``> 0``.
    final_div_factor : float, default 1e4
        The last rate is ``lr_max / div_factor / final_div_factor``; ``> 0``.
    anneal : {"cos", "linear"}, default "cos"
        The shape of each phase (PyTorch's ``anneal_strategy``).
    three_phase : bool, default False
        If true, fall back to the first rate symmetrically before annealing to the last.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Notes
    -----
    With :math:`\eta_i = \eta_{max}/\mathrm{div}` and :math:`\eta_f = \eta_i/\mathrm{final\_div}`,
    the phases end at steps :math:`e_1 = pT - 1` and :math:`e_2 = T - 1` (two phases:
    :math:`\eta_i \to \eta_{max} \to \eta_f`), or :math:`pT - 1`, :math:`2pT - 2`, :math:`T - 1`
    (three phases: :math:`\eta_i \to \eta_{max} \to \eta_i \to \eta_f`). Within a phase from
    :math:`(e_{j-1}, a)` to :math:`(e_j, b)`, with :math:`q = (n - e_{j-1})/(e_j - e_{j-1})`
    and :math:`e_0 = 0`,

    .. math:: \eta_n = b + \frac{a - b}{2}\left(\cos(\pi q) + 1\right) \ \text{(cos)}, \qquad
              \eta_n = (b - a)\, q + a \ \text{(linear)}.

    So for :math:`T = 300` the peak is at step 89, not 90, and step 0 gets
    0.0040000000000000036 for ``lr_max=0.1`` (PyTorch's formula, not ``0.1 / 25``). From
    :math:`n = T` on, the rate is held at step :math:`T - 1`'s value, :math:`\eta_f`; PyTorch
    instead extrapolates at :math:`n = T` and raises after it. Momentum cycling is the
    optimizer's business and has no counterpart here.

    References
    ----------
    .. [1] L. N. Smith and N. Topin, "Super-convergence: very fast training of neural networks
       using large learning rates", 2019.

    Examples
    --------
    >>> schedule = OneCycle(lr_max=0.1, total_steps=300)
    >>> lr = schedule(np.arange(400))
    >>> int(lr.argmax()), float(lr[0]), float(lr[299]), float(lr[399])
    (89, 0.0040000000000000036, 4e-07, 4e-07)
    """

    lr_max: float
    total_steps: int
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    anneal: str = "cos"
    three_phase: bool = False

    def __post_init__(self):
        set_field(self, "lr_max", check_real("lr_max", self.lr_max, min_value=0.0))
        set_field(self, "total_steps", check_int("total_steps", self.total_steps, min_value=2))
        pct = check_real("pct_start", self.pct_start, min_value=0.0, max_value=1.0,
                         min_inclusive=False, max_inclusive=False)
        set_field(self, "pct_start", pct)
        set_field(self, "div_factor", check_real("div_factor", self.div_factor, min_value=0.0,
                                                 min_inclusive=False))
        set_field(self, "final_div_factor", check_real("final_div_factor", self.final_div_factor,
                                                       min_value=0.0, min_inclusive=False))
        check_choice("anneal", self.anneal, ("cos", "linear"))
        set_field(self, "three_phase", check_bool("three_phase", self.three_phase))
        ends = [end for end, _, _ in self._phases()]
        if not all(later > earlier for earlier, later in zip([0.0] + ends, ends)):
            upper = "(total_steps + 1) / 2" if self.three_phase else "total_steps"
            raise fail_value(
                "pct_start",
                f"such that 1 < pct_start * total_steps < {upper} (total_steps={self.total_steps}, "
                f"three_phase={self.three_phase})", self.pct_start)

    def _phases(self) -> list[tuple[float, float, float]]:
        """``(end_step, start_lr, end_lr)`` of each phase, computed as PyTorch computes them."""
        initial = self.lr_max / self.div_factor
        final = initial / self.final_div_factor
        first_end = float(self.pct_start * self.total_steps) - 1
        last_end = float(self.total_steps - 1)
        if self.three_phase:
            middle_end = float(2 * self.pct_start * self.total_steps) - 2
            return [(first_end, initial, self.lr_max), (middle_end, self.lr_max, initial),
                    (last_end, initial, final)]
        return [(first_end, initial, self.lr_max), (last_end, self.lr_max, final)]

    def __call__(self, step):
        """The learning rate of ``step`` (an int, or an integer array)."""
        n = check_steps(step)
        held = np.minimum(n, self.total_steps - 1).astype(float)
        values = np.empty(n.shape)
        todo = np.ones(n.shape, dtype=bool)
        begin = 0.0
        phases = self._phases()
        for index, (end, start_lr, end_lr) in enumerate(phases):
            here = todo & ((held <= end) | (index == len(phases) - 1))
            pct = (held[here] - begin) / (end - begin)
            if self.anneal == "cos":
                values[here] = end_lr + (start_lr - end_lr) / 2.0 * (np.cos(np.pi * pct) + 1)
            else:
                values[here] = (end_lr - start_lr) * pct + start_lr
            todo &= ~here
            begin = end
        return as_output(values, n)
