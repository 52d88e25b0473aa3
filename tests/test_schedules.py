"""Tests of lrlib.schedules: naive transcriptions, the seed's facts, bad input, properties.

The references below are deliberately plain: Python loops over ``math`` functions, written
from the papers and from PyTorch's recursive updates, never from lrlib's vectorised code.
PyTorch's own numbers are checked in ``test_schedules_oracle.py``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib._oracle import relative_difference
from lrlib.schedules import (
    Constant,
    CosineDecay,
    CosineRestarts,
    Cyclic,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    Join,
    LinearWarmup,
    MultiStepDecay,
    Noam,
    OneCycle,
    PiecewiseConstant,
    PlateauState,
    PolynomialDecay,
    ReduceOnPlateau,
    Schedule,
    StepDecay,
    TimeBasedDecay,
)

STEPS = np.arange(400)
NAN, INF = float("nan"), float("inf")


def assert_close(ours, reference, tolerance=1e-12):
    assert relative_difference(ours, reference) <= tolerance


# --- naive references: one Python loop per formula ---------------------------------------


def naive_time_based(lr0, decay, steps):
    """The seed's recursion eta_{n+1} = eta_n / (1 + d n), run step by step."""
    rates, eta = [], lr0
    for n in range(steps):
        rates.append(eta)
        eta = eta / (1 + decay * n)
    return rates


def torch_steplr(lr0, step_size, gamma, steps):
    """PyTorch's recursive StepLR update: multiply when k % step_size == 0 (k >= 1)."""
    rates, lr = [lr0], lr0
    for k in range(1, steps):
        if k % step_size == 0:
            lr = lr * gamma
        rates.append(lr)
    return rates


def torch_multisteplr(lr0, milestones, gamma, steps):
    """PyTorch's recursive MultiStepLR update, duplicates stacked by a Counter."""
    counts, rates, lr = Counter(milestones), [lr0], lr0
    for k in range(1, steps):
        if k in counts:
            lr = lr * gamma ** counts[k]
        rates.append(lr)
    return rates


def torch_cosine_annealing(lr0, t_max, eta_min, steps):
    """PyTorch's recursive CosineAnnealingLR (including its rise after T_max)."""
    rates, lr = [lr0], lr0
    for k in range(1, steps):
        if (k - 1 - t_max) % (2 * t_max) == 0:
            lr = lr + (lr0 - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        else:
            lr = ((1 + math.cos(math.pi * k / t_max)) / (1 + math.cos(math.pi * (k - 1) / t_max))
                  * (lr - eta_min) + eta_min)
        rates.append(lr)
    return rates


def torch_sgdr(lr0, t_0, t_mult, eta_min, steps):
    """PyTorch's CosineAnnealingWarmRestarts: T_cur and T_i advanced one step at a time."""
    rates, t_cur, t_i = [], 0, t_0
    for k in range(steps):
        if k > 0:
            t_cur += 1
            if t_cur >= t_i:
                t_cur, t_i = t_cur - t_i, t_i * t_mult
        rates.append(eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
    return rates


def smith_clr(lr_min, lr_max, step_size, mode, gamma, steps):
    """The triangular policy as written in Smith (2017): x = |n/s - 2c + 1|."""
    rates = []
    for n in range(steps):
        cycle = math.floor(1 + n / (2 * step_size))
        x = abs(n / step_size - 2 * cycle + 1)
        scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1),
                 "exp_range": gamma**n}[mode]
        rates.append(lr_min + (lr_max - lr_min) * max(0.0, 1 - x) * scale)
    return rates


def torch_one_cycle(lr_max, total, pct, div, final_div, anneal, three_phase):
    """PyTorch's OneCycleLR.get_lr, one step at a time."""
    initial = lr_max / div
    final = initial / final_div
    if three_phase:
        phases = [(float(pct * total) - 1, initial, lr_max),
                  (float(2 * pct * total) - 2, lr_max, initial), (total - 1, initial, final)]
    else:
        phases = [(float(pct * total) - 1, initial, lr_max), (total - 1, lr_max, final)]
    rates = []
    for k in range(total):
        start_step = 0.0
        for i, (end_step, start, end) in enumerate(phases):
            if k <= end_step or i == len(phases) - 1:
                q = (k - start_step) / (end_step - start_step)
                if anneal == "cos":
                    rates.append(end + (start - end) / 2.0 * (math.cos(math.pi * q) + 1))
                else:
                    rates.append((end - start) * q + start)
                break
            start_step = end_step
    return rates


class TorchPlateau:
    """PyTorch's ReduceLROnPlateau.step, as a mutable object (the way PyTorch writes it)."""

    def __init__(self, lr, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr,
                 eps):
        self.lr, self.mode, self.factor, self.patience = lr, mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.bad = self.cooldown_counter = 0

    def better(self, a):
        if self.mode == "min":
            return a < (self.best * (1 - self.threshold) if self.threshold_mode == "rel"
                        else self.best - self.threshold)
        return a > (self.best * (1 + self.threshold) if self.threshold_mode == "rel"
                    else self.best + self.threshold)

    def step(self, metric):
        if self.better(metric):
            self.best, self.bad = metric, 0
        else:
            self.bad += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.bad = 0
        if self.bad > self.patience:
            new = max(self.lr * self.factor, self.min_lr)
            if self.lr - new > self.eps:
                self.lr = new
            self.cooldown_counter, self.bad = self.cooldown, 0
        return self.lr


# --- each schedule against its naive reference -------------------------------------------


@pytest.mark.parametrize("lr0,decay", [(0.1, 0.01), (1.0, 0.001), (0.5, 0.3), (0.1, 0.0)])
def test_time_based_decay_is_the_seed_recursion_bit_for_bit(lr0, decay):
    assert TimeBasedDecay(lr0, decay)(STEPS).tolist() == naive_time_based(lr0, decay, len(STEPS))


@pytest.mark.parametrize("decay,decay_steps,staircase", [(0.01, 1, False), (0.5, 4, False),
                                                          (0.5, 10, True), (2.0, 2.5, True)])
