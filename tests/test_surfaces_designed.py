"""Tests of lrlib.surfaces_designed.StuckValley: the formulas (plain transcriptions, finite
differences, convexity) and the behaviours the book relies on, each measured with numbers.

Iterate ``k`` is the parameter vector after ``k`` updates (iterate 0 is the start), as in
:class:`lrlib.Trajectory`. A *burst* starts at the first iterate with ``|y| > 0.5`` after
``|y|`` has been below 0.25, and ends when ``|y|`` is back below 0.25.
"""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib.surfaces import Surface
from lrlib.surfaces_designed import StuckValley

VALLEY = StuckValley()
TILTED = StuckValley(tilt=3e-3, start=(-40.0, 3.0))
ADAGRAD_LR = 1.0          # the lecture-form AdaGrad runs below use this constant rate
DECAY_STEPS = 50          # eta_t = eta / sqrt(1 + t / 50): the decaying schedule chosen here
BURST_ON, BURST_OFF = 0.5, 0.25


# ------------------------------------------------------------------------ plain transcriptions

def naive_value(s, x, y):
    """The defining formula, term by term (loses relative precision very near the floor)."""
    u = y - s.tilt * x
    A, w, d = s.wall_slope, s.wall_width, s.floor_halfwidth
    wall = 0.5 * A * (math.hypot(w, u - d) + math.hypot(w, u + d) - 2 * math.hypot(w, d))
    return wall + s.valley_slope * (math.hypot(s.basin_width, x) - s.basin_width)


def naive_grad(s, x, y):
    u = y - s.tilt * x
    A, w, d = s.wall_slope, s.wall_width, s.floor_halfwidth
    wall = 0.5 * A * ((u - d) / math.hypot(w, u - d) + (u + d) / math.hypot(w, u + d))
    along = s.valley_slope * x / math.hypot(s.basin_width, x)
    return along - s.tilt * wall, wall


def stable_wall_slope(u, A, w, d):
    """W'(u) with the difference of the two hyperbolas' slopes rationalised (|u| < d)."""
    p, q = d + u, d - u
    hp, hq = (w * w + p * p) ** 0.5, (w * w + q * q) ** 0.5
    if abs(u) < d:
        return 2 * A * w * w * d * u / (hp * hq * (p * hq + q * hp))
    return A / 2 * (p / hp - q / hq)


def central_gradient(f, point, h=1e-6):
    g = np.zeros(2)
    for i in range(2):
        step = np.zeros(2)
        step[i] = h * max(1.0, abs(point[i]))
        g[i] = (f(point + step) - f(point - step)) / (2 * step[i])
    return g


def bursts(offsets):
    """(start, end, peak) of every burst of ``|offsets|``; end is None if still open."""
    found, armed, start, peak = [], False, None, 0.0
    for k, size in enumerate(np.abs(offsets)):
        if start is None:
            armed = armed or size < BURST_OFF
            if armed and size > BURST_ON:
                start, peak = k, size
        else:
            peak = max(peak, size)
            if size < BURST_OFF:
                found.append((start, k, peak))
                start = None
    if start is not None:
        found.append((start, None, peak))
    return found


# ----------------------------------------------------------------------------- the formulas

POINTS = np.array([[250.0, 6.0], [0.0, 0.0], [0.0, 0.3], [-5.0, -0.74], [120.0, 0.76],
                   [3.0, -2.5], [-300.0, 40.0], [1e-3, 1e-4], [60.0, -0.05]])


@pytest.mark.parametrize("surface", [VALLEY, TILTED, StuckValley(floor_halfwidth=0.0)],
                         ids=["default", "tilted", "single-hyperbola"])
def test_value_and_gradient_match_the_plain_formula(surface):
    for x, y in POINTS:
        assert surface.f(np.array([x, y])) == pytest.approx(naive_value(surface, x, y),
                                                            rel=1e-12, abs=1e-9)
        assert surface.grad(np.array([x, y])) == pytest.approx(naive_grad(surface, x, y),
                                                               rel=1e-10, abs=1e-9)


