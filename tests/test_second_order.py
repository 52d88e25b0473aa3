"""Tests of lrlib.optimizers.second_order and line_search: Newton, line searches, BFGS.

The independent references are deliberately plain transcriptions of the textbook formulas
(Python loops over floats), kept apart from the vectorised code under test.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib import surfaces
from lrlib.optimizers.line_search import (
    BacktrackingLineSearch,
    ExactLineSearch,
    armijo_holds,
    wolfe_holds,
)
from lrlib.optimizers.second_order import BFGS, Newton

SETTINGS = settings(max_examples=50, deadline=None, database=None)


# --------------------------------------------------------------------------------------------
# Local test surfaces (vectorised over leading axes, like lrlib.surfaces)


class Quadratic:
    """f(x) = x.A x / 2 - b.x, minimiser A^{-1} b."""

    def __init__(self, A, b=None):
        self.A = np.asarray(A, dtype=float)
        self.b = np.zeros(len(self.A)) if b is None else np.asarray(b, dtype=float)
        self.minimizer = np.linalg.solve(self.A, self.b)

    def f(self, x):
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b

    def grad(self, x):
        return x @ self.A.T - self.b

    def hessian(self, x):
        return np.broadcast_to(self.A, np.shape(x) + self.A.shape[-1:])


class Rosenbrock:
    """f(x, y) = (a - x)^2 + b (y - x^2)^2, minimiser (a, a^2)."""

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = a, b
        self.minimizer = np.array([a, a * a])

    def f(self, x):
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u * u) ** 2

    def grad(self, x):
        u, v = x[..., 0], x[..., 1]
        return np.stack([-2 * (self.a - u) - 4 * self.b * u * (v - u * u),
                         2 * self.b * (v - u * u)], axis=-1)

    def hessian(self, x):
        u, v = x[..., 0], x[..., 1]
        row0 = np.stack([2 - 4 * self.b * (v - 3 * u * u), -4 * self.b * u], axis=-1)
        row1 = np.stack([-4 * self.b * u, np.full_like(u, 2 * self.b)], axis=-1)
        return np.stack([row0, row1], axis=-2)


class CoshBowl:
    """Smooth, strictly convex, not quadratic: f(x) = sum cosh(x - m) + (x - m).A (x - m) / 2."""

    def __init__(self, m, A):
        self.minimizer = np.asarray(m, dtype=float)
        self.A = np.asarray(A, dtype=float)

    def f(self, x):
        z = x - self.minimizer
        return np.sum(np.cosh(z), -1) + 0.5 * np.einsum("...i,ij,...j->...", z, self.A, z)

    def grad(self, x):
        z = x - self.minimizer
        return np.sinh(z) + z @ self.A.T

    def hessian(self, x):
        z = x - self.minimizer
        return np.cosh(z)[..., :, None] * np.eye(len(self.A)) + self.A


class Saddle:
    """f(x, y) = x^2 - y^2: a saddle point at 0, Hessian diag(2, -2)."""

    minimizer = None

    def f(self, x):
        return x[..., 0] ** 2 - x[..., 1] ** 2

    def grad(self, x):
        return np.stack([2 * x[..., 0], -2 * x[..., 1]], axis=-1)

    def hessian(self, x):
        return np.broadcast_to(np.diag([2.0, -2.0]), np.shape(x) + (2,))


class Function1D:
    """A one-dimensional surface from scalar callables f, f', f''."""

    def __init__(self, f, df, d2f):
        self._f, self._df, self._d2f = f, df, d2f

    def f(self, x):
        return self._f(x[..., 0])

    def grad(self, x):
        return self._df(x[..., 0])[..., None]

    def hessian(self, x):
        return self._d2f(x[..., 0])[..., None, None]


PARABOLA = Function1D(lambda x: x * x, lambda x: 2 * x, lambda x: 2 * np.ones_like(x))
ROSENBROCK = Rosenbrock()
ROSENBROCK_START = np.array([-1.2, 1.0])


def run(rule, surface, x0, steps):
    """Iterates x_0..x_steps and the states after each update."""
    x, state = np.asarray(x0, dtype=float), rule.init(x0)
    xs, states = [x], []
    for _ in range(steps):
        x, state = rule.step(x, surface.grad(x), state, surface)
        xs.append(x)
        states.append(state)
    return np.array(xs), states


# --------------------------------------------------------------------------------------------
# Naive references: the formulas, transcribed with Python loops


def naive_solve(matrix, vector):
    """Gaussian elimination with partial pivoting, on lists of floats."""
    n = len(vector)
    rows = [[float(matrix[i][j]) for j in range(n)] + [float(vector[i])] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, n):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, n + 1):
                rows[r][c] -= factor * rows[col][c]
    solution = [0.0] * n
    for r in reversed(range(n)):
        total = rows[r][n] - sum(rows[r][c] * solution[c] for c in range(r + 1, n))
        solution[r] = total / rows[r][r]
    return solution


def naive_newton_step(x, g, hessian, lr=1.0, damping=0.0):
    n = len(x)
    damped = [[hessian[i][j] + (damping if i == j else 0.0) for j in range(n)] for i in range(n)]
    direction = naive_solve(damped, g)
    return [x[i] - lr * direction[i] for i in range(n)]