def test_inverse_time_decay_matches_keras_formula(decay, decay_steps, staircase):
    reference = [0.1 / (1 + decay * (math.floor(n / decay_steps) if staircase else n / decay_steps))
                 for n in STEPS.tolist()]
    assert_close(InverseTimeDecay(0.1, decay, decay_steps, staircase)(STEPS), reference, 1e-15)


def test_inverse_sqrt_decay_matches_formula():
    reference = [0.3 / math.sqrt(n + 1) for n in STEPS.tolist()]
    assert_close(InverseSqrtDecay(0.3)(STEPS), reference, 1e-15)


def test_inverse_sqrt_decay_with_a_time_scale_matches_formula():
    reference = [0.3 / math.sqrt(1 + n / 50) for n in STEPS.tolist()]
    assert_close(InverseSqrtDecay(0.3, decay_steps=50)(STEPS), reference, 1e-15)
    assert InverseSqrtDecay(0.3, decay_steps=50)(150) == pytest.approx(0.15, rel=1e-15)


@pytest.mark.parametrize("drop,every", [(0.5, 30), (0.1, 1), (0.9, 7)])
def test_step_decay_matches_seed_formula(drop, every):
    reference = [0.1 * drop ** math.floor((1 + n) / every) for n in STEPS.tolist()]
    assert_close(StepDecay(0.1, drop, every)(STEPS), reference, 1e-14)


@pytest.mark.parametrize("drop,every", [(0.5, 30), (0.1, 1), (0.9, 7)])
def test_step_decay_is_torch_steplr_one_step_ahead(drop, every):
    torch_rates = torch_steplr(0.1, every, drop, len(STEPS) + 1)
    assert_close(StepDecay(0.1, drop, every)(STEPS), torch_rates[1:], 1e-14)


@pytest.mark.parametrize("step_size,gamma", [(30, 0.5), (7, 0.9), (1, 0.99)])
def test_multistep_decay_with_regular_milestones_is_torch_steplr(step_size, gamma):
    twin = MultiStepDecay(0.1, milestones=range(step_size, len(STEPS), step_size), gamma=gamma)
    assert twin(STEPS).tolist() == torch_steplr(0.1, step_size, gamma, len(STEPS))


@pytest.mark.parametrize("milestones", [[50, 120, 200], [30, 30, 80], [1, 2, 2, 2, 399], []])
def test_multistep_decay_is_torch_multisteplr_bit_for_bit(milestones):
    ours = MultiStepDecay(0.1, milestones, gamma=0.3)(STEPS)
    assert ours.tolist() == torch_multisteplr(0.1, milestones, 0.3, len(STEPS))


def test_multistep_decay_stacks_repeated_milestones():
    schedule = MultiStepDecay(1.0, [10, 10, 10], gamma=0.5)
    assert schedule(9) == 1.0 and schedule(10) == 0.125


def test_exponential_decay_matches_torch_exponentiallr_recursion():
    rates, lr = [], 0.1
    for _ in STEPS:
        rates.append(lr)
        lr = lr * math.exp(-0.02)
    assert_close(ExponentialDecay(0.1, 0.02)(STEPS), rates, 1e-13)


def test_piecewise_constant_switches_at_each_boundary():
    boundaries, values = [3, 10, 50], [0.4, 0.3, 0.2, 0.1]
    reference = []
    for n in STEPS.tolist():
        piece = 0
        while piece < len(boundaries) and n >= boundaries[piece]:
            piece += 1
        reference.append(values[piece])
    assert PiecewiseConstant(boundaries, values)(STEPS).tolist() == reference


@pytest.mark.parametrize("total,power,lr_end", [(100, 1.0, 0.0), (299, 2.0, 1e-3), (50, 0.5, 0.2)])
def test_polynomial_decay_matches_formula(total, power, lr_end):
    reference = [(0.1 - lr_end) * (1 - min(n, total) / total) ** power + lr_end
                 for n in STEPS.tolist()]
    assert_close(PolynomialDecay(0.1, total, power, lr_end)(STEPS), reference, 1e-13)


@pytest.mark.parametrize("total,lr_min", [(37, 0.0), (100, 1e-3), (399, 0.0)])
def test_cosine_decay_matches_torch_recursion_up_to_total_steps(total, lr_min):
    torch_rates = torch_cosine_annealing(0.1, total, lr_min, total + 1)
    assert_close(CosineDecay(0.1, total, lr_min)(np.arange(total + 1)), torch_rates, 1e-12)


def test_cosine_decay_holds_lr_min_where_torch_rises_again():
    torch_rates = torch_cosine_annealing(0.1, 100, 0.001, 200)
    ours = CosineDecay(0.1, 100, 0.001)(np.arange(200))
    assert np.all(ours[100:] == 0.001)
    assert torch_rates[150] == pytest.approx(0.0505) and torch_rates[199] > 0.099


@pytest.mark.parametrize("t_0,t_mult,lr_min", [(10, 2, 0.0), (25, 1, 1e-3), (7, 3, 0.005),
                                               (1, 1, 0.0), (1, 2, 0.0)])
def test_cosine_restarts_matches_torch_warm_restarts(t_0, t_mult, lr_min):
    reference = torch_sgdr(0.1, t_0, t_mult, lr_min, len(STEPS))
    assert_close(CosineRestarts(0.1, t_0, t_mult, lr_min)(STEPS), reference, 1e-12)


@pytest.mark.parametrize("mode,step_size,gamma", [("triangular", 20, 1.0), ("triangular2", 15, 1.0),
                                                  ("exp_range", 25, 0.995), ("triangular", 1, 1.0)])
def test_cyclic_matches_smith_formula(mode, step_size, gamma):
    reference = smith_clr(0.01, 0.1, step_size, mode, gamma, len(STEPS))
    assert_close(Cyclic(0.01, 0.1, step_size, mode, gamma)(STEPS), reference, 1e-13)