def test_gradient_keeps_its_relative_precision_on_the_floor_where_the_plain_formula_fails():
    for offset in (1e-8, 1e-30, -1e-200):
        slope = VALLEY.grad(np.array([0.0, offset]))[1]
        assert slope == pytest.approx(VALLEY.floor_curvature * offset, rel=1e-12, abs=0.0)
    # The plain difference of two slopes of size ~0.6 cannot see an offset of 1e-30.
    assert naive_grad(VALLEY, 0.0, 1e-30)[1] == 0.0
    assert VALLEY.f(np.array([0.0, 1e-10])) == pytest.approx(512.0 * 1e-20 / 2, rel=1e-9, abs=0.0)


@settings(max_examples=50, deadline=None)
@given(x=st.floats(-400, 400), y=st.floats(-12, 12), tilt=st.sampled_from([0.0, 3e-3, -0.2]),
       halfwidth=st.sampled_from([0.0, 0.3, 0.75, 2.0]))
def test_gradient_matches_central_differences(x, y, tilt, halfwidth):
    surface = StuckValley(tilt=tilt, floor_halfwidth=halfwidth)
    point = np.array([x, y])
    expected = central_gradient(lambda p: float(surface.f(p)), point)
    assert surface.grad(point) == pytest.approx(expected, rel=1e-5, abs=2e-3)


@settings(max_examples=50, deadline=None)
@given(x=st.floats(-400, 400), y=st.floats(-12, 12), tilt=st.sampled_from([0.0, 3e-3, -0.2]))
def test_hessian_matches_central_differences_of_the_gradient(x, y, tilt):
    surface = StuckValley(tilt=tilt)
    point = np.array([x, y])
    columns = [central_gradient(lambda p, i=i: float(surface.grad(p)[i]), point, h=1e-7)
               for i in range(2)]
    assert surface.hessian(point) == pytest.approx(np.array(columns), rel=1e-5, abs=1e-3)


@pytest.mark.parametrize("surface", [VALLEY, TILTED, StuckValley(tilt=-0.5, floor_halfwidth=3.0)],
                         ids=["default", "tilted", "steep-tilt-wide-floor"])
def test_hessian_is_positive_definite_on_a_grid_so_the_valley_is_convex(surface):
    grid = np.stack(np.meshgrid(np.linspace(-400, 400, 81), np.linspace(-15, 15, 121)), axis=-1)
    hessians = surface.hessian(grid)
    assert np.allclose(hessians, np.swapaxes(hessians, -1, -2))
    assert np.linalg.eigvalsh(hessians).min() > 0
    # and f lies above each tangent plane (the definition of convexity), checked on pairs
    a, b = grid.reshape(-1, 2)[::7], grid.reshape(-1, 2)[::-7]
    tangent = surface.f(a) + ((b - a) * surface.grad(a)).sum(axis=-1)
    assert np.all(surface.f(b) >= tangent - 1e-9 * np.abs(tangent).max())


def test_minimum_is_zero_at_the_origin_and_the_surface_is_positive_elsewhere():
    for surface in (VALLEY, TILTED):
        assert surface.f(surface.minimizer) == surface.min_value == 0.0
        assert np.array_equal(surface.grad(surface.minimizer), [0.0, 0.0])
        grid = np.stack(np.meshgrid(np.linspace(-50, 50, 41), np.linspace(-5, 5, 41)), axis=-1)
        values = surface.f(grid)
        assert values.min() == 0.0 and np.count_nonzero(values == 0.0) == 1


def test_floor_curvature_is_the_hessian_on_the_floor_and_512_for_the_defaults():
    assert VALLEY.floor_curvature == pytest.approx(512.0, rel=1e-15)
    assert VALLEY.hessian(np.array([7.0, 0.0]))[1, 1] == pytest.approx(VALLEY.floor_curvature)


def test_floor_is_the_least_curved_line_of_the_cross_section_near_it():
    # d > w/2 makes W'' a local minimum at u = 0; a single hyperbola (d = 0) is most curved there.
    offsets = np.linspace(-0.3, 0.3, 61)
    points = np.stack([np.zeros_like(offsets), offsets], axis=-1)
    curved = VALLEY.hessian(points)[:, 1, 1]
    assert offsets[np.argmin(curved)] == 0.0
    single = StuckValley(floor_halfwidth=0.0).hessian(points)[:, 1, 1]
    assert offsets[np.argmax(single)] == 0.0


