"""Tests of lrlib.trajectory: run, sweep and Trajectory.

The references are plain Python loops written from the update formulas, separate from run's
vectorised bookkeeping; the library's optimizers are used where they exist."""

import dataclasses
import time
import warnings
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.surfaces import BumpyLandscape, LeastSquares, Quadratic, Rosenbrock
from lrlib.optimizers import SGD
from lrlib.trajectory import Trajectory, run, sweep
from lrlib._validation import lr_at


# ---------------------------------------------------------------------------- local optimizers

@dataclasses.dataclass(frozen=True)
class PlainGD:
    """Gradient descent in the optimizer protocol (lr: number, array or schedule)."""

    lr: object

    def init(self, params):
        return 0

    def step(self, params, grads, state):
        return params - lr_at(self.lr, state) * grads, state + 1


class HeavyBallState(NamedTuple):
    t: int
    velocity: object


@dataclasses.dataclass(frozen=True)
class HeavyBall:
    """Momentum with the rate outside the buffer (PyTorch's form)."""

    lr: object
    beta: float = 0.9

    def init(self, params):
        return HeavyBallState(0, None)

    def step(self, params, grads, state):
        velocity = grads if state.velocity is None else self.beta * state.velocity + grads
        return params - self.lr * velocity, HeavyBallState(state.t + 1, velocity)


class ExactStepState(NamedTuple):
    t: int
    step_size: object


@dataclasses.dataclass(frozen=True)
class ExactStepOnQuadratic:
    """A second-order rule in the protocol: exact line search along -g using the Hessian."""

    needs_surface = True

    def init(self, params):
        return ExactStepState(0, 0.0)

    def step(self, params, grads, state, surface):
        curvature = np.einsum("...i,...ij,...j->...", grads, surface.hessian(params), grads)
        size = (grads * grads).sum(axis=-1) / curvature
        return params - size[..., None] * grads, ExactStepState(state.t + 1, size)


@dataclasses.dataclass(frozen=True)
class CountingGD:
    """Gradient descent that counts its updates in a list it was given (for the early stop)."""

    lr: object
    calls: list

    def init(self, params):
        return 0

    def step(self, params, grads, state):
        self.calls.append(state)
        return params - self.lr * grads, state + 1


QUAD = Quadratic(eigenvalues=[1.0, 10.0], angle=0.3)
X0 = np.array([1.5, -1.0])


def naive_gd(surface, x0, lr, steps):
    """Gradient descent as a plain loop: the iterates, one row each."""
    xs = [np.array(x0, dtype=float)]
    for n in range(steps):
        rate = lr(n) if callable(lr) else lr
        xs.append(xs[-1] - rate * surface.grad(xs[-1]))
    return np.array(xs)