@pytest.mark.parametrize("total,pct,div,final_div,anneal,three_phase", [
    (300, 0.3, 25.0, 1e4, "cos", False), (300, 0.25, 10.0, 100.0, "linear", False),
    (300, 0.3, 25.0, 1e4, "cos", True), (250, 0.4, 25.0, 1e4, "linear", True),
    (17, 0.5, 3.0, 2.0, "cos", False)])
def test_one_cycle_is_torch_onecyclelr_step_for_step(total, pct, div, final_div, anneal, three_phase):
    reference = torch_one_cycle(0.1, total, pct, div, final_div, anneal, three_phase)
    ours = OneCycle(0.1, total, pct, div, final_div, anneal, three_phase)(np.arange(total + 50))
    assert_close(ours[:total], reference, 1e-15)
    assert np.all(ours[total:] == reference[-1])


def test_linear_warmup_ramps_then_shifts_the_schedule():
    inner = ExponentialDecay(0.2, 0.1)
    reference = [0.01 + (0.2 - 0.01) * n / 10 if n < 10 else 0.2 * math.exp(-0.1 * (n - 10))
                 for n in STEPS.tolist()]
    assert_close(LinearWarmup(inner, 10, start_lr=0.01)(STEPS), reference, 1e-15)


def test_linear_warmup_from_zero_gives_the_first_update_rate_zero():
    schedule = LinearWarmup(Constant(0.1), warmup_steps=4)
    rates = schedule(np.arange(6))
    assert rates[0] == 0.0
    assert rates.tolist() == pytest.approx([0.0, 0.025, 0.05, 0.075, 0.1, 0.1], rel=1e-15)


def test_linear_warmup_of_zero_steps_is_the_schedule_itself():
    inner = CosineDecay(0.1, 50)
    assert LinearWarmup(inner, 0)(STEPS).tolist() == inner(STEPS).tolist()


@pytest.mark.parametrize("d_model,warmup,scale", [(512, 4000, 1.0), (64, 10, 2.0), (1, 1, 0.5)])
def test_noam_matches_the_paper_formula_with_step_n_plus_one(d_model, warmup, scale):
    reference = [scale * d_model**-0.5 * min(s**-0.5, s * warmup**-1.5)
                 for s in range(1, len(STEPS) + 1)]
    assert_close(Noam(d_model, warmup, scale)(STEPS), reference, 1e-15)


def test_join_restarts_each_schedule_at_its_own_step_zero():
    pieces = [Constant(0.05), ExponentialDecay(0.1, 0.02), CosineDecay(0.1, 100)]
    reference = []
    for n in STEPS.tolist():
        if n < 30:
            reference.append(0.05)
        elif n < 200:
            reference.append(0.1 * math.exp(-0.02 * (n - 30)))
        else:
            reference.append(0.05 * (1 + math.cos(math.pi * min(n - 200, 100) / 100)))
    assert_close(Join(pieces, [30, 200])(STEPS), reference, 1e-13)


def test_join_reproduces_sequentiallr_example_of_reference_facts():
    # ConstantLR(0.5, 10) then ExponentialLR(0.98) at 30: lr[30] = 0.1, lr[31] = 0.098.
    schedule = Join([PiecewiseConstant([10], [0.05, 0.1]), ExponentialDecay(0.1, -math.log(0.98))],
                    [30])
    rates = schedule(np.arange(32))
    assert rates[9] == 0.05 and rates[10] == 0.1 and rates[30] == 0.1
    assert rates[31] == pytest.approx(0.098, rel=1e-15)


def test_join_accepts_plain_functions_that_return_a_scalar():
    schedule = Join([lambda n: 0.3, InverseSqrtDecay(1.0)], [2])
    assert schedule(np.arange(4)).tolist() == [0.3, 0.3, 1.0, 1.0 / math.sqrt(2)]


@pytest.mark.parametrize("kwargs", [
    {}, {"mode": "max"}, {"threshold_mode": "abs", "threshold": 0.01, "cooldown": 2},
    {"patience": 0, "factor": 0.5, "min_lr": 0.01, "eps": 1e-3},
    {"mode": "max", "threshold_mode": "abs", "patience": 2, "cooldown": 1, "factor": 0.0}])
def test_reduce_on_plateau_matches_torch_step_by_step(kwargs):
    rng = np.random.default_rng(7)
    metrics = 0.3 + np.exp(-np.arange(300) / 20) + 0.02 * rng.standard_normal(300)
    metrics[[50, 120]] = NAN
    metrics[200] = INF
    if kwargs.get("mode") == "max":
        metrics = -metrics
    plateau = ReduceOnPlateau(0.1, **kwargs)
    options = {name: getattr(plateau, name) for name in (
        "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps")}
    reference = TorchPlateau(0.1, **options)
    expected = [0.1] + [reference.step(float(m)) for m in metrics]
    assert plateau.lrs(metrics).tolist() == expected
    assert len(set(expected)) > 1


# --- the facts the book states ----------------------------------------------------------


def test_time_based_decay_first_update_is_not_a_decay():
    schedule = TimeBasedDecay(0.1, 0.01)
    assert schedule(0) == schedule(1) == 0.1


def test_time_based_decay_numbers_of_the_reference_facts():
    schedule = TimeBasedDecay(0.1, 0.01)
    assert f"{schedule(10):.4g}" == "0.06464"
    assert f"{schedule(50):.3g}" == "2.45e-06"
    assert f"{schedule(100):.2g}" == "2.4e-18"


def test_inverse_time_decay_differs_from_time_based_at_step_one():
    keras = InverseTimeDecay(0.1, 0.01)
    assert f"{keras(10):.3g}" == "0.0909" and keras(100) == pytest.approx(0.05, rel=1e-15)
    assert keras(1) == pytest.approx(0.1 / 1.01) and TimeBasedDecay(0.1, 0.01)(1) == 0.1


def test_step_decay_drops_one_step_before_torch_steplr():
    seed = StepDecay(0.1, 0.5, 30)(np.arange(31))
    torch_twin = MultiStepDecay(0.1, range(30, 300, 30), 0.5)(np.arange(31))
    assert seed[28] == 0.1 and seed[29] == 0.05
    assert torch_twin[29] == 0.1 and torch_twin[30] == 0.05