def naive_backtracking(f, x, g, p, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=60):
    """(step length, accepted, evaluations) of the backtracking search, one point."""
    slope = sum(gi * pi for gi, pi in zip(g, p))
    if slope >= 0 and any(pi != 0 for pi in p):
        return 0.0, False, 0  # not a descent direction: no search
    f_start = f(x)
    a = lr0
    for k in range(max_shrinks + 1):
        trial = [xi + a * pi for xi, pi in zip(x, p)]
        if f(trial) <= f_start + c1 * a * slope:
            return a, True, k + 1
        a = a * shrink
    return 0.0, False, max_shrinks + 1


def naive_bfgs_update(H, s, y):
    """(I - rho s y^T) H (I - rho y s^T) + rho s s^T with explicit loops."""
    n = len(s)
    rho = 1.0 / sum(y[i] * s[i] for i in range(n))
    left = [[(1.0 if i == j else 0.0) - rho * s[i] * y[j] for j in range(n)] for i in range(n)]
    right = [[(1.0 if i == j else 0.0) - rho * y[i] * s[j] for j in range(n)] for i in range(n)]
    middle = [[sum(left[i][k] * H[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    return [[sum(middle[i][k] * right[k][j] for k in range(n)) + rho * s[i] * s[j]
             for j in range(n)] for i in range(n)]


def naive_exact_step(g, A):
    n = len(g)
    numerator = sum(g[i] * g[i] for i in range(n))
    denominator = sum(g[i] * A[i][j] * g[j] for i in range(n) for j in range(n))
    return numerator / denominator


def scalar_f(surface):
    return lambda point: float(surface.f(np.array(point)))


# --------------------------------------------------------------------------------------------
# Newton


def test_newton_first_step_on_rosenbrock_matches_hand_computation():
    # g = (-215.6, -88), H = [[1330, 480], [480, 200]], det H = 35600, so
    # H^{-1} g = (-880, -13552) / 35600 = (-11/445, -847/2225).
    x1, state = Newton().step(ROSENBROCK_START, ROSENBROCK.grad(ROSENBROCK_START),
                              Newton().init(ROSENBROCK_START), ROSENBROCK)
    np.testing.assert_allclose(x1, [-1.2 + 11 / 445, 1 + 847 / 2225], rtol=1e-14)
    assert state.t == 1 and state.step_size == 1.0 and state.positive_definite is True


def test_newton_in_one_dimension_is_gradient_descent_with_lr_one_over_f_second():
    # f(x) = cosh(x) + x: from 0, f' = 1 and f'' = 1, so the step goes to -1.
    surface = Function1D(lambda x: np.cosh(x) + x, lambda x: np.sinh(x) + 1, np.cosh)
    newton = Newton()
    x1, _ = newton.step(np.array([0.0]), surface.grad(np.array([0.0])), newton.init([0.0]),
                        surface)
    assert x1.tolist() == [-1.0]
    for x in (-2.0, -0.3, 0.7, 1.5):
        point = np.array([x])
        x_next, _ = newton.step(point, surface.grad(point), newton.init(point), surface)
        eta = 1.0 / math.cosh(x)
        assert x_next[0] == pytest.approx(x - eta * (math.sinh(x) + 1), rel=1e-15, abs=1e-15)


def test_newton_reaches_the_minimiser_of_a_quadratic_in_exactly_one_step():
    rng = np.random.default_rng(0)
    for d in (1, 2, 5):
        for _ in range(5):
            M = rng.normal(size=(d, d))
            surface = Quadratic(M @ M.T + 0.5 * np.eye(d), rng.normal(size=d))
            x0 = rng.normal(size=d) * 10
            x1, _ = Newton().step(x0, surface.grad(x0), Newton().init(x0), surface)
            error = np.abs(x1 - surface.minimizer).max()
            assert error <= 1e-12 * max(1.0, np.abs(surface.minimizer).max())


@SETTINGS
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=2),
       st.floats(0.1, 2.0), st.floats(0.0, 3.0))
def test_newton_step_matches_a_plain_transcription(x0, lr, damping):
    x0 = np.array(x0)
    rule = Newton(lr=lr, damping=damping)
    ours, _ = rule.step(x0, ROSENBROCK.grad(x0), rule.init(x0), ROSENBROCK)
    matrix = ROSENBROCK.hessian(x0).tolist()
    if abs(np.linalg.det(np.array(matrix) + damping * np.eye(2))) < 1e-6:
        return  # too close to singular for a fair comparison
    naive = naive_newton_step(x0.tolist(), ROSENBROCK.grad(x0).tolist(), matrix, lr, damping)
    np.testing.assert_allclose(ours, naive, rtol=1e-9, atol=1e-9)


def test_newton_converges_quadratically_on_a_smooth_strictly_convex_function():
    surface = CoshBowl(m=[0.5, -1.0, 2.0], A=[[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 0.5]])
    xs, _ = run(Newton(), surface, np.array([2.0, 0.5, 0.0]), 8)
    errors = np.linalg.norm(xs - surface.minimizer, axis=1)
    assert errors[-1] <= 1e-15
    measured = [(e_next / e**2) for e, e_next in zip(errors, errors[1:]) if e_next > 1e-13]
    # e_{k+1} <= C e_k^2 with one modest C over the whole run, and the ratio e_{k+1}/e_k -> 0.
    assert len(measured) >= 3
    assert max(measured) < 0.2  # measured: 0.13, 0.14, 0.035, 2e-4
    linear = [e_next / e for e, e_next in zip(errors, errors[1:]) if e_next > 1e-13]
    assert linear[-1] < 1e-3 and all(b < a for a, b in zip(linear, linear[1:]))


def test_newton_with_lr_below_one_converges_only_linearly_at_rate_one_minus_lr():
    surface = CoshBowl(m=[1.0, 1.0], A=np.eye(2))
    xs, _ = run(Newton(lr=0.5), surface, np.array([1.5, 0.2]), 30)
    errors = np.linalg.norm(xs - surface.minimizer, axis=1)
    assert errors[30] / errors[29] == pytest.approx(0.5, rel=1e-6)


def test_newton_handles_a_batch_of_points_and_an_array_of_learning_rates():
    points = np.array([[-1.2, 1.0], [0.0, 0.0], [2.0, 3.0]])
    lrs = np.array([[1.0], [0.5], [0.25]])
    rule = Newton(lr=lrs)
    batch, state = rule.step(points, ROSENBROCK.grad(points), rule.init(points), ROSENBROCK)
    for i, point in enumerate(points):
        single = Newton(lr=float(lrs[i, 0]))
        alone, _ = single.step(point, ROSENBROCK.grad(point), single.init(point), ROSENBROCK)
        np.testing.assert_allclose(batch[i], alone, rtol=1e-14)
    assert state.positive_definite.tolist() == [True, True, True]
    np.testing.assert_array_equal(state.step_size, lrs)


def test_newton_uses_a_schedule_at_the_update_number():
    surface = Quadratic(np.diag([1.0, 3.0]))
    rule = Newton(lr=lambda n: 1.0 / (n + 2))
    xs, states = run(rule, surface, np.array([4.0, -4.0]), 3)
    assert [s.step_size for s in states] == [0.5, 1 / 3, 0.25]
    np.testing.assert_allclose(xs[1], xs[0] * 0.5)
    np.testing.assert_allclose(xs[3], xs[0] * 0.5 * (2 / 3) * 0.75)


def test_newton_on_an_indefinite_hessian_steps_to_the_saddle_and_records_it():
    x0 = np.array([0.2, 1.0])
    x1, state = Newton().step(x0, Saddle().grad(x0), Newton().init(x0), Saddle())
    np.testing.assert_array_equal(x1, [0.0, 0.0])
    assert state.positive_definite is False
    assert Saddle().f(x1) > Saddle().f(x0)  # uphill: from -0.96 to 0


def test_newton_indefinite_raise_refuses_the_step():
    rule = Newton(indefinite="raise")
    x0 = np.array([1.0, 0.5])
    with pytest.raises(ValueError, match=r"^params must be a point where H \+ damping\*I is "
                                         r"positive definite \(Newton\(indefinite='raise'\)\); "
                                         r"got params=array\(\[1\. , 0\.5\]\)$"):
        rule.step(x0, Saddle().grad(x0), rule.init(x0), Saddle())


def test_newton_damping_beyond_the_negative_eigenvalue_gives_a_descent_step():
    rule = Newton(damping=3.0)  # H + 3 I = diag(5, 1)
    x0 = np.array([1.0, 0.5])
    x1, state = rule.step(x0, Saddle().grad(x0), rule.init(x0), Saddle())
    np.testing.assert_allclose(x1, [1.0 - 2.0 / 5.0, 0.5 + 1.0 / 1.0])
    assert state.positive_definite is True
    assert Saddle().f(x1) < Saddle().f(x0)


def test_newton_at_a_singular_hessian_raises_naming_params():
    flat = Function1D(lambda x: x**4, lambda x: 4 * x**3, lambda x: 12 * x**2)
    with pytest.raises(ValueError, match=r"^params must be a point where the Hessian \(plus "
                                         r"damping\) is invertible; got params=array\(\[0\.\]\)$"):
        Newton().step(np.array([0.0]), np.array([0.0]), Newton().init([0.0]), flat)


# --------------------------------------------------------------------------------------------
# Backtracking line search


def test_backtracking_first_step_on_a_parabola_halves_once():
    # f = x^2 at 1: a = 1 lands on -1 (f = 1, no decrease), a = 1/2 lands on 0.
    rule = BacktrackingLineSearch()
    x1, state = rule.step(np.array([1.0]), np.array([2.0]), rule.init([1.0]), PARABOLA)
    assert x1.tolist() == [0.0]
    assert (state.step_size, state.evaluations, state.armijo_ok) == (0.5, 2, True)


def test_backtracking_first_step_on_rosenbrock_matches_a_plain_loop():
    rule = BacktrackingLineSearch()
    g = ROSENBROCK.grad(ROSENBROCK_START)
    x1, state = rule.step(ROSENBROCK_START, g, rule.init(ROSENBROCK_START), ROSENBROCK)
    a, accepted, evaluations = naive_backtracking(
        scalar_f(ROSENBROCK), ROSENBROCK_START.tolist(), g.tolist(), (-g).tolist())
    # |g| = 233: the trials 1, 1/2, ..., 2^-9 overshoot; 2^-10 is the first accepted.
    assert (a, accepted, evaluations) == (2.0**-10, True, 11)
    assert (state.step_size, state.armijo_ok, state.evaluations) == (a, accepted, evaluations)
    np.testing.assert_array_equal(x1, ROSENBROCK_START - a * g)


@SETTINGS
@given(st.lists(st.floats(-2, 2), min_size=2, max_size=2), st.floats(0.01, 10.0),
       st.floats(0.1, 0.9), st.floats(1e-4, 0.5))
def test_backtracking_matches_the_plain_loop_and_satisfies_armijo(x0, lr0, shrink, c1):
    x0 = np.array(x0)
    rule = BacktrackingLineSearch(lr0=lr0, shrink=shrink, c1=c1, c2=0.9)
    g = ROSENBROCK.grad(x0)
    x1, state = rule.step(x0, g, rule.init(x0), ROSENBROCK)
    expected = naive_backtracking(scalar_f(ROSENBROCK), x0.tolist(), g.tolist(), (-g).tolist(),
                                  lr0, shrink, c1)
    assert (state.step_size, state.armijo_ok, state.evaluations) == expected
    if state.armijo_ok:
        assert ROSENBROCK.f(x1) <= ROSENBROCK.f(x0) - c1 * state.step_size * (g @ g)
        assert armijo_holds(ROSENBROCK.f, ROSENBROCK.grad, x0, -g, state.step_size, c1)


def test_backtracking_satisfies_armijo_at_every_accepted_step_of_a_run():
    for direction in ("gradient", "newton"):
        rule = BacktrackingLineSearch(direction=direction)
        xs, states = run(rule, ROSENBROCK, ROSENBROCK_START, 200)
        for x, x_next, state in zip(xs, xs[1:], states):
            assert state.armijo_ok is True
            g = ROSENBROCK.grad(x)
            p = (x_next - x) / state.step_size
            assert ROSENBROCK.f(x_next) <= ROSENBROCK.f(x) + 1e-4 * state.step_size * (g @ p)
        assert ROSENBROCK.f(xs[-1]) < ROSENBROCK.f(xs[0]) / 100


def test_backtracking_with_newton_direction_converges_and_ends_with_full_steps():
    xs, states = run(BacktrackingLineSearch(direction="newton"), ROSENBROCK, ROSENBROCK_START, 25)
    assert np.abs(xs[-1] - ROSENBROCK.minimizer).max() < 1e-12
    assert [s.step_size for s in states[-5:]] == [1.0] * 5


@pytest.mark.parametrize("lr0, wolfe, strong", [
    (0.02, False, False),  # lands at 0.96: slope -3.84 < 0.9 * -4, still steep
    (0.5, True, True),     # lands on the minimiser, slope 0
    (0.97, True, False),   # lands at -0.94: slope +3.76, past the bottom by more than 0.9 * 4
])
def test_wolfe_flags_on_constructed_steps(lr0, wolfe, strong):
    rule = BacktrackingLineSearch(lr0=lr0, max_shrinks=0)
    x1, state = rule.step(np.array([1.0]), np.array([2.0]), rule.init([1.0]), PARABOLA)
    assert x1[0] == pytest.approx(1 - 2 * lr0)
    assert (state.armijo_ok, state.wolfe_ok, state.strong_wolfe_ok) == (True, wolfe, strong)
    p = np.array([-2.0])
    assert wolfe_holds(PARABOLA.f, PARABOLA.grad, np.array([1.0]), p, lr0) is wolfe
    assert wolfe_holds(PARABOLA.f, PARABOLA.grad, np.array([1.0]), p, lr0, strong=True) is strong


def test_wolfe_curvature_condition_boundary_is_inclusive():
    # a = 0.05 lands at 0.9: slope 1.8 * -2 = -3.6 = 0.9 * -4 exactly.
    assert wolfe_holds(PARABOLA.f, PARABOLA.grad, np.array([1.0]), np.array([-2.0]), 0.05)


def test_backtracking_that_finds_no_sufficient_decrease_does_not_move():
    rule = BacktrackingLineSearch(lr0=1.5, max_shrinks=0)  # 1 - 3 = -2: f rises from 1 to 4
    x1, state = rule.step(np.array([1.0]), np.array([2.0]), rule.init([1.0]), PARABOLA)
    assert x1.tolist() == [1.0]
    assert (state.step_size, state.armijo_ok, state.wolfe_ok, state.strong_wolfe_ok,
            state.evaluations) == (0.0, False, False, False, 1)


def test_backtracking_rejects_overflowing_trials_without_warnings():
    # f = exp(x^2) at -3: the first trials land near 5e4, where exp overflows to inf.
    steep = Function1D(lambda x: np.exp(x * x), lambda x: 2 * x * np.exp(x * x),
                       lambda x: (2 + 4 * x * x) * np.exp(x * x))
    rule = BacktrackingLineSearch()
    x0 = np.array([-3.0])
    x1, state = rule.step(x0, steep.grad(x0), rule.init(x0), steep)
    expected = naive_backtracking(lambda p: math.exp(min(p[0] ** 2, 700.0)) if p[0] ** 2 < 700
                                  else math.inf, [-3.0], steep.grad(x0).tolist(),
                                  (-steep.grad(x0)).tolist())
    assert (state.step_size, state.armijo_ok, state.evaluations) == expected
    assert state.armijo_ok and steep.f(x1) < steep.f(x0)


def test_backtracking_handles_a_batch_point_by_point():
    points = np.array([[-1.2, 1.0], [0.5, 0.5], [1.0, 1.0]])
    rule = BacktrackingLineSearch()
    batch, state = rule.step(points, ROSENBROCK.grad(points), rule.init(points), ROSENBROCK)
    for i, point in enumerate(points):
        alone, single = rule.step(point, ROSENBROCK.grad(point), rule.init(point), ROSENBROCK)
        np.testing.assert_array_equal(batch[i], alone)
        assert state.step_size[i] == single.step_size
        assert state.evaluations[i] == single.evaluations
        assert state.wolfe_ok[i] == single.wolfe_ok
    assert state.step_size.shape == (3,) and state.armijo_ok.dtype == bool


def test_armijo_holds_matches_the_condition_written_out():
    x, p = np.array([0.3, -0.4]), np.array([1.0, 2.0])
    for a in (0.0, 0.01, 0.1, 0.5, 1.0):
        left = float(ROSENBROCK.f(x + a * p))
        right = float(ROSENBROCK.f(x)) + 1e-4 * a * float(ROSENBROCK.grad(x) @ p)
        assert armijo_holds(ROSENBROCK.f, ROSENBROCK.grad, x, p, a) is (left <= right)


# --------------------------------------------------------------------------------------------
# Exact line search


def test_exact_line_search_step_matches_g_dot_g_over_g_dot_a_g():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    surface, x0 = Quadratic(A, [1.0, -1.0]), np.array([2.0, 1.0])
    g = surface.grad(x0)  # (6, 5): g.g = 61, g.A g = 108 + 60 + 50 = 218
    x1, state = ExactLineSearch().step(x0, g, ExactLineSearch().init(x0), surface)
    assert state.step_size == pytest.approx(61 / 218, rel=1e-15)
    assert state.step_size == pytest.approx(naive_exact_step(g.tolist(), A.tolist()), rel=1e-15)
    np.testing.assert_allclose(x1, x0 - 61 / 218 * g, rtol=1e-15)


def test_exact_line_search_zig_zags_with_orthogonal_successive_gradients():
    surface = Quadratic(np.array([[10.0, 2.0], [2.0, 1.0]]), [1.0, 1.0])
    xs, _ = run(ExactLineSearch(), surface, np.array([3.0, -4.0]), 12)
    grads = surface.grad(xs)
    for g, g_next in zip(grads, grads[1:-1]):
        cosine = (g @ g_next) / (np.linalg.norm(g) * np.linalg.norm(g_next))
        assert abs(cosine) < 1e-9
    # Every other direction is parallel: the path alternates between two directions.
    cosine_two_apart = (grads[0] @ grads[2]) / (np.linalg.norm(grads[0]) * np.linalg.norm(grads[2]))
    assert cosine_two_apart == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("kappa", [2.0, 10.0, 100.0])
def test_exact_line_search_matches_the_closed_form_rate_on_the_worst_start(kappa):
    surface = Quadratic(np.diag([1.0, kappa]))
    xs, _ = run(ExactLineSearch(), surface, np.array([kappa, 1.0]), 10)
    values = surface.f(xs)
    np.testing.assert_allclose(values[1:] / values[:-1], ((kappa - 1) / (kappa + 1)) ** 2,
                               rtol=1e-10)


@SETTINGS
@given(st.floats(1.0, 50.0), st.floats(-3, 3), st.floats(-3, 3))
def test_exact_line_search_never_does_worse_than_the_closed_form_rate(kappa, u, v):
    if abs(u) + abs(v) < 1e-3:
        return
    surface = Quadratic(np.diag([1.0, kappa]))
    x0 = np.array([u, v])
    x1, _ = ExactLineSearch().step(x0, surface.grad(x0), ExactLineSearch().init(x0), surface)
    bound = ((kappa - 1) / (kappa + 1)) ** 2
    assert surface.f(x1) <= (bound + 1e-14) * surface.f(x0)


def test_exact_line_search_stays_put_at_a_stationary_point():
    surface = Quadratic(np.diag([1.0, 2.0]))
    x1, state = ExactLineSearch().step(np.zeros(2), np.zeros(2), ExactLineSearch().init([0, 0]),
                                       surface)
    assert x1.tolist() == [0.0, 0.0] and state.step_size == 0.0


def test_exact_line_search_refuses_negative_curvature():
    x0 = np.array([0.0, 1.0])
    with pytest.raises(ValueError, match=r"^params must be a point where g\.A g > 0"):
        ExactLineSearch().step(x0, Saddle().grad(x0), ExactLineSearch().init(x0), Saddle())


# --------------------------------------------------------------------------------------------
# BFGS


def test_bfgs_reaches_the_rosenbrock_minimum_in_fewer_than_50_updates_with_full_steps_at_the_end():
    xs, states = run(BFGS(), ROSENBROCK, ROSENBROCK_START, 60)
    errors = np.linalg.norm(xs - ROSENBROCK.minimizer, axis=1)
    reached = int(np.argmax(errors <= 1e-8))
    assert errors[reached] <= 1e-8 and reached < 50
    # The accepted step length tends to 1: once the iterate is within 0.1 of the minimiser,
    # every update takes the full step (the last 8 before arrival, and all after).
    near = int(np.argmax(errors < 0.1))
    assert reached - near >= 8
    assert [s.step_size for s in states[near:]] == [1.0] * (60 - near)
    # ... while the first update had to backtrack far (H0 = I, |g| = 233).
    assert states[0].step_size == 2.0**-10
    assert all(s.armijo_ok for s in states)


def test_bfgs_first_update_matches_the_plain_formula():
    rule = BFGS()
    g = ROSENBROCK.grad(ROSENBROCK_START)
    x1, state = rule.step(ROSENBROCK_START, g, rule.init(ROSENBROCK_START), ROSENBROCK)
    a, _, evaluations = naive_backtracking(scalar_f(ROSENBROCK), ROSENBROCK_START.tolist(),
                                           g.tolist(), (-g).tolist())
    assert (state.step_size, state.evaluations) == (a, evaluations)
    np.testing.assert_array_equal(x1, ROSENBROCK_START - a * g)
    s, y = (x1 - ROSENBROCK_START).tolist(), (ROSENBROCK.grad(x1) - g).tolist()
    expected = naive_bfgs_update(np.eye(2).tolist(), s, y)
    np.testing.assert_allclose(state.inverse_hessian, expected, rtol=1e-12, atol=1e-15)


@SETTINGS
@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3), st.integers(0, 2**32 - 1))
def test_bfgs_keeps_the_inverse_hessian_symmetric_positive_definite_and_secant(x0, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(3, 3))
    surface = Quadratic(M @ M.T + 0.1 * np.eye(3), rng.normal(size=3))
    x, rule = np.array(x0), BFGS()
    state = rule.init(x)
    for _ in range(3):
        x_next, state = rule.step(x, surface.grad(x), state, surface)
        H, s, y = state.inverse_hessian, x_next - x, surface.grad(x_next) - surface.grad(x)
        if state.updated:
            np.testing.assert_allclose(H @ y, s, rtol=1e-6, atol=1e-9 * (1 + np.abs(s).max()))
        np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-12 * np.abs(H).max())
        assert np.linalg.eigvalsh((H + H.T) / 2)[0] > 0
        x = x_next


