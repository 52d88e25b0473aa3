"""Tests of lrlib.plotting: each function returns its Axes, draws what it should, labels it,
annotates divergence, and leaves global matplotlib state alone."""

import dataclasses
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from lrlib.plotting import (  # noqa: E402
    OKABE_ITO,
    PALETTE,
    contour_grid,
    plot_contours,
    plot_grad_norm,
    plot_loss,
    plot_schedule,
    plot_sweep,
)
from lrlib.surfaces import BumpyLandscape, Quadratic, Rosenbrock  # noqa: E402
from lrlib.trajectory import run, sweep  # noqa: E402


@dataclasses.dataclass(frozen=True)
class PlainGD:
    lr: object

    def init(self, params):
        return 0

    def step(self, params, grads, state):
        return params - self.lr * grads, state + 1


QUAD = Quadratic(eigenvalues=[1.0, 10.0])
X0 = np.array([1.5, 1.0])


@pytest.fixture(autouse=True)
def fresh_figures():
    """Every test starts without figures, fails on any warning (also while its figures are
    rendered), and closes what it opened."""
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
        for number in plt.get_fignums():
            plt.figure(number).canvas.draw()
    plt.close("all")


@pytest.fixture
def ax():
    return plt.subplots()[1]


def converging():
    return run(PlainGD(0.05), QUAD, X0, 50)


def diverging():
    return run(PlainGD(0.25), QUAD, X0, 50, max_loss=1e6)


def texts(ax):
    return [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------------------- palette

def test_palette_is_the_eight_okabe_ito_colours_starting_with_blue():
    assert len(PALETTE) == 8 and len(set(PALETTE)) == 8
    assert PALETTE[0] == "#0072B2" and OKABE_ITO["vermillion"] == "#D55E00"
    assert all(re.fullmatch(r"#[0-9A-F]{6}", colour) for colour in PALETTE)
    assert set(PALETTE) == {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                            "#D55E00", "#CC79A7"}


# ---------------------------------------------------------------------------- plot_schedule

def test_plot_schedule_draws_the_rates_of_each_step(ax):
    def schedule(n):
        return 0.1 * 0.5 ** (n // 10)

    out = plot_schedule(schedule, 30, ax=ax, label="halving")
    assert out is ax and isinstance(out, Axes)
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), np.arange(30))
    np.testing.assert_array_equal(line.get_ydata(), [schedule(n) for n in range(30)])
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "learning rate" and ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["halving"]
    assert matplotlib.colors.same_color(line.get_color(), PALETTE[0])


def test_plot_schedule_takes_an_array_of_steps_and_gives_the_next_curve_the_next_colour(ax):
    plot_schedule(lambda n: 0.1, 5, ax=ax)
    plot_schedule(lambda n: 0.01 * n, np.array([0, 5, 10]), ax=ax)
    assert len(ax.lines) == 2 and ax.get_legend() is None
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [0, 5, 10])
    assert matplotlib.colors.same_color(ax.lines[1].get_color(), PALETTE[1])


def test_plot_schedule_without_ax_draws_on_the_current_axes():
    current = plt.figure().add_subplot()
    assert plot_schedule(lambda n: 0.1, 3) is current


def test_plot_schedule_with_a_library_schedule():
    schedules = pytest.importorskip("lrlib.schedules")
    schedule = schedules.ExponentialDecay(lr0=0.1, decay=0.5)
    ax = plot_schedule(schedule, 4)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 0.1 * np.exp(-0.5 * np.arange(4)), rtol=1e-15)


# ---------------------------------------------------------------------------- plot_contours