def test_batch_of_points_equals_point_by_point():
    batch = POINTS.reshape(3, 3, 2)
    assert VALLEY.f(batch).shape == (3, 3)
    assert VALLEY.grad(batch).shape == VALLEY.hessian(batch).shape[:-1] == (3, 3, 2)
    for index in np.ndindex(3, 3):
        assert VALLEY.f(batch[index]) == VALLEY.f(batch)[index]
        assert np.array_equal(VALLEY.grad(batch[index]), VALLEY.grad(batch)[index])
        assert np.array_equal(VALLEY.hessian(batch[index]), VALLEY.hessian(batch)[index])
    value, gradient = TILTED.value_and_grad(batch)
    assert np.array_equal(value, TILTED.f(batch)) and np.array_equal(gradient, TILTED.grad(batch))


def test_attributes_window_and_immutability():
    assert isinstance(VALLEY, Surface) and VALLEY.dim == 2
    assert VALLEY.start == (250.0, 6.0)
    assert VALLEY.window == ((-25.0, 275.0), (-8.0, 8.0))
    assert TILTED.window == ((-44.0, 4.0), (-5.0, 5.0))
    assert not VALLEY.minimizer.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        VALLEY.tilt = 1.0
    points = POINTS.copy()
    VALLEY.grad(points), VALLEY.hessian(points)
    assert np.array_equal(points, POINTS)
    # replace() copies the computed window too, unless it is reset to None
    assert dataclasses.replace(VALLEY, tilt=3e-3, start=(-40, 3), window=None) == TILTED


# ------------------------------------------------------- plain gradient descent: stuck, twice

def descend(lr, steps, grad):
    """Gradient descent from the default start; returns all iterates, shape (steps + 1, 2)."""
    path = np.empty((steps + 1, 2))
    path[0] = VALLEY.start
    point = path[0]
    for k in range(steps):
        point = point - lr * grad(point)
        path[k + 1] = point
    return path


@pytest.fixture(scope="module")
def bouncing():
    """10,000 updates at lr = 1e-2, with the surface's own gradient."""
    return descend(1e-2, 10_000, VALLEY.grad)


@pytest.fixture(scope="module")
def crawling():
    """100,000 updates at lr = 1e-7: a plain scalar loop over the transcribed gradient."""
    x, y = VALLEY.start
    ys = np.empty(100_001)
    ys[0] = y
    for k in range(100_000):
        gx, gy = naive_grad(VALLEY, x, y)
        x, y = x - 1e-7 * gx, y - 1e-7 * gy
        ys[k + 1] = y
    return x, ys


def test_at_lr_1e_2_the_loss_stops_falling_far_above_the_minimum_with_a_large_gradient(bouncing):
    loss = VALLEY.f(bouncing)
    gradient_norm = np.linalg.norm(VALLEY.grad(bouncing), axis=-1)
    plateau = loss[-1]
    assert plateau == pytest.approx(3761.3, abs=0.1)                 # the minimum is 0
    assert np.abs(loss[300:] / plateau - 1).max() < 3e-4              # flat from update 300 on
    assert loss[0] == pytest.approx(4851.0, abs=1.0)
    assert gradient_norm[300:].min() > 977.0                          # never small
    signs = np.sign(bouncing[1:, 1])
    assert np.all(signs[1:] == -signs[:-1])                           # y flips every update
    assert 240.5 < bouncing[-1, 0] < 241.0                            # 9 of 250 along the valley


def test_at_lr_1e_2_the_bounce_is_the_predicted_period_two_orbit(bouncing):
    # Independent prediction: bisection on lr * W'(u) = 2u with the transcribed slope.
    low, high = 1.0, 5.0
    for _ in range(200):
        middle = (low + high) / 2
        if 1e-2 * stable_wall_slope(middle, 1000.0, 1.0, 0.75) > 2 * middle:
            low = middle
        else:
            high = middle
    assert VALLEY.bounce_amplitude(1e-2) == pytest.approx(low, rel=1e-14)
    assert np.abs(bouncing[-2:, 1]) == pytest.approx([low, low], rel=1e-12)
    assert low == pytest.approx(4.8918, abs=1e-4)
    # stable: two updates multiply a small deviation by (1 - lr W''(u*))^2 < 1
    bend = VALLEY.hessian(np.array([0.0, low]))[1, 1]
    assert 0.0 < 1e-2 * bend < 2.0 and (1 - 1e-2 * bend) ** 2 == pytest.approx(0.826, abs=1e-3)