def test_bfgs_skips_the_update_when_y_dot_s_is_not_positive():
    # f = cos(x) from 0.5 along -g = sin(0.5): the step a = 1 decreases f, but the slope
    # keeps falling (concave region), so y.s < 0.
    surface = Function1D(np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x))
    rule = BFGS()
    x0 = np.array([0.5])
    x1, state = rule.step(x0, surface.grad(x0), rule.init(x0), surface)
    assert state.step_size == 1.0 and state.armijo_ok is True
    assert (x1[0] - 0.5) * (-math.sin(x1[0]) + math.sin(0.5)) < 0
    assert state.updated is False
    np.testing.assert_array_equal(state.inverse_hessian, [[1.0]])


def test_bfgs_stays_put_once_the_gradient_is_exactly_zero():
    rule = BFGS()
    x = np.array([1.0, 1.0])
    x1, state = rule.step(x, ROSENBROCK.grad(x), rule.init(x), ROSENBROCK)
    assert x1.tolist() == [1.0, 1.0]
    assert (state.step_size, state.armijo_ok, state.updated) == (1.0, True, False)


def test_bfgs_initial_inverse_hessian_options():
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(BFGS().init(x).inverse_hessian, np.eye(2))
    np.testing.assert_array_equal(BFGS(H0=0.01).init(x).inverse_hessian, 0.01 * np.eye(2))
    matrix = np.array([[2.0, 0.5], [0.5, 1.0]])
    state = BFGS(H0=matrix).init(np.zeros((4, 2)))
    assert state.inverse_hessian.shape == (4, 2, 2)
    np.testing.assert_array_equal(state.inverse_hessian[3], matrix)
    rule = BFGS(H0=matrix)
    matrix[0, 0] = 99.0  # the rule keeps its own copy, as a hashable tuple of rows
    assert rule.H0 == ((2.0, 0.5), (0.5, 1.0)) and rule == BFGS(H0=rule.H0)
    assert hash(rule) == hash(BFGS(H0=[[2.0, 0.5], [0.5, 1.0]]))