def test_one_cycle_peaks_at_step_89_for_300_steps():
    rates = OneCycle(0.1, 300)(np.arange(300))
    assert int(np.argmax(rates)) == 89 and rates[89] == 0.1
    assert rates[0] == 0.0040000000000000036 and rates[299] == 4e-07


def test_noam_peaks_at_step_4000_for_d_model_512():
    rates = Noam(512, 4000)(np.arange(20000))
    assert int(np.argmax(rates)) + 1 == 4000
    assert f"{rates.max():.3g}" == "0.000699"


def test_cosine_restarts_restart_at_10_30_70_150():
    rates = CosineRestarts(0.1, 10, 2)(np.arange(300))
    assert np.flatnonzero(rates == 0.1).tolist() == [0, 10, 30, 70, 150]


def test_time_based_decay_far_steps_match_a_sum_of_logarithms():
    decay = 1e-11
    schedule = TimeBasedDecay(0.1, decay)
    for n in (2**20 + 1, 3 * 2**20, 2**22):
        reference = 0.1 * math.exp(-np.sum(np.log1p(decay * np.arange(n, dtype=float))))
        assert abs(schedule(n) / reference - 1) < 1e-12
    before, after = schedule(np.array([2**20, 2**20 + 1]))
    assert after / before == pytest.approx(1 / (1 + decay * 2**20), rel=1e-12)