def assert_same_run(a: Trajectory, b: Trajectory):
    """Bit-for-bit equality of two single runs."""
    assert a.diverged_at == b.diverged_at
    for name in ("params", "loss", "lr", "grad_norm"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


# ---------------------------------------------------------------------------- what a run records

def test_run_records_iterates_loss_rate_and_exact_gradient_norm():
    traj = run(PlainGD(0.05), QUAD, X0, 40)
    expected = naive_gd(QUAD, X0, 0.05, 40)
    np.testing.assert_array_equal(traj.params, expected)
    np.testing.assert_array_equal(traj.loss, [QUAD.f(x) for x in expected])
    np.testing.assert_allclose(traj.grad_norm, [np.linalg.norm(QUAD.grad(x)) for x in expected], rtol=1e-15)
    np.testing.assert_array_equal(traj.lr, np.full(40, 0.05))
    assert traj.params.shape == (41, 2) and traj.loss.shape == (41,) and traj.lr.shape == (40,)
    assert traj.diverged_at is None and not traj.diverged
    assert traj.steps_run == 40 and traj.steps == 40
    assert traj.final_loss == traj.loss[-1]
    assert traj.min_value == 0.0


def test_schedule_rate_is_recorded_per_update():
    def schedule(n):
        return 0.1 / (1 + n)

    traj = run(PlainGD(schedule), QUAD, X0, 12)
    np.testing.assert_array_equal(traj.lr, [schedule(n) for n in range(12)])
    np.testing.assert_array_equal(traj.params, naive_gd(QUAD, X0, schedule, 12))


def test_per_coordinate_rate_is_recorded_with_a_coordinate_axis():
    traj = run(PlainGD(np.array([0.1, 0.01])), QUAD, X0, 5)
    assert traj.batch_shape == ()
    assert traj.lr.shape == (5, 2)
    np.testing.assert_array_equal(traj.lr, np.tile([0.1, 0.01], (5, 1)))


def test_zero_steps_records_only_the_start():
    traj = run(PlainGD(0.1), QUAD, X0, 0)
    assert traj.params.shape == (1, 2) and traj.lr.shape == (0,)
    assert traj.final_loss == QUAD.f(X0)


def test_run_never_changes_x0_and_returns_read_only_arrays():
    x0 = X0.copy()
    traj = run(PlainGD(0.1), QUAD, x0, 5)
    np.testing.assert_array_equal(x0, X0)
    with pytest.raises(ValueError):
        traj.params[0, 0] = 1.0


def test_heavy_ball_matches_plain_loop():
    traj = run(HeavyBall(1e-3, beta=0.9), Rosenbrock(), [-1.2, 1.0], 300)
    assert not traj.diverged
    x, v = np.array([-1.2, 1.0]), None
    r = Rosenbrock()
    for k in range(300):
        g = r.grad(x)
        v = g if v is None else 0.9 * v + g
        x = x - 1e-3 * v
        np.testing.assert_array_equal(traj.params[k + 1], x)


# ---------------------------------------------------------------------------- divergence

def test_single_run_ends_at_the_first_loss_above_max_loss():
    # lr = 0.25 on curvature 10 multiplies that error by -1.5 per step: loss 5 * 2.25**k.
    q = Quadratic(eigenvalues=[1.0, 10.0])
    traj = run(PlainGD(0.25), q, [0.0, 1.0], 100, max_loss=1e6)
    k = int(np.ceil(np.log(1e6 / 5) / np.log(2.25)))
    assert traj.diverged_at == k == 16
    assert traj.steps_run == k and traj.diverged
    assert traj.params.shape == (k + 1, 2) and traj.lr.shape == (k,)
    assert traj.loss[-1] > 1e6 >= traj.loss[-2]
    assert traj.final_loss == np.inf


def test_loss_equal_to_max_loss_is_not_divergence():
    q = Quadratic(eigenvalues=[2.0])
    traj = run(PlainGD(0.0), q, [1.0], 3, max_loss=1.0)
    assert traj.diverged_at is None and np.all(traj.loss == 1.0)


def test_overflow_ends_the_run_cleanly_without_any_warning():
    q = Quadratic(eigenvalues=[1.0, 100.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(PlainGD(1.0), q, [1.0, 1.0], 5000, max_loss=np.inf)
    k = traj.diverged_at
    assert k is not None and 50 < k < 400
    assert not np.isfinite(traj.loss[k]) or not np.all(np.isfinite(traj.params[k]))
    assert np.all(np.isfinite(traj.loss[:k]))
    assert len(traj.loss) == k + 1


def test_default_max_loss_ends_a_diverging_run_at_1e100():
    q = Quadratic(eigenvalues=[1.0, 100.0])
    traj = run(PlainGD(1.0), q, [1.0, 1.0], 5000)
    assert traj.loss[-1] > 1e100 >= traj.loss[-2]
    assert traj.diverged_at == len(traj.loss) - 1 < run(PlainGD(1.0), q, [1.0, 1.0], 5000, max_loss=np.inf).diverged_at


def test_divergence_at_the_start_gives_a_one_point_record():
    traj = run(PlainGD(0.1), QUAD, [100.0, 100.0], 10, max_loss=10.0)
    assert traj.diverged_at == 0 and traj.params.shape == (1, 2) and traj.lr.shape == (0,)


def test_batch_blanks_a_diverged_member_and_lets_the_others_go_on():
    lrs = np.array([0.05, 0.15, 0.25])
    q = Quadratic(eigenvalues=[1.0, 10.0])
    traj = run(PlainGD(lrs[:, None]), q, [1.0, 1.0], 60, max_loss=1e6)
    np.testing.assert_array_equal(traj.diverged_at, [-1, -1, 16])
    np.testing.assert_array_equal(traj.diverged, [False, False, True])
    np.testing.assert_array_equal(traj.steps_run, [60, 60, 16])
    assert traj.params.shape == (61, 3, 2) and traj.loss.shape == (61, 3) and traj.lr.shape == (60, 3)
    assert np.all(np.isfinite(traj.loss[:, :2]))
    assert np.all(np.isfinite(traj.loss[:17, 2])) and np.all(np.isnan(traj.loss[17:, 2]))
    assert np.all(np.isnan(traj.params[17:, 2])) and np.all(np.isnan(traj.grad_norm[17:, 2]))
    assert np.all(traj.lr[:16, 2] == 0.25) and np.all(np.isnan(traj.lr[16:, 2]))
    final = traj.final_loss
    assert final[2] == np.inf and np.all(np.isfinite(final[:2]))


def test_run_stops_once_every_member_has_diverged():
    calls = []
    traj = run(CountingGD(np.array([[0.3], [0.5]]), calls), Quadratic(eigenvalues=[10.0]), [1.0], 1000,
               max_loss=1e6)
    last = int(traj.diverged_at.max())
    assert len(calls) == last
    assert traj.loss.shape == (1001, 2) and np.all(np.isnan(traj.loss[last + 1:]))


def test_member_of_a_batch_is_the_single_run():
    lrs = np.array([0.05, 0.25])
    q = Quadratic(eigenvalues=[1.0, 10.0])
    batch = run(PlainGD(lrs[:, None]), q, [1.0, 1.0], 40, max_loss=1e6)
    for i, lr in enumerate(lrs):
        assert_same_run(batch.member(i), run(PlainGD(lr), q, [1.0, 1.0], 40, max_loss=1e6))


# ---------------------------------------------------------------------------- sweeps

def test_sweep_equals_separate_runs_bit_for_bit():
    lrs = np.geomspace(1e-3, 0.3, 9)
    traj = sweep(PlainGD, lrs, QUAD, X0, 80, max_loss=1e8)
    assert traj.batch_shape == (9,)
    assert traj.diverged.any() and not traj.diverged.all()
    for i, lr in enumerate(lrs):
        assert_same_run(traj.member(i), run(PlainGD(lr), QUAD, X0, 80, max_loss=1e8))


def test_sweep_with_library_optimizers_equals_separate_runs():
    optimizers = pytest.importorskip("lrlib.optimizers")
    lrs = np.array([1e-3, 1e-2, 0.05, 0.5])
    r = Rosenbrock()
    makers = [optimizers.SGD, lambda lr: optimizers.Momentum(lr, beta=0.9), optimizers.Adam,
              lambda lr: optimizers.RMSProp(lr)]
    for make in makers:
        traj = sweep(make, lrs, r, [-1.5, 2.0], 150, max_loss=1e10)
        for i, lr in enumerate(lrs):
            assert_same_run(traj.member(i), run(make(lr), r, [-1.5, 2.0], 150, max_loss=1e10))


def test_sweep_with_noise_and_minibatches_equals_separate_runs():
    ls = LeastSquares.random(30, 2, seed=1)
    lrs = np.array([0.01, 0.1, 0.5])
    kwargs = dict(noise=0.3, batch_size=7, seed=11)
    traj = sweep(PlainGD, lrs, ls, [2.0, -2.0], 50, **kwargs)
    for i, lr in enumerate(lrs):
        assert_same_run(traj.member(i), run(PlainGD(lr), ls, [2.0, -2.0], 50, **kwargs))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(1e-4, 0.5), min_size=1, max_size=6),
       st.lists(st.floats(0.1, 20.0), min_size=1, max_size=3))
def test_sweep_on_random_quadratics_matches_separate_runs(lrs, eigenvalues):
    q = Quadratic(eigenvalues=eigenvalues)
    x0 = np.linspace(1.0, -1.0, q.dim)
    traj = sweep(PlainGD, lrs, q, x0, 25, max_loss=1e12)
    for i, lr in enumerate(lrs):
        assert_same_run(traj.member(i), run(PlainGD(lr), q, x0, 25, max_loss=1e12))


@settings(max_examples=50, deadline=None)
@given(st.floats(0.01, 40.0), st.floats(0.0, 0.199), st.integers(1, 30))
def test_gradient_descent_loss_on_a_parabola_follows_the_closed_form(curvature, lr, steps):
    # f = c x^2 / 2 and x_{k} = (1 - lr c)^k x_0: the claim the book makes about quadratics.
    q = Quadratic(eigenvalues=[curvature])
    traj = run(PlainGD(lr), q, [1.0], steps)
    expected = 0.5 * curvature * (1 - lr * curvature) ** (2 * np.arange(steps + 1))
    np.testing.assert_allclose(traj.loss, expected, rtol=1e-12, atol=1e-300)


def test_sweep_of_a_thousand_rates_for_a_thousand_steps_is_fast():
    lrs = np.geomspace(1e-5, 1.0, 1000)
    start = time.perf_counter()
    traj = sweep(PlainGD, lrs, Rosenbrock(), [-1.5, 2.0], 1000)
    elapsed = time.perf_counter() - start
    assert traj.params.shape == (1001, 1000, 2)
    assert elapsed < 3.0  # about 0.1 s on the reference machine; generous for shared CPUs


def test_batch_of_start_points_runs_together():
    starts = np.array([[1.0, 1.0], [-1.0, 0.5], [0.2, -2.0]])
    traj = run(PlainGD(0.05), QUAD, starts, 20)
    assert traj.batch_shape == (3,) and traj.lr.shape == (20, 3)
    for i, x0 in enumerate(starts):
        np.testing.assert_array_equal(traj.params[:, i], naive_gd(QUAD, x0, 0.05, 20))


# ---------------------------------------------------------------------------- stochastic gradients

def test_noise_is_added_to_the_gradient_the_optimizer_sees_and_is_seeded():
    traj = run(PlainGD(0.1), QUAD, X0, 30, noise=0.5, seed=3)
    rng = np.random.default_rng(3)
    x = X0.copy()
    for k in range(30):
        x = x - 0.1 * (QUAD.grad(x) + 0.5 * rng.standard_normal(2))
        np.testing.assert_array_equal(traj.params[k + 1], x)
    # the recorded gradient norm is the exact one, not the noisy one
    np.testing.assert_array_equal(traj.grad_norm, np.sqrt((QUAD.grad(traj.params) ** 2).sum(axis=-1)))


def test_same_seed_same_run_and_other_seed_other_run():
    ls = LeastSquares.random(20, 2, seed=0)
    a, b, c = (run(PlainGD(0.1), ls, [1.0, 1.0], 40, noise=0.1, batch_size=4, seed=s) for s in (5, 5, 6))
    assert_same_run(a, b)
    assert not np.array_equal(a.params, c.params)


class LoggingSurface:
    """A finite-sum surface that records every minibatch it is asked for."""

    def __init__(self, inner):
        self.inner, self.seen = inner, []
        self.dim, self.n_samples, self.min_value = inner.dim, inner.n_samples, inner.min_value

    def f(self, x, idx=None):
        return self.inner.f(x, idx)

    def grad(self, x, idx=None):
        if idx is not None:
            self.seen.append(np.array(idx))
        return self.inner.grad(x, idx)


def test_minibatches_cover_every_sample_once_per_epoch_and_reshuffle():
    surface = LoggingSurface(LeastSquares.random(10, 2, seed=2))
    run(PlainGD(0.1), surface, [0.0, 0.0], 9, batch_size=3, seed=4)
    sizes = [len(i) for i in surface.seen]
    assert sizes == [3, 3, 3, 1, 3, 3, 3, 1, 3]
    first, second = np.concatenate(surface.seen[:4]), np.concatenate(surface.seen[4:8])
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert not np.array_equal(first, second)


def test_minibatch_run_matches_a_plain_loop_over_samples():
    ls = LeastSquares.random(12, 2, seed=7)
    traj = run(PlainGD(0.2), ls, [1.0, -1.0], 10, batch_size=5, seed=9)
    rng = np.random.default_rng(9)
    x, order, position = np.array([1.0, -1.0]), None, 12
    for k in range(10):
        if position >= 12:
            order, position = rng.permutation(12), 0
        idx = order[position:position + 5]
        position += 5
        grad = sum((ls.X[i] @ x - ls.y[i]) * ls.X[i] for i in idx) / len(idx)
        x = x - 0.2 * grad
        np.testing.assert_allclose(traj.params[k + 1], x, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(traj.loss, ls.f(traj.params), rtol=0, atol=0)


# ---------------------------------------------------------------------------- second-order rules

def test_second_order_rule_gets_the_surface_and_its_step_size_is_recorded():
    traj = run(ExactStepOnQuadratic(), QUAD, X0, 6)
    x = X0.copy()
    for k in range(6):
        g = QUAD.grad(x)
        size = (g @ g) / (g @ QUAD.matrix @ g)
        assert traj.lr[k] == pytest.approx(size, rel=1e-14)
        x = x - size * g
        np.testing.assert_allclose(traj.params[k + 1], x, rtol=1e-14, atol=1e-15)
    batch = run(ExactStepOnQuadratic(), QUAD, np.array([X0, -X0, [0.1, 2.0]]), 6)
    assert batch.lr.shape == (6, 3)
    np.testing.assert_array_equal(batch.lr[:, 0], traj.lr)


def test_library_newton_reaches_a_quadratic_minimum_in_one_step_with_rate_one():
    second_order = pytest.importorskip("lrlib.optimizers.second_order")
    traj = run(second_order.Newton(), QUAD, X0, 3)
    np.testing.assert_allclose(traj.params[1], QUAD.minimizer, atol=1e-15)
    np.testing.assert_array_equal(traj.lr, [1.0, 1.0, 1.0])


def test_bumpy_landscape_traps_plain_descent_but_not_momentum_or_a_large_rate():
    bumpy = BumpyLandscape()
    trapped = run(PlainGD(0.05), bumpy, [3.0], 500)
    rolled = run(HeavyBall(0.05, beta=0.9), bumpy, [3.0], 500)
    bold = run(PlainGD(0.5), bumpy, [3.0], 500)
    assert trapped.params[-1, 0] == pytest.approx(bumpy.local_minimizers[1], abs=1e-9)
    assert rolled.params[-1, 0] == pytest.approx(bumpy.minimizer[0], abs=1e-3)
    assert bold.params[-1, 0] == pytest.approx(bumpy.minimizer[0], abs=1e-9)


# ---------------------------------------------------------------------------- Trajectory helpers

def test_converged_at_finds_the_first_step_within_tolerance():
    traj = run(PlainGD(0.05), QUAD, X0, 200)
    k = traj.converged_at(1e-6)
    assert traj.loss[k] <= 1e-6 < traj.loss[k - 1]
    assert traj.converged_at(1e-300) is None
    assert traj.converged_at(traj.loss[0], target=0.0) == 0
    batch = sweep(PlainGD, [0.01, 0.05], QUAD, X0, 200)
    np.testing.assert_array_equal(batch.converged_at(1e-6), [-1, k])


def test_member_of_a_single_run_and_converged_at_without_minimum_raise():
    traj = run(PlainGD(0.05), QUAD, X0, 5)
    with pytest.raises(ValueError, match="index must be used on a batch"):
        traj.member(0)
    no_minimum = dataclasses.replace(traj, min_value=None)
    with pytest.raises(ValueError, match="target must be given when the surface's min_value is unknown"):
        no_minimum.converged_at(1e-3)


def test_trajectory_checks_its_shapes():
    with pytest.raises(ValueError, match="lr must be an array with 2 rows"):
        Trajectory(params=[[0.0], [1.0], [2.0]], loss=[0, 1, 2], lr=[0.1], grad_norm=[0, 1, 2],
                   diverged_at=None, steps=2)


# ---------------------------------------------------------------------------- invalid arguments

@dataclasses.dataclass(frozen=True)
class NotAnOptimizer:
    lr: float = 0.1


INVALID = [
    (lambda: run(NotAnOptimizer(), QUAD, X0, 5), TypeError,
     "optimizer must be an object with init(params) and step(params, grads, state); "
     "got optimizer=NotAnOptimizer(lr=0.1) (NotAnOptimizer)"),
    (lambda: run(PlainGD(0.1), "bowl", X0, 5), TypeError,
     "surface must be an object with dim, f(x) and grad(x); got surface='bowl' (str)"),
    (lambda: run(PlainGD(0.1), QUAD, X0, -1), ValueError, "steps must be an integer >= 0; got steps=-1"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 2.0), TypeError, "steps must be an integer; got steps=2.0 (float)"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, noise=-0.1), ValueError,
     "noise must be a finite number >= 0; got noise=-0.1"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, noise=float("nan")), ValueError,
     "noise must be a finite number >= 0; got noise=nan"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, seed=-1), ValueError, "seed must be an integer >= 0; got seed=-1"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, max_loss=0.0), ValueError,
     "max_loss must be a number > 0 (inf to disable); got max_loss=0.0"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, max_loss=float("nan")), ValueError,
     "max_loss must be a number > 0 (inf to disable); got max_loss=nan"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, max_loss="big"), TypeError,
     "max_loss must be a real number; got max_loss='big' (str)"),
    (lambda: run(PlainGD(0.1), QUAD, [1.0, 2.0, 3.0], 5), ValueError,
     "x0 must be finite real numbers of shape (..., 2); got x0=[1.0, 2.0, 3.0]"),
    (lambda: run(PlainGD(0.1), QUAD, [1.0, float("nan")], 5), ValueError,
     "x0 must be finite real numbers of shape (..., 2); got x0=[1.0, nan]"),
    (lambda: run(PlainGD(np.array([0.1, 0.2, 0.3])), QUAD, X0, 5), ValueError,
     "lr must be an array broadcasting against x0 of shape (2,) with last axis 1 or 2 "
     "(use shape (K, 1) for K values); got lr=array([0.1, 0.2, 0.3])"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, batch_size=4), ValueError,
     "batch_size must be None for a surface without n_samples (Quadratic); got batch_size=4"),
    (lambda: run(PlainGD(0.1), LeastSquares.random(8), X0, 5, batch_size=9), ValueError,
     "batch_size must be an integer in [1, 8]; got batch_size=9"),
    (lambda: run(PlainGD(0.1), QUAD, X0, 5, record_grad_norm="no"), TypeError,
     "record_grad_norm must be True or False; got record_grad_norm='no' (str)"),
    (lambda: sweep(PlainGD, [0.1, -0.1], QUAD, X0, 5), ValueError,
     "lrs must be finite and >= 0 everywhere; got lrs=[0.1, -0.1]"),
    (lambda: sweep(PlainGD, 0.1, QUAD, X0, 5), ValueError,
     "lrs must be a non-empty 1-D array of finite numbers >= 0; got lrs=0.1"),
    (lambda: sweep(PlainGD, [0.1], QUAD, [X0, X0], 5), ValueError,
     "x0 must be a single start point (a 1-D array) in a sweep; got x0=[array([ 1.5, -1. ]), array([ 1.5, -1. ])]"),
    (lambda: sweep("SGD", [0.1], QUAD, X0, 5), TypeError,
     "make_optimizer must be a callable lr_column -> optimizer; got make_optimizer='SGD' (str)"),
]