def test_bfgs_with_the_exact_inverse_hessian_is_newton_on_a_quadratic():
    A = np.array([[4.0, 1.0], [1.0, 3.0]])
    surface, x0 = Quadratic(A, [1.0, 2.0]), np.array([5.0, -5.0])
    rule = BFGS(H0=np.linalg.inv(A))
    x1, state = rule.step(x0, surface.grad(x0), rule.init(x0), surface)
    np.testing.assert_allclose(x1, surface.minimizer, rtol=1e-12)
    assert state.step_size == 1.0 and state.wolfe_ok and state.strong_wolfe_ok


def test_bfgs_handles_a_batch_point_by_point():
    points = np.array([[-1.2, 1.0], [0.0, 0.5], [2.0, 2.0]])
    rule = BFGS()
    batch_xs, batch_states = run(rule, ROSENBROCK, points, 15)
    for i, point in enumerate(points):
        xs, states = run(rule, ROSENBROCK, point, 15)
        np.testing.assert_allclose(batch_xs[:, i], xs, rtol=1e-12, atol=1e-15)
        assert [s.step_size for s in states] == [s.step_size[i] for s in batch_states]


def test_bfgs_refuses_params_of_another_shape_than_at_init():
    rule = BFGS()
    state = rule.init(np.zeros(2))
    three = r"got params=array\(\[0\., 0\., 0\.\]\)$"
    with pytest.raises(ValueError, match=r"^params must be an array of shape \(2,\) \(the shape "
                                         r"given to init\); " + three):
        rule.step(np.zeros(3), np.zeros(3), state, Quadratic(np.eye(3)))
    with pytest.raises(ValueError, match=r"^params must be an array whose last axis has length 2 "
                                         r"\(the size of H0\); " + three):
        BFGS(H0=np.eye(2)).init(np.zeros(3))


