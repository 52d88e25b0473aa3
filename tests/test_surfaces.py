"""Tests of lrlib.surfaces: formulas against naive transcriptions, finite differences of every
gradient and Hessian, vectorisation, the theory properties of Quadratic, and argument checks."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.surfaces import BumpyLandscape, LeastSquares, Quadratic, Rosenbrock, Surface

RNG_SEED = 20240611


def rotation_3d(seed=1):
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((3, 3)))
    return q


SURFACES = {
    "quadratic-axes": Quadratic(eigenvalues=[1.0, 10.0]),
    "quadratic-angle": Quadratic(eigenvalues=[0.5, 4.0], angle=0.7, center=[1.0, -2.0]),
    "quadratic-rotation-3d": Quadratic(eigenvalues=[1.0, 3.0, 9.0], rotation=rotation_3d()),
    "quadratic-matrix": Quadratic(matrix=[[2.0, 0.5], [0.5, 1.0]], center=[0.3, 0.1]),
    "quadratic-1d": Quadratic(eigenvalues=[2.5]),
    "rosenbrock": Rosenbrock(),
    "rosenbrock-a-half": Rosenbrock(a=0.5, b=20.0),
    "rosenbrock-5d": Rosenbrock(dim=5),
    "bumpy": BumpyLandscape(),
    "bumpy-wide": BumpyLandscape(curvature=0.5, dip_center=-3.0, dip_depth=2.0, dip_width=0.8),
    "least-squares": LeastSquares.random(40, 3, seed=3),
}


def random_points(surface, shape=(20,), scale=1.5, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    centre = surface.minimizer if surface.minimizer is not None else np.zeros(surface.dim)
    return centre + scale * rng.standard_normal(shape + (surface.dim,))


def central_gradient(f, x, h=1e-6):
    """Central differences of a scalar function, one coordinate at a time (plain loop)."""
    g = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h * max(1.0, abs(x[i]))
        g[i] = (f(x + step) - f(x - step)) / (2 * step[i])
    return g


# ---------------------------------------------------------------------------- naive references

def naive_quadratic(A, c, x):
    d = len(x)
    return 0.5 * sum((x[i] - c[i]) * A[i][j] * (x[j] - c[j]) for i in range(d) for j in range(d))


def naive_rosenbrock(a, b, x):
    return sum(b * (x[i + 1] - x[i] ** 2) ** 2 + (a - x[i]) ** 2 for i in range(len(x) - 1))


def naive_bumpy(k, m, h, w, x):
    return k / 2 * x**2 - h * math.exp(-((x - m) ** 2) / (2 * w * w))


def naive_least_squares(X, y, w, idx):
    total = 0.0
    for i in idx:
        residual = sum(X[i][j] * w[j] for j in range(len(w))) - y[i]
        total += residual**2
    return total / (2 * len(idx))


def test_quadratic_value_matches_double_sum():
    q = SURFACES["quadratic-angle"]
    for x in random_points(q, (10,)):
        assert q.f(x) == pytest.approx(naive_quadratic(q.matrix, q.center, x), rel=1e-14)


def test_quadratic_built_from_angle_has_eigenvector_cos_sin():
    theta = 0.7
    q = Quadratic(eigenvalues=[0.5, 4.0], angle=theta)
    v = np.array([math.cos(theta), math.sin(theta)])
    np.testing.assert_allclose(q.matrix @ v, 0.5 * v, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(q.eigenvalues, [0.5, 4.0])


def test_rosenbrock_value_matches_chained_sum():
    for key in ("rosenbrock", "rosenbrock-a-half", "rosenbrock-5d"):
        r = SURFACES[key]
        for x in random_points(r, (10,)):
            assert r.f(x) == pytest.approx(naive_rosenbrock(r.a, r.b, x), rel=1e-14)


def test_bumpy_value_matches_formula():
    b = SURFACES["bumpy-wide"]
    for x in random_points(b, (10,), scale=3.0):
        expected = naive_bumpy(b.curvature, b.dip_center, b.dip_depth, b.dip_width, x[0])
        assert b.f(x) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_least_squares_value_matches_per_sample_loop_on_full_data_and_minibatch():
    ls = SURFACES["least-squares"]
    idx = np.array([3, 7, 7, 20])
    for w in random_points(ls, (5,)):
        assert ls.f(w) == pytest.approx(naive_least_squares(ls.X, ls.y, w, range(40)), rel=1e-13)
        assert ls.f(w, idx=idx) == pytest.approx(naive_least_squares(ls.X, ls.y, w, idx), rel=1e-13)


def naive_rosenbrock_gradient(a, b, x):
    d = len(x)
    g = [0.0] * d
    for i in range(d - 1):
        g[i] += -4 * b * x[i] * (x[i + 1] - x[i] ** 2) - 2 * (a - x[i])
        g[i + 1] += 2 * b * (x[i + 1] - x[i] ** 2)
    return np.array(g)


def test_gradients_match_transcribed_formulas_to_rounding():
    for key in ("rosenbrock", "rosenbrock-a-half", "rosenbrock-5d"):
        r = SURFACES[key]
        for x in random_points(r, (5,)):
            np.testing.assert_allclose(r.grad(x), naive_rosenbrock_gradient(r.a, r.b, x), rtol=1e-13, atol=1e-13)
    q = SURFACES["quadratic-rotation-3d"]
    for x in random_points(q, (5,)):
        expected = [sum(q.matrix[i][j] * (x[j] - q.center[j]) for j in range(3)) for i in range(3)]
        np.testing.assert_allclose(q.grad(x), expected, rtol=1e-13, atol=1e-15)
    b = SURFACES["bumpy-wide"]
    k, m, h, w = b.curvature, b.dip_center, b.dip_depth, b.dip_width
    for x in random_points(b, (5,), scale=3.0)[:, 0]:
        expected = k * x + h * (x - m) / w**2 * math.exp(-((x - m) ** 2) / (2 * w * w))
        assert b.grad(np.array([x]))[0] == pytest.approx(expected, rel=1e-13, abs=1e-15)
    ls = SURFACES["least-squares"]
    for wts in random_points(ls, (3,)):
        expected = sum((ls.X[i] @ wts - ls.y[i]) * ls.X[i] for i in range(40)) / 40
        np.testing.assert_allclose(ls.grad(wts), expected, rtol=1e-12, atol=1e-14)


def test_rosenbrock_hessian_matches_the_textbook_2d_formula():
    r = Rosenbrock(a=1.0, b=100.0)
    for x, y in random_points(r, (5,)):
        expected = [[1200 * x * x - 400 * y + 2, -400 * x], [-400 * x, 200.0]]
        np.testing.assert_allclose(r.hessian(np.array([x, y])), expected, rtol=1e-14)


# ---------------------------------------------------------------------------- finite differences

@pytest.mark.parametrize("key", sorted(SURFACES))
def test_gradient_matches_central_differences(key):
    surface = SURFACES[key]
    for x in random_points(surface, (8,)):
        expected = central_gradient(lambda z: float(surface.f(z)), x)
        scale = max(1.0, np.abs(expected).max())
        np.testing.assert_allclose(surface.grad(x), expected, rtol=1e-6, atol=1e-6 * scale)


@pytest.mark.parametrize("key", sorted(SURFACES))
def test_hessian_matches_central_differences_of_gradient(key):
    surface = SURFACES[key]
    for x in random_points(surface, (5,)):
        expected = np.column_stack([
            central_gradient(lambda z, i=i: float(surface.grad(z)[i]), x) for i in range(surface.dim)
        ]).T
        scale = max(1.0, np.abs(expected).max())
        hessian = surface.hessian(x)
        np.testing.assert_allclose(hessian, expected, rtol=1e-6, atol=1e-6 * scale)
        np.testing.assert_array_equal(hessian, hessian.T)


def test_least_squares_minibatch_gradient_matches_central_differences():
    ls = SURFACES["least-squares"]
    idx = np.array([0, 5, 11])
    for w in random_points(ls, (4,)):
        expected = central_gradient(lambda z: float(ls.f(z, idx=idx)), w)
        np.testing.assert_allclose(ls.grad(w, idx=idx), expected, rtol=1e-6, atol=1e-7)
        value, grad = ls.value_and_grad(w, idx=idx)
        assert value == ls.f(w, idx=idx)
        np.testing.assert_array_equal(grad, ls.grad(w, idx=idx))


# ---------------------------------------------------------------------------- vectorisation

@pytest.mark.parametrize("key", sorted(SURFACES))
def test_batch_of_points_equals_row_by_row_bit_for_bit(key):
    surface = SURFACES[key]
    points = random_points(surface, (4, 3))
    for name in ("f", "grad", "hessian"):
        method = getattr(surface, name)
        batch = method(points)
        rows = np.array([[method(points[i, j]) for j in range(3)] for i in range(4)])
        assert batch.shape == rows.shape
        np.testing.assert_array_equal(batch, rows)
    assert surface.f(points).shape == (4, 3)
    assert surface.grad(points).shape == (4, 3, surface.dim)
    assert surface.hessian(points).shape == (4, 3, surface.dim, surface.dim)


@pytest.mark.parametrize("key", sorted(SURFACES))
def test_value_and_grad_equals_separate_calls(key):
    surface = SURFACES[key]
    points = random_points(surface, (6,))
    value, grad = surface.value_and_grad(points)
    np.testing.assert_array_equal(value, surface.f(points))
    np.testing.assert_array_equal(grad, surface.grad(points))
    np.testing.assert_array_equal(surface(points), surface.f(points))


def test_one_dimensional_surface_takes_trailing_axis_of_length_one():
    b = BumpyLandscape()
    assert b.f(np.zeros((3, 1))).shape == (3,)
    assert b.hessian(np.zeros((3, 1))).shape == (3, 1, 1)
    with pytest.raises(ValueError, match=r"x must be an array of shape \(\.\.\., 1\)"):
        b.f(np.zeros(3))


# ---------------------------------------------------------------------------- quadratic theory

def test_quadratic_theory_properties_for_eigenvalues_one_and_ten():
    q = Quadratic(eigenvalues=[10.0, 1.0])
    np.testing.assert_array_equal(q.eigenvalues, [1.0, 10.0])
    assert q.condition_number == 10.0
    assert q.lr_max_stable == 0.2
    assert q.lr_optimal == 2.0 / 11.0
    assert q.optimal_rate == 9.0 / 11.0
    assert q.contraction(q.lr_optimal) == pytest.approx(q.optimal_rate, rel=1e-15)
    np.testing.assert_allclose(q.contraction(np.array([0.0, 0.1, 0.2])), [1.0, 0.9, 1.0], rtol=1e-15)


def test_gradient_descent_error_shrinks_by_optimal_rate_per_step():
    q = Quadratic(eigenvalues=[1.0, 10.0], angle=0.4, center=[0.5, -0.5])
    v_small = np.array([math.cos(0.4), math.sin(0.4)])
    v_large = np.array([-math.sin(0.4), math.cos(0.4)])
    x = q.center + v_small + v_large
    for _ in range(20):
        x_next = x - q.lr_optimal * q.grad(x)
        for v in (v_small, v_large):
            ratio = abs((x_next - q.center) @ v) / abs((x - q.center) @ v)
            assert ratio == pytest.approx(q.optimal_rate, rel=1e-9)
        x = x_next


def test_gradient_descent_diverges_just_above_lr_max_stable_and_converges_just_below():
    q = Quadratic(eigenvalues=[1.0, 4.0])
    for factor, converges in ((0.99, True), (1.01, False)):
        x = np.array([1.0, 1.0])
        for _ in range(2000):
            x = x - factor * q.lr_max_stable * q.grad(x)
        assert (q.f(x) < 1e-6) == converges


def test_quadratic_from_singular_matrix_has_infinite_condition_number():
    q = Quadratic(matrix=[[1.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(q.eigenvalues, [0.0, 2.0], atol=1e-15)
    assert q.eigenvalues.min() >= 0
    assert q.condition_number == math.inf
    assert q.optimal_rate == 1.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.01, 100.0), min_size=2, max_size=4), st.floats(0.0, 2.0))
def test_contraction_is_smallest_at_lr_optimal(eigenvalues, fraction):
    q = Quadratic(eigenvalues=eigenvalues)
    lr = fraction * q.lr_max_stable
    assert q.contraction(lr) >= q.contraction(q.lr_optimal) - 1e-12
    assert (q.contraction(lr) < 1) == (0 < lr < q.lr_max_stable) or math.isclose(q.contraction(lr), 1.0)


# ---------------------------------------------------------------------------- minimisers

@pytest.mark.parametrize("key", sorted(SURFACES))
def test_gradient_vanishes_at_the_minimizer(key):
    surface = SURFACES[key]
    np.testing.assert_allclose(surface.grad(surface.minimizer), 0.0, atol=1e-11)
    assert surface.f(surface.minimizer) == pytest.approx(surface.min_value, abs=1e-15)


def test_rosenbrock_minimizer_in_two_dimensions_is_a_a_squared_and_unknown_in_five_for_a_half():
    np.testing.assert_array_equal(Rosenbrock(a=0.5).minimizer, [0.5, 0.25])
    np.testing.assert_array_equal(Rosenbrock(dim=5).minimizer, np.ones(5))
    np.testing.assert_array_equal(Rosenbrock(a=0.0, dim=3).minimizer, np.zeros(3))
    assert Rosenbrock(a=0.5, dim=3).minimizer is None
    assert Rosenbrock(a=0.5, dim=3).min_value is None


def naive_bisection(slope, lo, hi, iterations=200):
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if slope(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def test_bumpy_minimizers_agree_with_independent_bisection_to_1e_12():
    b = BumpyLandscape()

    def slope(x):
        return x + (x - 2.0) / 0.09 * math.exp(-((x - 2.0) ** 2) / 0.18)

    global_min = naive_bisection(slope, -0.5, 0.5)
    local_min = naive_bisection(slope, 1.5, 1.9)
    assert abs(b.minimizer[0] - global_min) < 1e-12
    np.testing.assert_allclose(b.local_minimizers, [global_min, local_min], rtol=0, atol=1e-12)
    # The dip pulls the global minimiser a few nanometres off 0: it is computed, not assumed.
    assert 1e-9 < b.minimizer[0] < 1e-8


def test_bumpy_global_minimum_is_lowest_on_a_fine_grid_and_local_one_is_shallow():
    b = BumpyLandscape()
    grid = np.linspace(-5, 5, 200_001)[:, None]
    assert b.min_value <= b.f(grid).min()
    assert np.all(b.hessian(b.local_minimizers[:, None])[:, 0, 0] > 0)
    assert b.f(b.local_minimizers[1:2]) == pytest.approx(0.8192, abs=1e-4)
    assert b.hessian(b.local_minimizers[1:2])[0, 0] == pytest.approx(5.76, abs=0.01)


def test_bumpy_without_dip_is_the_plain_parabola():
    b = BumpyLandscape(dip_depth=0.0)
    np.testing.assert_array_equal(b.local_minimizers, [0.0])
    assert b.min_value == 0.0


def test_least_squares_minimizer_solves_normal_equations():
    ls = SURFACES["least-squares"]
    np.testing.assert_allclose(ls.X.T @ (ls.X @ ls.minimizer - ls.y), 0.0, atol=1e-12)
    assert ls.n_samples == 40 and ls.dim == 3


def test_least_squares_random_is_seeded():
    a, b, c = (LeastSquares.random(10, 2, seed=s) for s in (4, 4, 5))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


# ---------------------------------------------------------------------------- windows, immutability

def test_default_windows_contain_the_minimizer():
    for key in ("quadratic-angle", "quadratic-matrix", "rosenbrock", "rosenbrock-a-half"):
        surface = SURFACES[key]
        (x_lo, x_hi), (y_lo, y_hi) = surface.window
        x, y = surface.minimizer
        assert x_lo < x < x_hi and y_lo < y < y_hi
    assert Rosenbrock().window == ((-2.0, 2.0), (-1.0, 3.0))
    lo, hi = BumpyLandscape().window
    assert lo < BumpyLandscape().minimizer[0] and max(BumpyLandscape().local_minimizers) < 3.0 < hi
    assert Rosenbrock(dim=3).window is None


def test_surfaces_are_frozen_and_their_arrays_read_only():
    q = Quadratic(eigenvalues=[1.0, 2.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.center = np.ones(2)
    with pytest.raises(ValueError):
        q.matrix[0, 0] = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        Rosenbrock().b = 1.0


def test_construction_copies_the_callers_arrays():
    eigenvalues = np.array([1.0, 2.0])
    center = np.array([0.5, 0.5])
    q = Quadratic(eigenvalues=eigenvalues, center=center)
    eigenvalues[0] = 50.0
    center[0] = 50.0
    assert q.f(np.array([0.5, 0.5])) == 0.0
    np.testing.assert_array_equal(q.eigenvalues, [1.0, 2.0])


def test_evaluation_does_not_touch_the_callers_points():
    x = np.array([[0.3, -0.2], [1.0, 2.0]])
    before = x.copy()
    for surface in (SURFACES["quadratic-angle"], SURFACES["rosenbrock"]):
        surface.value_and_grad(x)
        surface.hessian(x)
    np.testing.assert_array_equal(x, before)


def test_replace_rebuilds_a_quadratic_from_its_fields():
    q = Quadratic(eigenvalues=[1.0, 3.0])
    moved = dataclasses.replace(q, center=np.array([1.0, 1.0]))
    np.testing.assert_array_equal(moved.matrix, q.matrix)
    np.testing.assert_array_equal(moved.eigenvalues, [1.0, 3.0])
    assert moved.f(np.array([1.0, 1.0])) == 0.0


def test_a_minimal_subclass_plugs_in_and_reports_missing_hessian():
    @dataclasses.dataclass(frozen=True)
    class Absolute(Surface):
        dim: int = 1

        def f(self, x):
            return np.abs(self.points(x)[..., 0])

        def grad(self, x):
            return np.sign(self.points(x))

    surface = Absolute()
    assert surface(np.array([-2.0])) == 2.0
    assert surface.minimizer is None and surface.window is None
    with pytest.raises(NotImplementedError, match="Absolute has no Hessian"):
        surface.hessian(np.array([1.0]))


# ---------------------------------------------------------------------------- invalid arguments

INVALID = [
    (lambda: Quadratic(), ValueError, "eigenvalues must be given when matrix is None; got eigenvalues=None"),
    (lambda: Quadratic([1.0], matrix=[[1.0]]), ValueError,
     "matrix must be None when eigenvalues are given; got matrix=[[1.0]]"),
    (lambda: Quadratic([1.0, -2.0]), ValueError,
     "eigenvalues must be a non-empty 1-D array of finite numbers >= 0, not all 0; got eigenvalues=[1.0, -2.0]"),
    (lambda: Quadratic([1.0, float("nan")]), ValueError,
     "eigenvalues must be a non-empty 1-D array of finite numbers >= 0, not all 0; got eigenvalues=[1.0, nan]"),
    (lambda: Quadratic([0.0, 0.0]), ValueError,
     "eigenvalues must be a non-empty 1-D array of finite numbers >= 0, not all 0; got eigenvalues=[0.0, 0.0]"),
    (lambda: Quadratic([]), ValueError,
     "eigenvalues must be a non-empty 1-D array of finite numbers >= 0, not all 0; got eigenvalues=[]"),
    (lambda: Quadratic("1, 2"), TypeError,
     "eigenvalues must be a non-empty 1-D array of finite numbers >= 0, not all 0; got eigenvalues='1, 2' (str)"),
    (lambda: Quadratic([1.0, 2.0, 3.0], angle=0.1), ValueError,
     "angle must be None unless there are exactly 2 eigenvalues; got angle=0.1"),
    (lambda: Quadratic([1.0, 2.0], angle=float("nan")), ValueError,
     "angle must be a finite number; got angle=nan"),
    (lambda: Quadratic([1.0, 2.0], angle=0.1, rotation=np.eye(2)), ValueError,
     "rotation must be None when angle is given; got rotation=array([[1., 0.],\n       [0., 1.]])"),
    (lambda: Quadratic([1.0, 2.0], rotation=[[1.0, 1.0], [0.0, 1.0]]), ValueError,
     "rotation must be an orthogonal (2, 2) matrix of finite numbers; got rotation=[[1.0, 1.0], [0.0, 1.0]]"),
    (lambda: Quadratic(matrix=[[1.0, 2.0], [0.0, 1.0]]), ValueError,
     "matrix must be a symmetric positive semidefinite square matrix of finite numbers, not 0; "
     "got matrix=[[1.0, 2.0], [0.0, 1.0]]"),
    (lambda: Quadratic(matrix=[[1.0, 0.0], [0.0, -1.0]]), ValueError,
     "matrix must be a symmetric positive semidefinite square matrix of finite numbers, not 0; "
     "got matrix=[[1.0, 0.0], [0.0, -1.0]]"),
    (lambda: Quadratic(matrix=[[1.0, 0.0]]), ValueError,
     "matrix must be a symmetric positive semidefinite square matrix of finite numbers, not 0; "
     "got matrix=[[1.0, 0.0]]"),
    (lambda: Quadratic(matrix=[[1.0]], angle=0.5), ValueError, "angle must be None when matrix is given; got angle=0.5"),
    (lambda: Quadratic([1.0, 2.0], center=[0.0]), ValueError,
     "center must be finite numbers of shape (2,); got center=[0.0]"),
    (lambda: Quadratic([1.0, 2.0], center=[0.0, math.inf]), ValueError,
     "center must be finite numbers of shape (2,); got center=[0.0, inf]"),
    (lambda: Quadratic([1.0, 2.0], window=((1.0, 0.0), (0.0, 1.0))), ValueError,
     "window must be a pair ((x_lo, x_hi), (y_lo, y_hi)) of finite numbers with lo < hi; "
     "got window=((1.0, 0.0), (0.0, 1.0))"),
    (lambda: Rosenbrock(b=0.0), ValueError, "b must be a finite number > 0; got b=0.0"),
    (lambda: Rosenbrock(a=float("nan")), ValueError, "a must be a finite number; got a=nan"),
    (lambda: Rosenbrock(a="1"), TypeError, "a must be a real number; got a='1' (str)"),
    (lambda: Rosenbrock(dim=1), ValueError, "dim must be an integer >= 2; got dim=1"),
    (lambda: Rosenbrock(dim=2.0), TypeError, "dim must be an integer; got dim=2.0 (float)"),
    (lambda: Rosenbrock(dim=3, window=((0, 1), (0, 1))), ValueError,
     "window must be None unless dim == 2; got window=((0, 1), (0, 1))"),
    (lambda: BumpyLandscape(curvature=0.0), ValueError, "curvature must be a finite number > 0; got curvature=0.0"),
    (lambda: BumpyLandscape(dip_depth=-1.0), ValueError, "dip_depth must be a finite number >= 0; got dip_depth=-1.0"),
    (lambda: BumpyLandscape(dip_width=float("nan")), ValueError,
     "dip_width must be a finite number > 0; got dip_width=nan"),
    (lambda: BumpyLandscape(dip_center=math.inf), ValueError, "dip_center must be a finite number; got dip_center=inf"),
    (lambda: BumpyLandscape(window=(2.0, 2.0)), ValueError,
     "window must be a pair (lo, hi) of finite numbers with lo < hi; got window=(2.0, 2.0)"),
    (lambda: LeastSquares([1.0, 2.0], [1.0, 2.0]), ValueError,
     "X must be a 2-D array of finite numbers with at least one row; got X=[1.0, 2.0]"),
    (lambda: LeastSquares([[1.0], [2.0]], [1.0]), ValueError,
     "y must be a 1-D array of 2 finite numbers (one per row of X); got y=[1.0]"),
    (lambda: LeastSquares([[1.0], [np.nan]], [1.0, 2.0]), ValueError,
     "X must be a 2-D array of finite numbers with at least one row; got X=[[1.0], [nan]]"),
    (lambda: LeastSquares.random(0), ValueError, "n_samples must be an integer >= 1; got n_samples=0"),
    (lambda: LeastSquares.random(5, noise=-1.0), ValueError, "noise must be a finite number >= 0; got noise=-1.0"),
    (lambda: LeastSquares.random(5).f(np.zeros(2), idx=[5]), ValueError,
     "idx must be a non-empty 1-D array of integers in [0, 5); got idx=[5]"),
    (lambda: LeastSquares.random(5).f(np.zeros(2), idx=[0.5]), ValueError,
     "idx must be a non-empty 1-D array of integers in [0, 5); got idx=[0.5]"),
    (lambda: Rosenbrock().grad(np.zeros(3)), ValueError,
     "x must be an array of shape (..., 2); got x=array([0., 0., 0.])"),
]


@pytest.mark.parametrize("make, error, message", INVALID, ids=[m for _, _, m in INVALID])
def test_invalid_arguments_raise_with_exact_message(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message