def test_bounce_exists_only_once_the_floor_is_unstable():
    threshold = 2.0 / VALLEY.floor_curvature                          # 3.9e-3
    assert VALLEY.bounce_amplitude(0.9 * threshold) == 0.0
    assert VALLEY.bounce_amplitude(1e-7) == 0.0
    assert VALLEY.bounce_amplitude(1.01 * threshold) > 1.0            # born at full size
    path = descend(0.9 * threshold, 3000, VALLEY.grad)
    assert abs(path[-1, 1]) < 1e-10                                   # settles on the floor
    # Born where lr * max_u W'(u)/u = 2, a little below the floor's threshold (bistable between).
    birth = 2.0 / max(stable_wall_slope(u, 1000.0, 1.0, 0.75) / u
                      for u in np.linspace(0.8, 1.0, 20_001))
    assert birth == pytest.approx(3.5871e-3, abs=1e-7)
    assert VALLEY.bounce_amplitude(birth * (1 + 1e-6)) == pytest.approx(0.887, abs=2e-3)
    assert VALLEY.bounce_amplitude(birth * (1 - 1e-6)) == 0.0


def test_single_hyperbola_bounce_has_the_closed_form_of_the_brief():
    # W' = A u / sqrt(w^2 + u^2): lr W'(u) = 2u gives u* = sqrt((lr A / 2)^2 - w^2) = sqrt(24)
    assert StuckValley(floor_halfwidth=0.0).bounce_amplitude(1e-2) == pytest.approx(
        math.sqrt(24.0), rel=1e-14)


def test_at_lr_1e_7_the_run_stops_bouncing_and_stalls_where_the_valley_turns(crawling):
    x_end, ys = crawling
    assert np.all(ys > 0) and np.all(np.diff(ys) < 0)                 # straight down, no bounce
    assert 0.09 < ys[-1] < 0.1                                        # steep axis: 6 -> 0.096
    assert 0 < VALLEY.start[0] - x_end < 1e-3                         # flat axis: 250 -> 249.999
    assert math.hypot(x_end, ys[-1]) > 249.99
    assert VALLEY.f(np.array([x_end, ys[-1]])) == pytest.approx(19.27, abs=0.01)


def test_crawling_transcription_follows_the_surface_gradient():
    path = descend(1e-7, 5000, VALLEY.grad)
    x, y = VALLEY.start
    for _ in range(5000):
        gx, gy = naive_grad(VALLEY, x, y)
        x, y = x - 1e-7 * gx, y - 1e-7 * gy
    assert path[-1] == pytest.approx([x, y], rel=1e-13)


# -------------------------------------------------------------- AdaGrad in the lecture's form

def lecture_adagrad(rates, steps):
    """sigma_t = RMS of all gradients so far (the current one included); update eta_t g_t / sigma_t.

    ``rates(t)`` returns one rate per run (a column); every run starts at the default start.
    Returns the iterates (steps + 1, runs, 2) and the floor's stability number
    c_t = eta_t / sigma_t[y] * floor_curvature of each update (steps, runs).
    """
    runs = len(rates(0))
    point = np.tile(np.array(VALLEY.start), (runs, 1))
    sum_of_squares = np.zeros((runs, 2))
    path = np.empty((steps + 1, runs, 2))
    path[0] = point
    stability = np.empty((steps, runs))
    for t in range(steps):
        g = VALLEY.grad(point)
        sum_of_squares = sum_of_squares + g * g
        sigma = np.sqrt(sum_of_squares / (t + 1))
        eta = rates(t)
        point = point - eta * g / sigma
        path[t + 1] = point
        stability[t] = eta[:, 0] / sigma[:, 1] * VALLEY.floor_curvature
    return path, stability