# --------------------------------------------------------------------------------------------
# With the library's surfaces


def test_with_library_surfaces_newton_solves_a_turned_quadratic_in_one_step():
    bowl = surfaces.Quadratic(eigenvalues=[1.0, 25.0], angle=0.4, center=[1.0, -2.0])
    x0 = np.array([[3.0, 3.0], [-5.0, 0.5]])
    x1, state = Newton().step(x0, bowl.grad(x0), Newton().init(x0), bowl)
    np.testing.assert_allclose(x1, np.broadcast_to(bowl.minimizer, (2, 2)), atol=1e-12)
    assert state.positive_definite.tolist() == [True, True]


def test_with_library_surfaces_exact_line_search_rate_is_the_square_of_optimal_rate():
    bowl = surfaces.Quadratic(eigenvalues=[1.0, 10.0])
    xs, _ = run(ExactLineSearch(), bowl, np.array([10.0, 1.0]), 8)
    values = bowl.f(xs)
    np.testing.assert_allclose(values[1:] / values[:-1], bowl.optimal_rate**2, rtol=1e-10)


def test_with_library_surfaces_bfgs_and_newton_solve_rosenbrock():
    valley = surfaces.Rosenbrock()
    xs, states = run(BFGS(), valley, ROSENBROCK_START, 50)
    errors = np.linalg.norm(xs - valley.minimizer, axis=1)
    assert errors.min() <= 1e-8 and int(np.argmax(errors <= 1e-8)) < 50
    assert [s.step_size for s in states[-10:]] == [1.0] * 10
    chained = surfaces.Rosenbrock(dim=4)
    xs, _ = run(BFGS(), chained, np.array([-1.2, 1.0, -1.2, 1.0]), 100)
    assert np.abs(xs[-1] - chained.minimizer).max() < 1e-10