@pytest.mark.parametrize("call, error, message", INVALID, ids=[m[:60] for _, _, m in INVALID])
def test_invalid_arguments_raise_with_exact_message(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_sweep_rejects_a_maker_that_ignores_its_rate():
    with pytest.raises(ValueError, match=r"make_optimizer must be a callable that uses its argument \(shape \(2, 1\)\) as lr"):
        sweep(lambda lr: PlainGD(0.1), [0.1, 0.2], QUAD, X0, 5)


def test_head_is_a_shorter_run_with_the_same_numbers():
    valley = Rosenbrock()
    start = np.array([-1.2, 1.0])
    batch = sweep(SGD, [1e-4, 1e-3, 0.05], valley, start, 300)
    for i, eta in enumerate([1e-4, 1e-3, 0.05]):
        for steps in (0, 7, 300):
            own = run(SGD(eta), valley, start, steps)
            head = batch.member(i).head(steps)
            for name in ("params", "loss", "lr", "grad_norm"):
                np.testing.assert_array_equal(getattr(head, name), getattr(own, name))
            assert (head.diverged_at, head.steps) == (own.diverged_at, own.steps)
    assert batch.member(2).diverged  # the case of a run that ends before the head's end
    with pytest.raises(ValueError, match="steps must be"):
        batch.member(0).head(301)
    with pytest.raises(ValueError, match="used on a single run"):
        batch.head(10)


class CountingSurface:
    """A finite-sum surface that counts its full-gradient evaluations."""

    def __init__(self, surface):
        self.surface, self.full_gradients = surface, 0
        self.dim, self.n_samples = surface.dim, surface.n_samples

    def f(self, x, idx=None):
        return self.surface.f(x, idx)

    def grad(self, x, idx=None):
        self.full_gradients += idx is None
        return self.surface.grad(x, idx)


@pytest.mark.parametrize("lr", [0.05, np.array([[0.01], [0.05], [3.0]])], ids=["single", "batch"])
def test_without_gradient_norms_a_minibatch_run_skips_the_full_gradient(lr):
    data = LeastSquares.random(40, dim=3, seed=1)
    kwargs = dict(batch_size=8, seed=2, max_loss=1e6)
    full = run(PlainGD(lr), CountingSurface(data), np.zeros(3), 60, **kwargs)
    counted = CountingSurface(data)
    lean = run(PlainGD(lr), counted, np.zeros(3), 60, record_grad_norm=False, **kwargs)
    for name in ("params", "loss", "lr"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(full, name))
    np.testing.assert_array_equal(lean.diverged_at, full.diverged_at)
    assert np.isnan(lean.grad_norm).all() and not np.isnan(full.grad_norm[0]).any()
    assert counted.full_gradients == 0
    if np.ndim(lr):
        assert full.diverged_at[2] > 0  # the case of a member that diverges


def test_without_gradient_norms_a_full_batch_run_gives_the_same_iterates():
    full = run(PlainGD(0.1), QUAD, X0, 20)
    lean = run(PlainGD(0.1), QUAD, X0, 20, record_grad_norm=False)
    np.testing.assert_array_equal(lean.params, full.params)
    np.testing.assert_array_equal(lean.loss, full.loss)
    assert np.isnan(lean.grad_norm).all()