def test_plot_contours_draws_levels_minimum_and_each_run_with_start_and_end_markers(ax):
    out = plot_contours(QUAD, ax=ax, trajectories=[converging(), diverging()], labels=["0.05", "0.25"])
    assert out is ax
    assert any(isinstance(c, ContourSet) for c in ax.collections) or ax.collections
    assert len(ax.lines) == 1 + 2 * 3  # minimum star, then path + start + end per run
    assert ax.lines[0].get_marker() == "*"
    assert texts(ax) == ["diverged at step 16"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["minimum", "0.05", "0.25"]
    assert ax.get_xlim() == QUAD.window[0] and ax.get_ylim() == QUAD.window[1]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_plot_contours_pins_the_divergence_note_inside_the_window(ax):
    plot_contours(QUAD, ax=ax, trajectories=diverging())
    (note,) = ax.texts
    x, y = note.xy
    (x_lo, x_hi), (y_lo, y_hi) = QUAD.window
    assert x_lo <= x <= x_hi and y_lo <= y <= y_hi


def test_plot_contours_draws_every_member_of_a_sweep(ax):
    traj = sweep(PlainGD, [0.01, 0.05, 0.25], QUAD, X0, 40, max_loss=1e6)
    plot_contours(QUAD, ax=ax, trajectories=traj)
    assert len(ax.lines) == 1 + 3 * 3
    assert texts(ax) == ["diverged at step 16"]


def test_plot_contours_accepts_plain_arrays_and_levels(ax):
    path = np.array([[1.0, 1.0], [0.5, -0.5], [0.0, 0.0]])
    plot_contours(QUAD, ax=ax, trajectories=path, levels=[0.1, 1.0, 5.0])
    assert len(ax.lines) == 4 and texts(ax) == []
    np.testing.assert_array_equal(ax.lines[1].get_xydata(), path)


class CountingSurface:
    """Wraps a surface and counts evaluations of f."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0
        self.dim, self.window, self.minimizer, self.min_value = 2, inner.window, inner.minimizer, 0.0

    def f(self, x):
        self.calls += 1
        return self.inner.f(x)


def test_plot_contours_reuses_a_precomputed_grid_without_evaluating_the_surface(ax):
    surface = CountingSurface(Rosenbrock())
    grid = contour_grid(surface, resolution=50)
    assert surface.calls == 1 and grid[2].shape == (50, 50)
    plot_contours(surface, ax=ax, grid=grid)
    assert surface.calls == 1


def test_contour_grid_evaluates_the_surface_on_the_window():
    X, Y, Z = contour_grid(Rosenbrock(), resolution=11)
    assert X[0, 0] == -2.0 and X[0, -1] == 2.0 and Y[0, 0] == -1.0 and Y[-1, 0] == 3.0
    np.testing.assert_array_equal(Z, Rosenbrock().f(np.stack([X, Y], axis=-1)))


def test_plot_contours_log_levels_are_geometric_above_the_minimum(ax):
    plot_contours(QUAD, ax=ax, levels=5)
    (contours,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    heights = np.asarray(contours.levels)
    ratios = heights[1:] / heights[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12)


def test_plot_contours_rejects_a_surface_that_is_not_two_dimensional():
    with pytest.raises(ValueError, match=r"surface must be a 2-D surface \(dim == 2\)"):
        plot_contours(BumpyLandscape())


def test_labels_must_match_the_number_of_runs(ax):
    with pytest.raises(ValueError, match=r"labels must be 2 labels \(one per run\); got labels=\['a'\]"):
        plot_contours(QUAD, ax=ax, trajectories=[converging(), converging()], labels=["a"])


# ---------------------------------------------------------------------------- plot_loss, plot_grad_norm

def test_plot_loss_draws_one_curve_per_run_on_a_log_axis(ax):
    out = plot_loss([converging(), converging()], ax=ax, labels=["a", "b"])
    assert out is ax and len(ax.lines) == 2
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), converging().loss)
    assert texts(ax) == []


def test_plot_loss_cuts_a_diverged_run_and_annotates_it(ax):
    traj = diverging()
    plot_loss([converging(), traj], ax=ax)
    curve = ax.lines[1]
    assert curve.get_xdata()[-1] == traj.diverged_at == 16
    assert np.all(np.isfinite(curve.get_ydata()))
    assert ax.lines[2].get_marker() == "X"
    assert texts(ax) == ["diverged at step 16"]


def test_plot_loss_of_an_overflowing_run_stops_at_the_last_finite_value(ax):
    traj = run(PlainGD(1.0), Quadratic(eigenvalues=[100.0]), [1.0], 1000, max_loss=np.inf)
    assert not np.isfinite(traj.loss[-1]) and traj.loss[-2] > 1e300
    plot_loss(traj, ax=ax)
    ax.figure.canvas.draw()  # tick placement must not overflow either
    assert ax.lines[0].get_xdata()[-1] == np.flatnonzero(traj.loss <= 1e100)[-1]
    assert texts(ax) == [f"diverged at step {traj.diverged_at}"]


def test_plot_loss_of_a_batch_draws_each_member_and_each_divergence(ax):
    traj = sweep(PlainGD, [0.01, 0.25, 0.3], QUAD, X0, 60, max_loss=1e6)
    plot_loss(traj, ax=ax)
    assert len(ax.lines) == 3 + 2  # three curves, two divergence crosses
    assert sorted(texts(ax)) == sorted(f"diverged at step {k}" for k in traj.diverged_at[1:])


def test_plot_loss_of_a_run_diverged_at_the_start_is_not_empty(ax):
    traj = run(PlainGD(0.1), QUAD, [50.0, 50.0], 10, max_loss=10.0)
    plot_loss(traj, ax=ax)
    assert len(ax.lines[0].get_xdata()) == 1
    assert texts(ax) == ["diverged at step 0"]


def test_plot_loss_gap_subtracts_the_minimum_and_linear_axis_keeps_negative_values(ax):
    bumpy = BumpyLandscape()
    traj = run(PlainGD(0.5), bumpy, [3.0], 100)
    plot_loss(traj, ax=ax, log=False)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), traj.loss)
    other = plt.subplots()[1]
    plot_loss(traj, ax=other, gap=True)
    assert other.get_ylabel() == "loss − minimum"
    assert np.all(other.lines[0].get_ydata() > 0)


def test_plot_grad_norm_draws_the_exact_gradient_norm(ax):
    traj = converging()
    out = plot_grad_norm([traj, diverging()], ax=ax, labels=["ok", "too big"])
    assert out is ax and ax.get_ylabel() == "gradient norm" and ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), traj.grad_norm)
    assert texts(ax) == ["diverged at step 16"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ok", "too big"]


# ---------------------------------------------------------------------------- plot_sweep

def test_plot_sweep_marks_diverged_rates_at_the_top_edge(ax):
    lrs = np.array([0.01, 0.05, 0.1, 0.25, 0.3])
    traj = sweep(PlainGD, lrs, QUAD, X0, 60, max_loss=1e6)
    out = plot_sweep(lrs, traj, ax=ax, label="GD")
    assert out is ax and ax.get_xscale() == "log" and ax.get_yscale() == "log"
    curve, crosses = ax.lines
    np.testing.assert_array_equal(curve.get_ydata()[:3], traj.final_loss[:3])
    assert np.all(np.isnan(curve.get_ydata()[3:]))
    np.testing.assert_array_equal(crosses.get_xdata(), [0.25, 0.3])
    np.testing.assert_array_equal(crosses.get_ydata(), [0.97, 0.97])
    assert texts(ax) == ["diverged for lr >= 0.25"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GD", "diverged"]
    assert ax.get_title() == "Loss after 60 steps" and ax.get_xlabel() == "learning rate"


def test_plot_sweep_with_plain_arrays_detects_non_finite_losses(ax):
    plot_sweep([0.1, 1.0, 10.0], [1.0, np.inf, 0.5], ax=ax)
    assert texts(ax) == ["1 of 3 rates diverged"]
    assert ax.get_title() == "Final loss against learning rate"


def test_plot_sweep_where_every_rate_diverged_still_draws(ax):
    plot_sweep([1.0, 2.0], [np.inf, np.nan], ax=ax)
    assert len(ax.lines[1].get_xdata()) == 2
    assert texts(ax) == ["diverged for lr >= 1"]


def test_plot_sweep_rejects_rates_that_a_log_axis_cannot_show(ax):
    with pytest.raises(ValueError, match=r"lrs must be a non-empty 1-D array of finite numbers > 0"):
        plot_sweep([0.0, 0.1], [1.0, 1.0], ax=ax)
    with pytest.raises(ValueError, match=r"final_losses must be an array of shape \(2,\)"):
        plot_sweep([0.1, 0.2], [1.0], ax=ax)


# ---------------------------------------------------------------------------- global state

def test_no_function_changes_rcparams_or_calls_show(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", forbidden)
    before = dict(matplotlib.rcParams)
    ax = plt.subplots()[1]
    plot_schedule(lambda n: 0.1, 3, ax=ax)
    plot_contours(QUAD, ax=plt.subplots()[1], trajectories=diverging())
    plot_loss(diverging(), ax=plt.subplots()[1])
    plot_grad_norm(converging(), ax=plt.subplots()[1])
    plot_sweep([0.1, 1.0], [1.0, np.inf], ax=plt.subplots()[1])
    assert dict(matplotlib.rcParams) == before


def test_ax_must_be_an_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None; got ax='left' \\(str\\)"):
        plot_loss(converging(), ax="left")
