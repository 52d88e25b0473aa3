"""Tests of lrlib.range_test: the ramp, the recorded curve, the two reading rules, bad input.

The references are plain Python loops written from the definitions (a geometric ramp, an
exponential moving average with bias correction), never from the module's vectorised code.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

import lrlib
from lrlib.optimizers import SGD, Momentum
from lrlib.range_test import ExponentialRamp, RangeTest, lr_range_test
from lrlib.surfaces import LeastSquares, Quadratic

QUADRATIC = Quadratic([1.0, 4.0])
START = [1.0, 1.0]


def naive_ramp(lr_min, lr_max, steps, n):
    """The rate of step n of a geometric ramp, by repeated multiplication, then held."""
    ratio = (lr_max / lr_min) ** (1.0 / (steps - 1))
    rate = lr_min
    for _ in range(min(n, steps - 1)):
        rate *= ratio
    return rate


def naive_ema(losses, beta):
    out, average = [], 0.0
    for k, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta ** (k + 1)))
    return out


# --- the ramp ----------------------------------------------------------------------------


def test_ramp_is_geometric_from_lr_min_to_lr_max_then_held():
    ramp = ExponentialRamp(1e-4, 10.0, 51)
    steps = np.arange(60)
    reference = [naive_ramp(1e-4, 10.0, 51, int(n)) for n in steps]
    np.testing.assert_allclose(ramp(steps), reference, rtol=1e-13)
    assert ramp(0) == 1e-4 and ramp(50) == 10.0 and ramp(59) == 10.0
    ratios = ramp(steps[1:51]) / ramp(steps[:50])
    np.testing.assert_allclose(ratios, 10.0 ** (5 / 50), rtol=1e-12)


def test_ramp_gives_every_decade_the_same_number_of_steps():
    ramp = ExponentialRamp(1e-3, 1.0, 31)
    rates = ramp(np.arange(31))
    assert np.allclose(rates[[0, 10, 20, 30]], [1e-3, 1e-2, 1e-1, 1.0], rtol=1e-13)


def test_ramp_is_a_schedule_and_returns_a_float_for_an_int():
    ramp = ExponentialRamp(0.01, 1.0, 3)
    assert isinstance(ramp, lrlib.Schedule)
    assert isinstance(ramp(1), float) and math.isclose(ramp(1), 0.1, rel_tol=1e-14)


def test_ramp_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ExponentialRamp(0.01, 1.0, 3).steps = 5


# --- the run -----------------------------------------------------------------------------


def test_range_test_records_the_rates_of_the_ramp_and_the_loss_after_each_update():
    test = lr_range_test(SGD, QUADRATIC, START, 1e-3, 0.1, 20, smoothing=0.0)
    np.testing.assert_allclose(test.lrs, ExponentialRamp(1e-3, 0.1, 20)(np.arange(20)), rtol=1e-15)
    # Plain gradient descent by hand: loss[k] follows the update that used lrs[k].
    x = np.array(START)
    for k in range(20):
        x = x - test.lrs[k] * QUADRATIC.grad(x)
        assert math.isclose(test.losses[k], float(QUADRATIC.f(x)), rel_tol=1e-13)
    assert test.blowup_at is None and test.lr_blowup is None and test.lr_tenth is None


def test_smoothed_loss_is_the_bias_corrected_moving_average():
    test = lr_range_test(SGD, QUADRATIC, START, 1e-3, 0.3, 30, smoothing=0.9)
    np.testing.assert_allclose(test.smoothed, naive_ema(test.losses, 0.9), rtol=1e-13)
    # The bias correction makes the first smoothed value the first loss itself.
    assert math.isclose(test.smoothed[0], test.losses[0], rel_tol=1e-14)


def test_no_smoothing_leaves_the_losses_alone():
    test = lr_range_test(SGD, QUADRATIC, START, 1e-3, 0.3, 30, smoothing=0.0)
    np.testing.assert_array_equal(test.smoothed, test.losses)


def test_a_diverging_run_ends_where_the_loss_stops_being_finite():
    test = lr_range_test(SGD, QUADRATIC, START, 1e-2, 1e6, 200, smoothing=0.0)
    assert len(test.lrs) < 200 and len(test.losses) == len(test.lrs)
    assert not np.isfinite(test.losses[-1]) or test.losses[-1] > 1e100
    assert np.isnan(test.smoothed[-1]) and np.all(np.isfinite(test.smoothed[:-1]))
    assert test.blowup_at is not None and test.blowup_at <= len(test.lrs) - 1


def test_blowup_is_the_first_smoothed_loss_above_four_times_the_least_before_it():
    test = lr_range_test(SGD, QUADRATIC, START, 1e-3, 10.0, 60, smoothing=0.0)
    k = test.blowup_at
    assert test.losses[k] > 4 * test.losses[:k].min()
    assert all(test.losses[j] <= 4 * test.losses[:j].min() for j in range(1, k))
    assert test.lr_blowup == test.lrs[k] and test.lr_tenth == test.lr_blowup / 10


def test_blowup_comes_after_the_stability_limit_on_a_quadratic():
    # GD on eigenvalue 4 is unstable above 2/4 = 0.5; the loss can only grow once past it.
    test = lr_range_test(SGD, QUADRATIC, START, 1e-3, 10.0, 60, smoothing=0.0)
    assert test.lr_blowup > 0.5


def test_blowup_factor_is_configurable():
    early = lr_range_test(SGD, QUADRATIC, START, 1e-3, 10.0, 60, smoothing=0.0, blowup=1.5)
    late = lr_range_test(SGD, QUADRATIC, START, 1e-3, 10.0, 60, smoothing=0.0, blowup=100.0)
    assert early.blowup_at < late.blowup_at


def test_steepest_rate_is_where_the_log_loss_falls_fastest_before_its_minimum():
    problem = LeastSquares.random(100, 5, noise=0.5, seed=3)
    test = lr_range_test(SGD, problem, np.zeros(5), 1e-4, 10.0, 200, batch_size=10,
                         smoothing=0.0)
    best = int(np.nanargmin(test.smoothed))
    slopes = np.gradient(np.log(test.smoothed[: best + 1]), np.log(test.lrs[: best + 1]))
    assert test.lr_steepest == test.lrs[int(np.argmin(slopes))]
    assert test.lr_min_loss == test.lrs[best]
    assert test.lr_steepest <= test.lr_min_loss


def test_range_test_is_reproducible_and_depends_on_the_seed():
    problem = LeastSquares.random(60, 3, noise=0.5, seed=1)
    first = lr_range_test(SGD, problem, np.zeros(3), 1e-4, 1.0, 50, batch_size=6, seed=4)
    again = lr_range_test(SGD, problem, np.zeros(3), 1e-4, 1.0, 50, batch_size=6, seed=4)
    other = lr_range_test(SGD, problem, np.zeros(3), 1e-4, 1.0, 50, batch_size=6, seed=5)
    np.testing.assert_array_equal(first.losses, again.losses)
    assert not np.array_equal(first.losses, other.losses)


def test_range_test_accepts_any_optimizer_that_takes_the_ramp():
    test = lr_range_test(lambda lr: Momentum(lr, beta=0.9), QUADRATIC, START, 1e-4, 1.0, 40)
    assert isinstance(test, RangeTest) and len(test.lrs) == 40


def test_range_test_result_is_frozen():
    test = lr_range_test(SGD, QUADRATIC, START, 1e-3, 0.1, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        test.lr_tenth = 1.0
    with pytest.raises(ValueError, match="read-only"):
        test.losses[0] = 0.0


def test_top_level_names_are_exported():
    assert lrlib.lr_range_test is lr_range_test and lrlib.ExponentialRamp is ExponentialRamp


# --- bad input ---------------------------------------------------------------------------

INVALID = [
    (lambda: ExponentialRamp(0.0, 1.0, 10), ValueError,
     "lr_min must be a finite number > 0; got lr_min=0.0"),
    (lambda: ExponentialRamp(float("nan"), 1.0, 10), ValueError,
     "lr_min must be a finite number > 0; got lr_min=nan"),
    (lambda: ExponentialRamp(0.1, 0.1, 10), ValueError,
     "lr_max must be a finite number > lr_min=0.1; got lr_max=0.1"),
    (lambda: ExponentialRamp(0.1, float("inf"), 10), ValueError,
     "lr_max must be a finite number > 0; got lr_max=inf"),
    (lambda: ExponentialRamp(0.1, 1.0, 1), ValueError,
     "steps must be an integer >= 2; got steps=1"),
    (lambda: ExponentialRamp(0.1, 1.0, 10.0), TypeError,
     "steps must be an integer; got steps=10.0 (float)"),
    (lambda: ExponentialRamp("0.1", 1.0, 10), TypeError,
     "lr_min must be a real number; got lr_min='0.1' (str)"),
    (lambda: lr_range_test(SGD, QUADRATIC, START, 1e-3, 1.0, 2), ValueError,
     "steps must be an integer >= 3; got steps=2"),
    (lambda: lr_range_test(SGD, QUADRATIC, START, 1.0, 0.5, 10), ValueError,
     "lr_max must be a finite number > lr_min=1.0; got lr_max=0.5"),
    (lambda: lr_range_test(SGD, QUADRATIC, START, 1e-3, 1.0, 10, smoothing=1.0), ValueError,
     "smoothing must be a finite number in [0, 1); got smoothing=1.0"),
    (lambda: lr_range_test(SGD, QUADRATIC, START, 1e-3, 1.0, 10, blowup=1.0), ValueError,
     "blowup must be a finite number > 1; got blowup=1.0"),
    (lambda: lr_range_test(SGD, QUADRATIC, [[1.0, 1.0]], 1e-3, 1.0, 10), ValueError,
     "x0 must be a single start point (a 1-D array); got x0=[[1.0, 1.0]]"),
    (lambda: lr_range_test("SGD", QUADRATIC, START, 1e-3, 1.0, 10), TypeError,
     "make_optimizer must be a callable schedule -> optimizer; got make_optimizer='SGD' (str)"),
    (lambda: lr_range_test(lambda lr: SGD(0.1), QUADRATIC, START, 1e-3, 1.0, 10), ValueError,
     "make_optimizer must be a callable that uses its argument as the optimizer's lr; got "
     "make_optimizer=<function"),
    (lambda: lr_range_test(SGD, QUADRATIC, START, 1e60, 1e61, 10), ValueError,
     "lr_min must be small enough for the first update to keep the loss finite; got "
     "lr_min=1e+60"),
    (lambda: lr_range_test(SGD, QUADRATIC, START, 1e-3, 1.0, 10, batch_size=2), ValueError,
     "batch_size must be None for a surface without n_samples (Quadratic); got batch_size=2"),
]


@pytest.mark.parametrize("build,error,message", INVALID)
def test_invalid_argument_raises_with_the_package_message(build, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        build()