@pytest.fixture(scope="module")
def adagrad():
    """Three runs of 3000 updates: constant eta, eta/sqrt(t+1) (Duchi), eta/sqrt(1 + t/50)."""
    def rates(t):
        return ADAGRAD_LR * np.array([[1.0], [1.0 / math.sqrt(t + 1)],
                                      [1.0 / math.sqrt(1 + t / DECAY_STEPS)]])
    return lecture_adagrad(rates, 3000)


def test_lecture_adagrad_passes_the_turn_and_reaches_the_minimum_in_1000_updates(adagrad):
    path, _ = adagrad
    assert np.linalg.norm(path[1000, 0]) < 1e-5                       # measured 8.9e-6
    assert np.abs(path[:1001, 0, 0]).max() <= 250.0


def test_lecture_adagrad_erupts_three_times_near_the_end_and_settles_after_each(adagrad):
    path, _ = adagrad
    found = bursts(path[:1001, 0, 1])
    assert [start for start, _, _ in found] == [213, 399, 679]
    assert [end for _, end, _ in found] == [249, 442, 741]
    assert [peak for _, _, peak in found] == pytest.approx([3.058, 1.724, 1.729], abs=1e-3)
    onset_x = [path[start, 0, 0] for start, _, _ in found]
    assert onset_x == pytest.approx([59.505, 4.339, 0.0201], abs=1e-3)  # of 250: the last 24%
    # between bursts the offset falls back by orders of magnitude
    assert np.abs(path[250:399, 0, 1]).min() < 1e-4 and np.abs(path[443:679, 0, 1]).min() < 1e-5


def test_each_eruption_is_the_floor_turning_unstable_when_eta_eff_times_curvature_passes_two(
        adagrad):
    path, stability = adagrad
    y, c = path[:, 0, 1], stability[:, 0]
    previous_end, crossings, seeds, onset_c, after_c = 20, [], [], [], []
    for start, end, _ in bursts(y[:1001]):
        quiet = np.arange(previous_end, start)
        lowest = quiet[np.argmin(np.abs(y[quiet]))]
        # the offset shrinks while c < 2 and grows once c > 2: its minimum is the crossing
        assert c[lowest - 1] < 2.0 < c[lowest]
        assert np.all(c[lowest:start] > 2.0)
        # near the floor the offset is multiplied by exactly |1 - c_t| per update
        small = quiet[(np.abs(y[quiet]) < 1e-3) & (np.abs(y[quiet + 1]) < 1e-3)]
        assert small.size > 80
        assert np.abs(y[small + 1] / y[small]) == pytest.approx(np.abs(1 - c[small]), rel=1e-6)
        crossings.append(lowest)
        seeds.append(abs(y[lowest]))
        onset_c.append(c[start - 1])
        after_c.append(c[end])
        previous_end = end
    assert crossings == [75, 318, 552]
    assert seeds == pytest.approx([1.48e-32, 5.49e-5, 1.04e-6], rel=0.01)
    assert onset_c == pytest.approx([3.354, 2.229, 2.211], abs=1e-3)
    assert after_c == pytest.approx([1.772, 1.791, 1.802], abs=1e-3)   # the burst inflated sigma
    # c grows like sqrt(t) between bursts: sigma averages ever more tiny gradients
    assert c[560] / c[460] == pytest.approx(math.sqrt(561 / 461), rel=1e-3)


def test_eruptions_come_from_the_dynamics_not_from_rounding():
    """The same run in 80-bit long double (rounding 2000 times finer) erupts at the same steps:
    the offset that each eruption amplifies is the exact remnant of the motion (1e-32 before
    the first), not rounding noise, because the valley is separable and W' is evaluated in a
    form with full relative precision."""
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("long double is no wider than double on this platform")
    found = {}
    for kind in (np.float64, np.longdouble):
        A, w, d = kind(1000), kind(1), kind(0.75)
        x, y = kind(250), kind(6)
        sums = [kind(0), kind(0)]
        ys = []
        for t in range(1000):
            gx = kind(0.1) * x / np.sqrt(kind(100) ** 2 + x * x)
            gy = stable_wall_slope(y, A, w, d)
            sums = [sums[0] + gx * gx, sums[1] + gy * gy]
            x = x - gx / np.sqrt(sums[0] / (t + 1))
            y = y - gy / np.sqrt(sums[1] / (t + 1))
            ys.append(float(y))
        found[kind] = [start for start, _, _ in bursts(np.r_[6.0, ys])]
    assert found[np.float64] == found[np.longdouble] == [213, 399, 679]