def test_newton_direction_search_refuses_an_ascent_direction_and_records_it():
    # On the 4-D chained Rosenbrock from (-1.2, 1, -1.2, 1), four Newton steps reach a point
    # where the Hessian is indefinite and Newton's direction points uphill (g.p > 0).
    chained = surfaces.Rosenbrock(dim=4)
    xs, states = run(BacktrackingLineSearch(direction="newton"), chained,
                     np.array([-1.2, 1.0, -1.2, 1.0]), 6)
    assert [s.step_size for s in states[:4]] == [1.0] * 4
    stuck = xs[4]
    p = -np.linalg.solve(chained.hessian(stuck), chained.grad(stuck))
    assert chained.grad(stuck) @ p > 0 and np.linalg.eigvalsh(chained.hessian(stuck))[0] < 0
    for state in states[4:]:
        assert (state.step_size, state.armijo_ok, state.wolfe_ok, state.evaluations) == (
            0.0, False, False, 0)
    np.testing.assert_array_equal(xs[6], stuck)


# --------------------------------------------------------------------------------------------
# Shared behaviour: interface, purity, input checks

RULES = [Newton(), BacktrackingLineSearch(), BacktrackingLineSearch(direction="newton"),
         ExactLineSearch(), BFGS()]


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_rules_need_the_surface_and_start_with_t_zero(rule):
    assert type(rule).needs_surface is True
    assert "needs_surface" not in {field.name for field in dataclasses.fields(rule)}
    state = rule.init(np.zeros(2))
    assert state.t == 0 and state.step_size == 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.lr0 = 2.0


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_rules_do_not_mutate_their_inputs(rule):
    surface = Quadratic(np.array([[3.0, 1.0], [1.0, 2.0]]), [1.0, 0.0])
    x0 = np.array([2.0, -1.0])
    g = surface.grad(x0)
    state = rule.init(x0)
    copies = (x0.copy(), g.copy(), [np.copy(v) for v in state])
    x1, new_state = rule.step(x0, g, state, surface)
    np.testing.assert_array_equal(x0, copies[0])
    np.testing.assert_array_equal(g, copies[1])
    for before, after in zip(copies[2], state):
        np.testing.assert_array_equal(before, np.asarray(after))
    assert x1 is not x0 and new_state.t == 1
    assert surface.f(x1) < surface.f(x0)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_rules_check_params_grads_and_surface(rule):
    with pytest.raises(ValueError, match=r"^params must be an array of shape \(\.\.\., d\) "
                                         r"with d >= 1; got params=1\.0$"):
        rule.init(1.0)
    state = rule.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"^grads must be an array of the shape of params "
                                         r"\(2,\); got grads=array\(\[0\., 0\., 0\.\]\)$"):
        rule.step(np.zeros(2), np.zeros(3), state, ROSENBROCK)
    with pytest.raises(TypeError, match=r"^surface must be an object with methods "):
        rule.step(np.zeros(2), np.zeros(2), state, object())