def test_time_based_decay_of_tiny_decay_at_a_billion_steps():
    n = 10**9
    expected = 0.1 * math.exp(-1e-20 * (n * (n - 1) // 2))  # higher terms are ~1e-14 relative
    assert TimeBasedDecay(0.1, 1e-20)(n) == pytest.approx(expected, rel=1e-12)


def test_time_based_decay_cache_never_changes_a_value():
    warmed = TimeBasedDecay(0.1, 1e-4)
    one_by_one = [warmed(n) for n in range(0, 3000, 7)]
    fresh = TimeBasedDecay(0.1, 1e-4)(np.arange(0, 3000, 7))
    assert one_by_one == fresh.tolist()
    assert warmed == TimeBasedDecay(0.1, 1e-4) and repr(warmed) == "TimeBasedDecay(lr0=0.1, decay=0.0001)"


# --- conventions: outputs, huge steps, invalid steps --------------------------------------

EXAMPLES = [
    Constant(0.1), TimeBasedDecay(0.1, 0.01), TimeBasedDecay(0.1, 1e-12),
    InverseTimeDecay(0.1, 0.5, 3, True), InverseSqrtDecay(0.1), StepDecay(0.1, 0.5, 30),
    ExponentialDecay(0.1, 0.5), MultiStepDecay(0.1, [3, 5]), PiecewiseConstant([3], [0.1, 0.01]),
    PolynomialDecay(0.1, 10, 2.0, 1e-3), CosineDecay(0.1, 10, 1e-3), CosineRestarts(0.1, 10, 2),
    CosineRestarts(0.1, 3, 1, 0.01), Cyclic(0.01, 0.1, 5, "triangular2"),
    Cyclic(0.01, 0.1, 5, "exp_range", 0.9), OneCycle(0.1, 100, three_phase=True),
    LinearWarmup(CosineDecay(0.1, 10), 5), Noam(512, 4000), Join([Constant(0.1), StepDecay(0.1, 0.5, 2)], [4]),
]
IDS = [type(s).__name__ for s in EXAMPLES]


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_scalar_step_gives_a_python_float_and_array_keeps_its_shape(schedule):
    assert type(schedule(3)) is float
    out = schedule(np.array([[0, 1], [2, 3]]))
    assert out.dtype == np.float64 and out.shape == (2, 2)
    assert out[1, 1] == schedule(3)
    assert schedule(np.array([], dtype=int)).shape == (0,)
    assert schedule([0, 1, 2.0]).tolist() == schedule(np.arange(3)).tolist()


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_huge_steps_give_finite_rates_without_warnings(schedule):
    steps = np.array([0, 10**6, 10**12, 2**62])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = schedule(steps)
    assert np.all(np.isfinite(rates)) and np.all(rates >= 0)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_the_callers_step_array_is_not_modified(schedule):
    steps = np.array([5, 0, 3])
    schedule(steps)
    assert steps.tolist() == [5, 0, 3]


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_schedules_are_frozen_and_satisfy_the_protocol(schedule):
    assert isinstance(schedule, Schedule)
    field = dataclasses.fields(schedule)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(schedule, field, 1.0)


def test_repr_shows_the_parameters():
    assert repr(StepDecay(0.1, 0.5, 30)) == "StepDecay(lr0=0.1, drop=0.5, every=30)"
    assert repr(MultiStepDecay(1, [2, 4])) == "MultiStepDecay(lr0=1.0, milestones=(2, 4), gamma=0.1)"
    assert repr(Join([Constant(0.1), Constant(0.2)], [5])) == (
        "Join(schedules=(Constant(lr=0.1), Constant(lr=0.2)), boundaries=(5,))")


BAD_STEPS = [
    (-1, ValueError, "step must be an integer >= 0 (or an array of them); got step=-1"),
    (1.5, ValueError, "step must be an integer >= 0 (or an array of them); got step=1.5"),
    ("3", TypeError, "step must be an integer >= 0 (or an array of them); got step='3' (str)"),
    (True, TypeError, "step must be an integer >= 0 (or an array of them); got step=True (bool)"),
    (NAN, ValueError, "step must be an integer >= 0 (or an array of them); got step=nan"),
    ([0, -2], ValueError, "step must be an integer >= 0 (or an array of them); got step=[0, -2]"),
]


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
@pytest.mark.parametrize("step,error,message", BAD_STEPS, ids=[repr(s[0]) for s in BAD_STEPS])
def test_invalid_step_raises_naming_step(schedule, step, error, message):
    with pytest.raises(error, match=re.escape(message)):
        schedule(step)


# --- invalid arguments: every parameter of every constructor ------------------------------


def _bad(error, message, build):
    return pytest.param(build, error, message, id=message[:60])


def _ok():
    return Constant(0.1)


INVALID = [
    _bad(ValueError, "lr must be a finite number >= 0; got lr=-0.1", lambda: Constant(-0.1)),
    _bad(ValueError, "lr must be a finite number >= 0; got lr=nan", lambda: Constant(NAN)),
    _bad(ValueError, "lr must be a finite number >= 0; got lr=inf", lambda: Constant(INF)),
    _bad(TypeError, "lr must be a real number; got lr='0.1' (str)", lambda: Constant("0.1")),
    _bad(TypeError, "lr must be a real number; got lr=True (bool)", lambda: Constant(True)),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=-1", lambda: TimeBasedDecay(-1, 0.01)),
    _bad(ValueError, "decay must be a finite number >= 0; got decay=nan",
         lambda: TimeBasedDecay(0.1, NAN)),
    _bad(ValueError, "decay must be a finite number >= 0; got decay=-0.01",
         lambda: TimeBasedDecay(0.1, -0.01)),
    _bad(TypeError, "decay must be a real number; got decay='x' (str)", lambda: TimeBasedDecay(0.1, "x")),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=inf", lambda: InverseTimeDecay(INF, 0.1)),
    _bad(ValueError, "decay must be a finite number >= 0; got decay=-1", lambda: InverseTimeDecay(0.1, -1)),
    _bad(ValueError, "decay_steps must be a finite number > 0; got decay_steps=0",
         lambda: InverseTimeDecay(0.1, 0.1, 0)),
    _bad(ValueError, "decay_steps must be a finite number > 0; got decay_steps=nan",
         lambda: InverseTimeDecay(0.1, 0.1, NAN)),
    _bad(TypeError, "staircase must be True or False; got staircase=1 (int)",
         lambda: InverseTimeDecay(0.1, 0.1, 1, 1)),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=-1", lambda: InverseSqrtDecay(-1)),
    _bad(TypeError, "lr0 must be a real number; got lr0=None (NoneType)", lambda: InverseSqrtDecay(None)),
    _bad(ValueError, "decay_steps must be a finite number > 0; got decay_steps=0",
         lambda: InverseSqrtDecay(0.1, 0)),
    _bad(ValueError, "decay_steps must be a finite number > 0; got decay_steps=nan",
         lambda: InverseSqrtDecay(0.1, float("nan"))),
    _bad(TypeError, "decay_steps must be a real number; got decay_steps='50' (str)",
         lambda: InverseSqrtDecay(0.1, "50")),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=nan", lambda: StepDecay(NAN, 0.5, 10)),
    _bad(ValueError, "drop must be a finite number in [0, 1]; got drop=1.5", lambda: StepDecay(0.1, 1.5, 10)),
    _bad(ValueError, "drop must be a finite number in [0, 1]; got drop=-0.5",
         lambda: StepDecay(0.1, -0.5, 10)),
    _bad(ValueError, "every must be an integer >= 1; got every=0", lambda: StepDecay(0.1, 0.5, 0)),
    _bad(TypeError, "every must be an integer; got every=2.0 (float)", lambda: StepDecay(0.1, 0.5, 2.0)),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=-1", lambda: ExponentialDecay(-1, 0.1)),
    _bad(ValueError, "decay must be a finite number >= 0; got decay=-0.5",
         lambda: ExponentialDecay(0.1, -0.5)),
    _bad(ValueError, "decay must be a finite number >= 0; got decay=inf",
         lambda: ExponentialDecay(0.1, INF)),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=-1", lambda: MultiStepDecay(-1, [10])),
    _bad(ValueError, "milestones must be in increasing order (repeats allowed); got milestones=[30, 10]",
         lambda: MultiStepDecay(0.1, [30, 10])),
    _bad(ValueError, "milestones[0] must be an integer >= 1; got milestones[0]=0",
         lambda: MultiStepDecay(0.1, [0, 10])),
    _bad(TypeError, "milestones[0] must be an integer; got milestones[0]=10.5 (float)",
         lambda: MultiStepDecay(0.1, [10.5])),
    _bad(TypeError, "milestones must be a sequence; got milestones=30 (int)",
         lambda: MultiStepDecay(0.1, 30)),
    _bad(TypeError, "milestones must be a sequence; got milestones='30' (str)",
         lambda: MultiStepDecay(0.1, "30")),
    _bad(ValueError, "gamma must be a finite number >= 0; got gamma=-0.1",
         lambda: MultiStepDecay(0.1, [10], -0.1)),
    _bad(ValueError, "gamma must be a finite number >= 0; got gamma=nan",
         lambda: MultiStepDecay(0.1, [10], NAN)),
    _bad(ValueError, "gamma must be small enough for every level to stay finite; got gamma=1e+200",
         lambda: MultiStepDecay(0.1, [10, 20], 1e200)),
    _bad(ValueError, "gamma must be small enough for every level to stay finite; got gamma=1e+200",
         lambda: MultiStepDecay(0.1, [10, 10], 1e200)),
    _bad(ValueError, "boundaries must be strictly increasing; got boundaries=[10, 10]",
         lambda: PiecewiseConstant([10, 10], [0.3, 0.2, 0.1])),
    _bad(ValueError, "boundaries[0] must be an integer >= 1; got boundaries[0]=0",
         lambda: PiecewiseConstant([0], [0.2, 0.1])),
    _bad(ValueError, "values must be a sequence of len(boundaries) + 1 = 2 numbers; got values=[0.1]",
         lambda: PiecewiseConstant([10], [0.1])),
    _bad(ValueError, "values[1] must be a finite number >= 0; got values[1]=-0.01",
         lambda: PiecewiseConstant([10], [0.1, -0.01])),
    _bad(ValueError, "values[0] must be a finite number >= 0; got values[0]=nan",
         lambda: PiecewiseConstant([10], [NAN, 0.1])),
    _bad(ValueError, "values must be a one-dimensional sequence; got values=array([[0.1, 0.2]])",
         lambda: PiecewiseConstant([10], np.array([[0.1, 0.2]]))),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=-1", lambda: PolynomialDecay(-1, 10)),
    _bad(ValueError, "total_steps must be an integer >= 1; got total_steps=0",
         lambda: PolynomialDecay(0.1, 0)),
    _bad(TypeError, "total_steps must be an integer; got total_steps=10.0 (float)",
         lambda: PolynomialDecay(0.1, 10.0)),
    _bad(ValueError, "power must be a finite number > 0; got power=0", lambda: PolynomialDecay(0.1, 10, 0)),
    _bad(ValueError, "power must be a finite number > 0; got power=nan",
         lambda: PolynomialDecay(0.1, 10, NAN)),
    _bad(ValueError, "lr_end must be a finite number >= 0; got lr_end=-1",
         lambda: PolynomialDecay(0.1, 10, 1.0, -1)),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=nan", lambda: CosineDecay(NAN, 10)),
    _bad(ValueError, "total_steps must be an integer >= 1; got total_steps=0", lambda: CosineDecay(0.1, 0)),
    _bad(ValueError, "lr_min must be a finite number <= lr0=0.1; got lr_min=0.2",
         lambda: CosineDecay(0.1, 10, 0.2)),
    _bad(ValueError, "lr_min must be a finite number >= 0; got lr_min=-1", lambda: CosineDecay(0.1, 10, -1)),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=-1", lambda: CosineRestarts(-1, 10)),
    _bad(ValueError, "period must be an integer >= 1; got period=0", lambda: CosineRestarts(0.1, 0)),
    _bad(TypeError, "period must be an integer; got period=2.5 (float)", lambda: CosineRestarts(0.1, 2.5)),
    _bad(ValueError, "period_mult must be an integer >= 1; got period_mult=0",
         lambda: CosineRestarts(0.1, 10, 0)),
    _bad(TypeError, "period_mult must be an integer; got period_mult=1.5 (float)",
         lambda: CosineRestarts(0.1, 10, 1.5)),
    _bad(ValueError, "lr_min must be a finite number <= lr0=0.1; got lr_min=0.5",
         lambda: CosineRestarts(0.1, 10, 1, 0.5)),
    _bad(ValueError, "lr_min must be a finite number >= 0; got lr_min=-0.1", lambda: Cyclic(-0.1, 0.1, 10)),
    _bad(ValueError, "lr_max must be a finite number >= lr_min=0.01; got lr_max=0.001",
         lambda: Cyclic(0.01, 0.001, 10)),
    _bad(ValueError, "lr_max must be a finite number >= 0; got lr_max=nan", lambda: Cyclic(0.01, NAN, 10)),
    _bad(ValueError, "step_size must be an integer >= 1; got step_size=0", lambda: Cyclic(0.01, 0.1, 0)),
    _bad(TypeError, "step_size must be an integer; got step_size=2.0 (float)",
         lambda: Cyclic(0.01, 0.1, 2.0)),
    _bad(ValueError, "mode must be one of 'triangular', 'triangular2', 'exp_range'; got mode='cosine'",
         lambda: Cyclic(0.01, 0.1, 10, "cosine")),
    _bad(ValueError, "gamma must be a finite number in (0, 1]; got gamma=0",
         lambda: Cyclic(0.01, 0.1, 10, "exp_range", 0)),
    _bad(ValueError, "gamma must be a finite number in (0, 1]; got gamma=1.5",
         lambda: Cyclic(0.01, 0.1, 10, "exp_range", 1.5)),
    _bad(ValueError, "lr_max must be a finite number >= 0; got lr_max=-1", lambda: OneCycle(-1, 100)),
    _bad(ValueError, "total_steps must be an integer >= 2; got total_steps=1", lambda: OneCycle(0.1, 1)),
    _bad(TypeError, "total_steps must be an integer; got total_steps=300.0 (float)",
         lambda: OneCycle(0.1, 300.0)),
    _bad(ValueError, "pct_start must be a finite number in (0, 1); got pct_start=0",
         lambda: OneCycle(0.1, 300, 0)),
    _bad(ValueError, "pct_start must be a finite number in (0, 1); got pct_start=1.0",
         lambda: OneCycle(0.1, 300, 1.0)),
    _bad(ValueError, "pct_start must be such that 1 < pct_start * total_steps < total_steps "
         "(total_steps=300, three_phase=False); got pct_start=0.002", lambda: OneCycle(0.1, 300, 0.002)),
    _bad(ValueError, "pct_start must be such that 1 < pct_start * total_steps < (total_steps + 1) / 2 "
         "(total_steps=300, three_phase=True); got pct_start=0.6",
         lambda: OneCycle(0.1, 300, 0.6, three_phase=True)),
    _bad(ValueError, "div_factor must be a finite number > 0; got div_factor=0",
         lambda: OneCycle(0.1, 300, div_factor=0)),
    _bad(ValueError, "final_div_factor must be a finite number > 0; got final_div_factor=-1",
         lambda: OneCycle(0.1, 300, final_div_factor=-1)),
    _bad(ValueError, "anneal must be one of 'cos', 'linear'; got anneal='cosine'",
         lambda: OneCycle(0.1, 300, anneal="cosine")),
    _bad(TypeError, "three_phase must be True or False; got three_phase='yes' (str)",
         lambda: OneCycle(0.1, 300, three_phase="yes")),
    _bad(TypeError, "schedule must be a schedule (a callable step -> lr); got schedule=0.1 (float)",
         lambda: LinearWarmup(0.1, 10)),
    _bad(ValueError, "warmup_steps must be an integer >= 0; got warmup_steps=-1",
         lambda: LinearWarmup(_ok(), -1)),
    _bad(TypeError, "warmup_steps must be an integer; got warmup_steps=1.5 (float)",
         lambda: LinearWarmup(_ok(), 1.5)),
    _bad(ValueError, "start_lr must be a finite number >= 0; got start_lr=nan",
         lambda: LinearWarmup(_ok(), 10, NAN)),
    _bad(ValueError, "d_model must be an integer >= 1; got d_model=0", lambda: Noam(0, 4000)),
    _bad(TypeError, "d_model must be an integer; got d_model=512.0 (float)", lambda: Noam(512.0, 4000)),
    _bad(ValueError, "warmup_steps must be an integer >= 1; got warmup_steps=0", lambda: Noam(512, 0)),
    _bad(ValueError, "scale must be a finite number >= 0; got scale=-1", lambda: Noam(512, 4000, -1)),
    _bad(ValueError, "scale must be a finite number >= 0; got scale=nan", lambda: Noam(512, 4000, NAN)),
    _bad(ValueError, "schedules must be a non-empty sequence of schedules; got schedules=[]",
         lambda: Join([], [])),
    _bad(TypeError, "schedules must be a sequence; got schedules=Constant(lr=0.1) (Constant)",
         lambda: Join(_ok(), [])),
    _bad(TypeError, "schedules[1] must be a schedule (a callable step -> lr); got schedules[1]=0.2 (float)",
         lambda: Join([_ok(), 0.2], [10])),
    _bad(ValueError, "boundaries must be a sequence of len(schedules) - 1 = 1 integers; got boundaries=[]",
         lambda: Join([_ok(), _ok()], [])),
    _bad(ValueError, "boundaries[0] must be an integer >= 1; got boundaries[0]=0",
         lambda: Join([_ok(), _ok()], [0])),
    _bad(ValueError, "boundaries must be strictly increasing; got boundaries=[20, 10]",
         lambda: Join([_ok(), _ok(), _ok()], [20, 10])),
    _bad(ValueError, "lr0 must be a finite number >= 0; got lr0=-1", lambda: ReduceOnPlateau(-1)),
    _bad(ValueError, "mode must be one of 'min', 'max'; got mode='minimum'",
         lambda: ReduceOnPlateau(0.1, mode="minimum")),
    _bad(ValueError, "factor must be a finite number in [0, 1); got factor=1.0",
         lambda: ReduceOnPlateau(0.1, factor=1.0)),
    _bad(ValueError, "factor must be a finite number in [0, 1); got factor=nan",
         lambda: ReduceOnPlateau(0.1, factor=NAN)),
    _bad(ValueError, "patience must be an integer >= 0; got patience=-1",
         lambda: ReduceOnPlateau(0.1, patience=-1)),
    _bad(TypeError, "patience must be an integer; got patience=2.5 (float)",
         lambda: ReduceOnPlateau(0.1, patience=2.5)),
    _bad(ValueError, "threshold must be a finite number >= 0; got threshold=-0.0001",
         lambda: ReduceOnPlateau(0.1, threshold=-1e-4)),
    _bad(ValueError, "threshold must be a finite number >= 0; got threshold=inf",
         lambda: ReduceOnPlateau(0.1, threshold=INF)),
    _bad(ValueError, "threshold_mode must be one of 'rel', 'abs'; got threshold_mode='relative'",
         lambda: ReduceOnPlateau(0.1, threshold_mode="relative")),
    _bad(ValueError, "cooldown must be an integer >= 0; got cooldown=-1",
         lambda: ReduceOnPlateau(0.1, cooldown=-1)),
    _bad(ValueError, "min_lr must be a finite number <= lr0=0.1; got min_lr=0.5",
         lambda: ReduceOnPlateau(0.1, min_lr=0.5)),
    _bad(ValueError, "min_lr must be a finite number >= 0; got min_lr=nan",
         lambda: ReduceOnPlateau(0.1, min_lr=NAN)),
    _bad(ValueError, "eps must be a finite number >= 0; got eps=-1", lambda: ReduceOnPlateau(0.1, eps=-1)),
    _bad(TypeError, "metric must be a real number; got metric='0.5' (str)",
         lambda: ReduceOnPlateau(0.1).update("0.5", ReduceOnPlateau(0.1).init())),
    _bad(TypeError, "state must be a PlateauState (from init() or update()); got state=(0.1, 1.0, 0, 0) (tuple)",
         lambda: ReduceOnPlateau(0.1).update(0.5, (0.1, 1.0, 0, 0))),
    _bad(TypeError, "metrics must be a sequence; got metrics='abc' (str)",
         lambda: ReduceOnPlateau(0.1).lrs("abc")),
    _bad(TypeError, "metrics[1] must be a real number; got metrics[1]='x' (str)",
         lambda: ReduceOnPlateau(0.1).lrs([0.5, "x"])),
]


@pytest.mark.parametrize("build,error,message", INVALID)
def test_invalid_argument_raises_with_the_package_message(build, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        build()


def test_invalid_argument_table_covers_every_constructor_parameter():
    classes = [Constant, TimeBasedDecay, InverseTimeDecay, InverseSqrtDecay, StepDecay,
               ExponentialDecay, MultiStepDecay, PiecewiseConstant, PolynomialDecay, CosineDecay,
               CosineRestarts, Cyclic, OneCycle, LinearWarmup, Noam, Join, ReduceOnPlateau]
    messages = [param.values[2] for param in INVALID]
    for cls in classes:
        for parameter in (f.name for f in dataclasses.fields(cls) if f.init):
            assert any(message.startswith(f"{parameter} ") or message.startswith(f"{parameter}[")
                       for message in messages), (cls.__name__, parameter)


# --- ReduceOnPlateau ---------------------------------------------------------------------


def test_reduce_on_plateau_cuts_after_patience_plus_one_bad_reports():
    plateau = ReduceOnPlateau(1.0, patience=3, factor=0.5)
    rates = plateau.lrs([1.0] * 6)
    assert rates.tolist() == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5]


def test_reduce_on_plateau_update_is_pure():
    plateau = ReduceOnPlateau(1.0, patience=0)
    state = plateau.update(1.0, plateau.init())
    after = plateau.update(2.0, state)
    assert state == PlateauState(1.0, 1.0, 0, 0) and after.lr == pytest.approx(0.1)
    metrics = np.array([1.0, 2.0, 3.0])
    plateau.lrs(metrics)
    assert metrics.tolist() == [1.0, 2.0, 3.0]


def test_reduce_on_plateau_counts_nan_as_no_improvement():
    plateau = ReduceOnPlateau(1.0, patience=1, factor=0.5)
    assert plateau.lrs([1.0, NAN, NAN, NAN]).tolist() == [1.0, 1.0, 1.0, 0.5, 0.5]
    assert plateau.update(NAN, plateau.init()).best == INF


def test_reduce_on_plateau_honours_min_lr_and_eps():
    plateau = ReduceOnPlateau(1.0, patience=0, factor=0.5, min_lr=0.3, eps=0.1)
    assert plateau.lrs([1.0] * 5).tolist() == [1.0, 1.0, 0.5, 0.3, 0.3, 0.3]
    tiny = ReduceOnPlateau(1e-8, patience=0)  # a cut of 9e-9 is below eps = 1e-8: skipped
    assert tiny.lrs([1.0, 1.0, 1.0]).tolist() == [1e-8] * 4


def test_reduce_on_plateau_cooldown_ignores_bad_reports():
    plateau = ReduceOnPlateau(1.0, patience=0, factor=0.5, cooldown=2)
    assert plateau.lrs([1.0] * 7).tolist() == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]


# --- properties --------------------------------------------------------------------------

rates = st.floats(0.0, 10.0)
counts = st.integers(1, 500)


def _below(upper):
    return st.floats(0.0, upper)


@st.composite
def decreasing_schedules(draw):
    """Schedules that never increase."""
    lr0 = draw(rates)
    return draw(st.one_of(
        st.builds(Constant, st.just(lr0)),
        st.builds(TimeBasedDecay, st.just(lr0), st.floats(0.0, 1.0)),
        st.builds(InverseTimeDecay, st.just(lr0), st.floats(0.0, 10.0), st.floats(0.1, 100.0),
                  st.booleans()),
        st.builds(InverseSqrtDecay, st.just(lr0)),
        st.builds(StepDecay, st.just(lr0), st.floats(0.0, 1.0), counts),
        st.builds(ExponentialDecay, st.just(lr0), st.floats(0.0, 5.0)),
        st.builds(MultiStepDecay, st.just(lr0), st.lists(counts, max_size=5).map(sorted),
                  st.floats(0.0, 1.0)),
        st.builds(PiecewiseConstant, st.just([]), st.just([lr0])),
        st.builds(PolynomialDecay, st.just(lr0), counts, st.floats(0.1, 5.0), _below(lr0)),
        st.builds(CosineDecay, st.just(lr0), counts, _below(lr0)),
    ))


@st.composite
def any_schedules(draw):
    lr0 = draw(rates)
    boundaries = draw(st.lists(counts, max_size=4, unique=True).map(sorted))
    simple = draw(st.one_of(
        decreasing_schedules(),
        st.builds(PiecewiseConstant, st.just(boundaries),
                  st.lists(rates, min_size=len(boundaries) + 1, max_size=len(boundaries) + 1)),
        st.builds(PolynomialDecay, st.just(lr0), counts, st.floats(0.1, 5.0), rates),
        st.builds(CosineRestarts, st.just(lr0), counts, st.integers(1, 4), _below(lr0)),
        st.builds(Cyclic, st.just(lr0), st.floats(lr0, 20.0), counts,
                  st.sampled_from(["triangular", "triangular2", "exp_range"]),
                  st.floats(1e-3, 1.0)),
        st.builds(OneCycle, rates, st.integers(30, 1000), st.floats(0.05, 0.45), st.floats(1.0, 100.0),
                  st.floats(1.0, 1e4), st.sampled_from(["cos", "linear"]), st.booleans()),
        st.builds(Noam, st.integers(1, 1024), st.integers(1, 5000), rates),
    ))
    return draw(st.one_of(
        st.just(simple),
        st.builds(LinearWarmup, st.just(simple), st.integers(0, 50), rates),
        st.builds(Join, st.tuples(st.just(simple), decreasing_schedules()), st.tuples(counts)),
    ))


step_lists = st.lists(st.integers(0, 10**5), min_size=1, max_size=20)


@settings(max_examples=50, deadline=None)
@given(any_schedules(), step_lists)
def test_vectorised_call_equals_scalar_calls(schedule, steps):
    vectorised = schedule(np.array(steps))
    one_by_one = [schedule(n) for n in steps]
    np.testing.assert_allclose(vectorised, one_by_one, rtol=1e-14, atol=0)


@settings(max_examples=50, deadline=None)
@given(any_schedules(), step_lists)
def test_rates_are_finite_and_non_negative(schedule, steps):
    values = schedule(np.array(steps))
    assert np.all(np.isfinite(values)) and np.all(values >= 0)


@settings(max_examples=50, deadline=None)
@given(decreasing_schedules(), step_lists)
def test_decays_never_increase(schedule, steps):
    values = schedule(np.array(sorted(steps)))
    assert np.all(np.diff(values) <= 0)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 1024), st.integers(1, 3000), rates)
def test_noam_rises_until_the_warmup_ends_then_falls(d_model, warmup, scale):
    values = Noam(d_model, warmup, scale)(np.arange(2 * warmup + 10))
    assert np.all(np.diff(values[:warmup]) >= 0) and np.all(np.diff(values[warmup - 1:]) <= 0)


@settings(max_examples=50, deadline=None)
@given(st.integers(30, 1000), st.floats(0.05, 0.95), st.sampled_from(["cos", "linear"]))
def test_one_cycle_rises_to_its_peak_then_falls(total, pct, anneal):
    schedule = OneCycle(0.1, total, pct, anneal=anneal)
    values = schedule(np.arange(total))
    peak = int(np.argmax(values))
    assert np.all(np.diff(values[: peak + 1]) >= 0) and np.all(np.diff(values[peak:]) <= 0)
    assert abs(peak - (pct * total - 1)) < 1 and values[peak] <= 0.1