def test_with_the_plain_slope_formula_the_floor_offset_rounds_to_a_dead_stop_and_never_erupts():
    """Why W' is rationalised: the plain difference of slopes rounds to exactly 0 on the floor,
    y freezes at an unstable fixed point although c > 2, and the eruptions are lost."""
    x, y = VALLEY.start
    sums, ys, frozen = [0.0, 0.0], [y], 0
    for t in range(1000):
        gx, gy = naive_grad(VALLEY, x, y)
        frozen += gy == 0.0 and y != 0.0
        sums = [sums[0] + gx * gx, sums[1] + gy * gy]
        x, y = x - gx / math.sqrt(sums[0] / (t + 1)), y - gy / math.sqrt(sums[1] / (t + 1))
        ys.append(y)
    assert bursts(np.array(ys)) == [] and frozen > 500


def test_duchi_decay_removes_the_eruptions_but_crawls(adagrad):
    path, stability = adagrad
    assert bursts(path[:, 1, 1]) == []
    assert stability[20:, 1].max() < 0.2                              # far from 2
    assert 140.0 < path[-1, 1, 0] < 150.0                             # x: 250 -> 144 in 3000


def test_inverse_sqrt_decay_with_time_scale_50_removes_the_eruptions_and_reaches_the_minimum(
        adagrad):
    path, stability = adagrad
    assert bursts(path[:, 2, 1]) == []
    assert stability[20:, 2].max() < 1.65                             # bounded by construction
    assert np.linalg.norm(path[1000, 2]) == pytest.approx(6.46, abs=0.01)
    assert np.linalg.norm(path[-1, 2]) < 2e-3                         # measured 1.9e-3


# --------------------------------------------------------------------------- argument checks

INVALID = [
    (dict(wall_slope=0.0), ValueError, "wall_slope must be a finite number > 0; got wall_slope=0.0"),
    (dict(wall_width=float("nan")), ValueError,
     "wall_width must be a finite number > 0; got wall_width=nan"),
    (dict(floor_halfwidth=-1.0), ValueError,
     "floor_halfwidth must be a finite number >= 0; got floor_halfwidth=-1.0"),
    (dict(valley_slope="steep"), TypeError,
     "valley_slope must be a real number; got valley_slope='steep' (str)"),
    (dict(basin_width=float("inf")), ValueError,
     "basin_width must be a finite number > 0; got basin_width=inf"),
    (dict(tilt=float("nan")), ValueError, "tilt must be a finite number; got tilt=nan"),
    (dict(start=(1.0,)), ValueError,
     "start must be a pair (x0, y0) of finite numbers; got start=(1.0,)"),
    (dict(start=(1.0, float("nan"))), ValueError,
     "start must be a pair (x0, y0) of finite numbers; got start=(1.0, nan)"),
    (dict(start="xy"), TypeError,
     "start must be a pair (x0, y0) of finite numbers; got start='xy' (str)"),
    (dict(window=((1.0, 0.0), (0.0, 1.0))), ValueError,
     "window must be a pair ((x_lo, x_hi), (y_lo, y_hi)) of finite numbers with lo < hi; "
     "got window=((1.0, 0.0), (0.0, 1.0))"),
]


@pytest.mark.parametrize("kwargs, error, message", INVALID)
def test_invalid_arguments_raise_with_exact_message(kwargs, error, message):
    with pytest.raises(error) as caught:
        StuckValley(**kwargs)
    assert str(caught.value) == message


def test_bad_learning_rate_or_points_raise():
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0; got lr=0$"):
        VALLEY.bounce_amplitude(0)
    with pytest.raises(ValueError, match=r"^x must be an array of shape \(\.\.\., 2\)"):
        VALLEY.f(np.zeros(3))