INVALID = [
    # (constructor, kwargs, exception, message)
    (Newton, {"lr": -0.1}, ValueError, "lr must be a finite number >= 0; got lr=-0.1"),
    (Newton, {"lr": float("nan")}, ValueError, "lr must be a finite number >= 0; got lr=nan"),
    (Newton, {"lr": "1"}, TypeError,
     "lr must be a number, an array or a schedule (a callable step -> lr); got lr='1' (str)"),
    (Newton, {"damping": -1.0}, ValueError,
     "damping must be a finite number >= 0; got damping=-1.0"),
    (Newton, {"damping": float("inf")}, ValueError,
     "damping must be a finite number >= 0; got damping=inf"),
    (Newton, {"damping": None}, TypeError,
     "damping must be a real number; got damping=None (NoneType)"),
    (Newton, {"indefinite": "damp"}, ValueError,
     "indefinite must be one of 'step', 'raise'; got indefinite='damp'"),
    (BacktrackingLineSearch, {"direction": "bfgs"}, ValueError,
     "direction must be one of 'gradient', 'newton'; got direction='bfgs'"),
    (BacktrackingLineSearch, {"lr0": 0.0}, ValueError,
     "lr0 must be a finite number > 0; got lr0=0.0"),
    (BacktrackingLineSearch, {"lr0": float("nan")}, ValueError,
     "lr0 must be a finite number > 0; got lr0=nan"),
    (BacktrackingLineSearch, {"shrink": 1.0}, ValueError,
     "shrink must be a finite number in (0, 1); got shrink=1.0"),
    (BacktrackingLineSearch, {"shrink": 0}, ValueError,
     "shrink must be a finite number in (0, 1); got shrink=0"),
    (BacktrackingLineSearch, {"c1": 0.0}, ValueError,
     "c1 must be a finite number in (0, 1); got c1=0.0"),
    (BacktrackingLineSearch, {"c1": float("nan")}, ValueError,
     "c1 must be a finite number in (0, 1); got c1=nan"),
    (BacktrackingLineSearch, {"c2": 1e-5}, ValueError,
     "c2 must be a finite number in (0.0001, 1); got c2=1e-05"),
    (BacktrackingLineSearch, {"c1": 0.5, "c2": 0.5}, ValueError,
     "c2 must be a finite number in (0.5, 1); got c2=0.5"),
    (BacktrackingLineSearch, {"c2": 1.0}, ValueError,
     "c2 must be a finite number in (0.0001, 1); got c2=1.0"),
    (BacktrackingLineSearch, {"max_shrinks": -1}, ValueError,
     "max_shrinks must be an integer >= 0; got max_shrinks=-1"),
    (BacktrackingLineSearch, {"max_shrinks": 2.0}, TypeError,
     "max_shrinks must be an integer; got max_shrinks=2.0 (float)"),
    (BFGS, {"lr0": -1.0}, ValueError, "lr0 must be a finite number > 0; got lr0=-1.0"),
    (BFGS, {"c1": 1.0}, ValueError, "c1 must be a finite number in (0, 1); got c1=1.0"),
    (BFGS, {"c2": "0.9"}, TypeError, "c2 must be a real number; got c2='0.9' (str)"),
    (BFGS, {"c1": 0.9, "c2": 0.1}, ValueError,
     "c2 must be a finite number in (0.9, 1); got c2=0.1"),
    (BFGS, {"shrink": float("nan")}, ValueError,
     "shrink must be a finite number in (0, 1); got shrink=nan"),
    (BFGS, {"max_shrinks": True}, TypeError,
     "max_shrinks must be an integer; got max_shrinks=True (bool)"),
    (BFGS, {"H0": 0.0}, ValueError, "H0 must be a finite number > 0; got H0=0.0"),
    (BFGS, {"H0": float("nan")}, ValueError, "H0 must be a finite number > 0; got H0=nan"),
    (BFGS, {"H0": [[1.0, 2.0], [0.0, 1.0]]}, ValueError,
     "H0 must be None, a number > 0 or a symmetric positive-definite (d, d) matrix; "
     "got H0=[[1.0, 2.0], [0.0, 1.0]]"),
    (BFGS, {"H0": [[1.0, 0.0], [0.0, -1.0]]}, ValueError,
     "H0 must be None, a number > 0 or a symmetric positive-definite (d, d) matrix; "
     "got H0=[[1.0, 0.0], [0.0, -1.0]]"),
    (BFGS, {"H0": [1.0, 2.0]}, ValueError,
     "H0 must be None, a number > 0 or a symmetric positive-definite (d, d) matrix; "
     "got H0=[1.0, 2.0]"),
    (BFGS, {"H0": [[1.0, float("nan")], [float("nan"), 1.0]]}, ValueError,
     "H0 must be None, a number > 0 or a symmetric positive-definite (d, d) matrix; "
     "got H0=[[1.0, nan], [nan, 1.0]]"),
    (BFGS, {"H0": "I"}, TypeError,
     "H0 must be None, a number > 0 or a symmetric positive-definite (d, d) matrix; "
     "got H0='I' (str)"),
    (BFGS, {"H0": True}, TypeError,
     "H0 must be None, a number > 0 or a symmetric positive-definite (d, d) matrix; "
     "got H0=True (bool)"),
]


@pytest.mark.parametrize("cls, kwargs, error, message", INVALID,
                         ids=[f"{c.__name__}-{k}" for c, k, _, _ in INVALID])
def test_invalid_constructor_arguments_raise_with_the_package_message(cls, kwargs, error,
                                                                      message):
    with pytest.raises(error) as info:
        cls(**kwargs)
    assert str(info.value) == message


def test_every_constructor_parameter_appears_in_the_invalid_table():
    for cls in (Newton, BacktrackingLineSearch, BFGS):
        tested = {name for c, kwargs, _, _ in INVALID if c is cls for name in kwargs}
        assert tested == {field.name for field in dataclasses.fields(cls)}
    assert dataclasses.fields(ExactLineSearch) == ()


@pytest.mark.parametrize("call, error, message", [
    (lambda: armijo_holds(PARABOLA.f, PARABOLA.grad, [1.0], [-2.0], -0.5), ValueError,
     "a must be a finite number >= 0; got a=-0.5"),
    (lambda: armijo_holds(PARABOLA.f, PARABOLA.grad, [1.0], [-2.0], 0.5, c1=1.5), ValueError,
     "c1 must be a finite number in (0, 1); got c1=1.5"),
    (lambda: armijo_holds(PARABOLA.f, PARABOLA.grad, [1.0], [-2.0, 1.0], 0.5), ValueError,
     "p must be an array of the shape of x (1,); got p=[-2.0, 1.0]"),
    (lambda: wolfe_holds(PARABOLA.f, PARABOLA.grad, [1.0], [-2.0], 0.5, c1=0.5, c2=0.4),
     ValueError, "c2 must be a finite number in (0.5, 1); got c2=0.4"),
    (lambda: wolfe_holds(PARABOLA.f, PARABOLA.grad, [1.0], [-2.0], 0.5, strong=1), TypeError,
     "strong must be True or False; got strong=1 (int)"),
])
def test_condition_helpers_check_their_arguments(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
