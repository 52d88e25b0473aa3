r"""Figures of the book: schedules, contours with iterates, loss curves, learning-rate sweeps.

Every function takes ``ax=None`` (meaning the current Axes, ``plt.gca()``), draws into it and
returns it; none calls ``plt.show()`` or touches rcParams. Colours come from :data:`PALETTE`, the
Okabe-Ito palette, which stays distinguishable under the common colour-vision deficiencies. A
run that diverged is cut where it went bad and annotated "diverged at step k".
matplotlib is imported when a function draws, so ``import lrlib`` stays light.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int, check_lr, check_steps, fail_type, fail_value, lr_at
from .trajectory import Trajectory

__all__ = ["PALETTE", "OKABE_ITO", "contour_grid", "plot_schedule", "plot_contours", "plot_loss",
           "plot_grad_norm", "plot_sweep"]

#: The Okabe-Ito colours by name (Okabe & Ito, "Color Universal Design", 2008).
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish green": "#009E73",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: The order in which curves take colours: the Okabe-Ito palette, strongest contrasts first.
PALETTE = tuple(OKABE_ITO.values())

_DIVERGED_COLOUR = OKABE_ITO["vermillion"]

# Values above this are left off the charts: matplotlib's log-axis tick placement overflows
# (with a RuntimeWarning) once the data reach about 1e150 on a small axes. It equals run's
# default max_loss, so a run that went past it has diverged by that default.
_CEILING = 1e100


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        return plt.gca()
    if not (hasattr(ax, "plot") and hasattr(ax, "set_title")):
        raise fail_type("ax", "a matplotlib Axes or None", ax)
    return ax


def _runs(traj_or_trajs) -> list:
    """Flatten a Trajectory, a batch Trajectory or a sequence of them into single runs."""
    items = [traj_or_trajs] if isinstance(traj_or_trajs, Trajectory) else list(traj_or_trajs)
    runs = []
    for item in items:
        if not isinstance(item, Trajectory):
            raise fail_type("trajectories", "Trajectory objects (or a sequence of them)", item)
        if item.batch_shape:
            runs.extend(item.member(index) for index in np.ndindex(item.batch_shape))
        else:
            runs.append(item)
    return runs


def _labels(labels, count: int) -> list:
    if labels is None:
        return [None] * count
    if isinstance(labels, str):
        labels = [labels]
    labels = list(labels)
    if len(labels) != count:
        raise fail_value("labels", f"{count} labels (one per run)", labels)
    return labels


def _annotate_divergence(ax, run, point, colour, slot: int):
    """Write "diverged at step k" next to ``point``, on the side facing the middle of the axes.

    Call it after the limits are final (after everything is drawn).
    """
    text = f"diverged at step {run.diverged_at}"
    if point is None:  # nothing finite to point at: write it in a corner
        ax.text(0.02, 0.96 - 0.07 * slot, text, transform=ax.transAxes, va="top", color=colour,
                fontsize="small")
        return
    ax.get_xlim(), ax.get_ylim()  # bring pending autoscaling up to date before transforming
    fx, fy = ax.transAxes.inverted().transform(ax.transData.transform(point))
    right, top = fx > 0.5, fy > 0.5
    ax.annotate(text, xy=point, xytext=(-8 if right else 8, -8 if top else 8),
                textcoords="offset points", ha="right" if right else "left",
                va="top" if top else "bottom", color=colour, fontsize="small")


def plot_schedule(schedule, steps, ax=None, label=None, **kwargs):
    r"""Plot a learning-rate schedule against the step.

    Parameters
    ----------
    schedule : callable
        ``schedule(n)`` is the rate of update ``n`` (every lrlib schedule; any callable).
    steps : int or array_like of int
        ``N`` plots steps ``0 .. N-1``; an array plots those steps.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend entry (a legend is drawn when given).
    **kwargs
        Passed to ``ax.plot`` (``color`` defaults to the next :data:`PALETTE` colour).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    The schedule is called once per step with a plain int, exactly as an optimizer calls it,
    so any callable works.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_schedule(lambda n: 0.1 * 0.5 ** (n // 10), 30, ax=ax, label="halve every 10")
    >>> ax.lines[0].get_ydata()[[0, 10, 29]]
    array([0.1  , 0.05 , 0.025])
    >>> plt.close(fig)
    """
    if not callable(schedule):
        raise fail_type("schedule", "a callable step -> lr (a schedule)", schedule)
    if isinstance(steps, (int, np.integer)) and not isinstance(steps, bool):
        grid = np.arange(check_int("steps", steps, min_value=1))
    else:
        grid = np.atleast_1d(check_steps(steps))
    values = np.array([float(np.asarray(lr_at(schedule, int(n)), dtype=float)) for n in grid])
    ax = _axes(ax)
    kwargs.setdefault("color", PALETTE[len(ax.lines) % len(PALETTE)])
    ax.plot(grid, values, label=label, **kwargs)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_title("Learning-rate schedule")
    if label is not None:
        ax.legend()
    return ax


def contour_grid(surface, window=None, resolution=200):
    """The grid ``(X, Y, Z)`` that :func:`plot_contours` draws: compute it once, reuse it.

    ``Z = surface.f`` on a ``resolution x resolution`` grid over ``window`` (default: the
    surface's).

    >>> from lrlib.surfaces import Rosenbrock
    >>> X, Y, Z = contour_grid(Rosenbrock(), resolution=5)
    >>> Z.shape, float(Z[2, 3])
    ((5, 5), 0.0)
    """
    if getattr(surface, "dim", None) != 2:
        raise fail_value("surface", "a 2-D surface (dim == 2)", surface)
    window = surface.window if window is None else window
    if window is None:
        raise fail_value("window", "given when the surface has no window", window)
    (x_lo, x_hi), (y_lo, y_hi) = window
    resolution = check_int("resolution", resolution, min_value=2)
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
    with np.errstate(all="ignore"):
        Z = np.asarray(surface.f(np.stack([X, Y], axis=-1)), dtype=float)
    return X, Y, Z


def _contour_levels(Z, levels, log_levels, min_value):
    if not isinstance(levels, (int, np.integer)) or isinstance(levels, bool):
        return np.asarray(levels, dtype=float)
    count = check_int("levels", levels, min_value=1)
    finite = Z[np.isfinite(Z)]
    floor = finite.min() if min_value is None else min(min_value, finite.min())
    top = finite.max() - floor
    if not log_levels or not top > 0:
        return count
    # Geometric heights above the minimum: equal spacing in log(f - f_min) shows both the
    # steep walls and the flat floor of a valley.
    return floor + np.geomspace(top * 1e-4, top, count)


def plot_contours(surface, ax=None, trajectories=(), labels=None, levels=20, log_levels=True, *,
                  grid=None, window=None, resolution=200):
    r"""Contour lines of a 2-D surface, with iterates drawn over them.

    Parameters
    ----------
    surface : 2-D surface
    ax : matplotlib Axes, optional
    trajectories : Trajectory or sequence of Trajectory or of arrays of shape (n, 2)
        Runs to draw: a line through the iterates with a circle at the start and a square at
        the end (a cross where a run diverged, annotated "diverged at step k"). A batch
        Trajectory draws each member.
    labels : sequence of str, optional
        One legend entry per run (a legend is drawn when given).
    levels : int or array_like, default 20
        Number of contour levels, or the levels themselves.
    log_levels : bool, default True
        Space the levels geometrically in :math:`f - f_{\min}` (else linearly).
    grid : tuple (X, Y, Z), optional
        A grid from :func:`contour_grid`, to skip recomputing it (e.g. in a widget callback).
    window : tuple, optional
        Plot window ``((x_lo, x_hi), (y_lo, y_hi))``; default the surface's.
    resolution : int, default 200
        Grid points per axis when ``grid`` is not given.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    The known minimiser is marked with a black star. Iterates outside the window are clipped by
    the axes; a divergence annotation is pinned inside the window.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrlib.surfaces import Quadratic
    >>> fig, ax = plt.subplots()
    >>> path = np.array([[1.5, 1.0], [0.5, -0.5], [0.1, 0.1]])
    >>> ax = plot_contours(Quadratic(eigenvalues=[1.0, 4.0]), ax=ax, trajectories=[path])
    >>> len(ax.lines)      # minimum, path, start marker, end marker
    4
    >>> plt.close(fig)
    """
    ax = _axes(ax)
    if grid is None:
        grid = contour_grid(surface, window, resolution)
    elif getattr(surface, "dim", None) != 2:
        raise fail_value("surface", "a 2-D surface (dim == 2)", surface)
    X, Y, Z = grid
    window = window if window is not None else surface.window
    if window is None:
        window = ((float(np.min(X)), float(np.max(X))), (float(np.min(Y)), float(np.max(Y))))
    contour_levels = _contour_levels(Z, levels, log_levels, getattr(surface, "min_value", None))
    ax.contour(X, Y, Z, levels=contour_levels, colors="0.6", linewidths=0.7)
    minimizer = getattr(surface, "minimizer", None)
    if minimizer is not None:
        ax.plot([minimizer[0]], [minimizer[1]], marker="*", color="black", markersize=11,
                linestyle="none", label="minimum")
    items = [trajectories] if isinstance(trajectories, (Trajectory, np.ndarray)) else list(trajectories)
    paths = []
    for item in items:
        if isinstance(item, Trajectory):
            paths.extend((run.params, run) for run in _runs(item))
        else:
            points = np.asarray(item, dtype=float)
            if points.ndim != 2 or points.shape[1] != 2:
                raise fail_value("trajectories", "Trajectory objects or arrays of shape (n, 2)", item)
            paths.append((points, None))
    names = _labels(labels, len(paths))
    (x_lo, x_hi), (y_lo, y_hi) = window
    pending = []
    for i, ((points, run), name) in enumerate(zip(paths, names)):
        colour = PALETTE[i % len(PALETTE)]
        finite = points[np.isfinite(points).all(axis=1)]
        if len(finite) == 0:
            continue
        ax.plot(finite[:, 0], finite[:, 1], color=colour, linewidth=1.3, marker=".", markersize=3,
                label=name)
        ax.plot(finite[:1, 0], finite[:1, 1], marker="o", color=colour, linestyle="none")
        diverged = run is not None and run.diverged
        ax.plot(finite[-1:, 0], finite[-1:, 1], marker="X" if diverged else "s", color=colour,
                linestyle="none")
        if diverged:
            end = (min(max(finite[-1, 0], x_lo), x_hi), min(max(finite[-1, 1], y_lo), y_hi))
            pending.append((run, end, colour, i))
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    for args in pending:
        _annotate_divergence(ax, *args)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"{type(surface).__name__}: contours and iterates")
    if labels is not None:
        ax.legend(fontsize="small")
    return ax


def _drawable(values, log: bool):
    """Which values a chart can draw: finite, at most 1e100 in size, and > 0 on a log axis."""
    with np.errstate(invalid="ignore"):
        fits = np.isfinite(values) & (np.abs(values) <= _CEILING)
        return fits & (values > 0) if log else fits


def _plot_curves(ax, traj_or_trajs, labels, log, field, ylabel, title, gap):
    ax = _axes(ax)
    runs = _runs(traj_or_trajs)
    names = _labels(labels, len(runs))
    if log:
        ax.set_yscale("log")
    pending = []
    for i, (run, name) in enumerate(zip(runs, names)):
        colour = PALETTE[i % len(PALETTE)]
        values = np.asarray(getattr(run, field), dtype=float)
        if gap:
            if run.min_value is None:
                raise fail_value("gap", "False for a run whose surface has no known min_value", gap)
            values = values - run.min_value
        steps = np.arange(len(values))
        shown = _drawable(values, log)
        ax.plot(steps[shown], values[shown], color=colour, label=name)
        if run.diverged:
            point = None
            if shown.any():
                last = np.flatnonzero(shown)[-1]
                point = (steps[last], values[last])
                ax.plot([point[0]], [point[1]], marker="X", color=colour, linestyle="none")
            pending.append((run, point, colour, i))
    for args in pending:
        _annotate_divergence(ax, *args)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if labels is not None:
        ax.legend(fontsize="small")
    return ax


def plot_loss(traj_or_trajs, ax=None, labels=None, log=True, *, gap=False):
    r"""Loss against step, one curve per run.

    Parameters
    ----------
    traj_or_trajs : Trajectory or sequence of Trajectory
        A batch Trajectory draws one curve per member.
    ax : matplotlib Axes, optional
    labels : sequence of str, optional
        One legend entry per run (a legend is drawn when given).
    log : bool, default True
        Logarithmic loss axis; values <= 0 cannot be shown on it and are left out (use
        ``log=False`` or ``gap=True`` for a surface whose loss can be <= 0). Values above
        1e100 (run's default ``max_loss``) are left out on either axis.
    gap : bool, default False
        Plot :math:`f(\theta_k) - f_{\min}` (needs the surface's ``min_value``).

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    A run that diverged is drawn up to its last finite value, marked with a cross and annotated
    "diverged at step k"; non-finite values are never handed to matplotlib.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> traj = Trajectory(params=[[1.0], [3.0], [np.inf]], loss=[1.0, 9.0, np.inf], lr=[2.0, 2.0],
    ...                   grad_norm=[2.0, 6.0, np.inf], diverged_at=2, steps=10)
    >>> fig, ax = plt.subplots()
    >>> ax = plot_loss(traj, ax=ax)
    >>> [t.get_text() for t in ax.texts]
    ['diverged at step 2']
    >>> plt.close(fig)
    """
    ylabel = "loss − minimum" if gap else "loss"
    return _plot_curves(ax, traj_or_trajs, labels, log, "loss", ylabel, "Loss against step", gap)


def plot_grad_norm(traj_or_trajs, ax=None, labels=None, log=True):
    r"""Norm of the exact gradient against step, one curve per run.

    Parameters, returns and the treatment of diverged runs as for :func:`plot_loss`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> traj = Trajectory(params=[[1.0], [0.5]], loss=[0.5, 0.125], lr=[0.5], grad_norm=[1.0, 0.5],
    ...                   diverged_at=None, steps=1)
    >>> fig, ax = plt.subplots()
    >>> ax = plot_grad_norm(traj, ax=ax)
    >>> ax.get_ylabel(), len(ax.lines)
    ('gradient norm', 1)
    >>> plt.close(fig)
    """
    return _plot_curves(ax, traj_or_trajs, labels, log, "grad_norm", "gradient norm",
                        "Gradient norm against step", False)


def plot_sweep(lrs, final_losses, ax=None, *, diverged=None, label=None, log=True, **kwargs):
    r"""Loss after a fixed number of steps against the learning rate, on log axes.

    Parameters
    ----------
    lrs : array_like, shape (K,)
        Learning rates, > 0 (the axis is logarithmic).
    final_losses : array_like, shape (K,), or Trajectory
        Loss after the last step per rate; a Trajectory from :func:`lrlib.sweep` gives its
        ``final_loss``, ``diverged`` and ``steps``.
    ax : matplotlib Axes, optional
    diverged : array_like of bool, optional
        Which rates diverged; default: those whose final loss is not finite.
    label : str, optional
        Legend entry of the curve.
    log : bool, default True
        Logarithmic loss axis (the rate axis is always logarithmic).
    **kwargs
        Passed to ``ax.plot`` for the curve.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Diverged rates are marked with vermillion crosses along the top edge, with the legend entry
    "diverged" and a note of the smallest diverged rate.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = plot_sweep([0.01, 0.1, 1.0], [0.5, 1e-3, np.inf], ax=ax)
    >>> len(ax.lines), [t.get_text() for t in ax.texts]
    (2, ['diverged for lr >= 1'])
    >>> plt.close(fig)
    """
    steps = None
    if isinstance(final_losses, Trajectory):
        if diverged is None:
            diverged = final_losses.diverged
        steps = final_losses.steps
        final_losses = final_losses.final_loss
    rates = check_lr("lrs", lrs, allow_callable=False)
    if np.ndim(rates) != 1 or np.size(rates) == 0 or not np.all(rates > 0):
        raise fail_value("lrs", "a non-empty 1-D array of finite numbers > 0", lrs)
    losses = np.array(final_losses, dtype=float)
    if losses.shape != rates.shape:
        raise fail_value("final_losses", f"an array of shape {rates.shape} (one per rate)", final_losses)
    mask = ~np.isfinite(losses) if diverged is None else np.array(diverged, dtype=bool)
    if mask.shape != rates.shape:
        raise fail_value("diverged", f"an array of {rates.size} booleans (one per rate)", diverged)
    ax = _axes(ax)
    ax.set_xscale("log")
    if log:
        ax.set_yscale("log")
    shown = ~mask & _drawable(losses, log)
    kwargs.setdefault("color", PALETTE[0])
    kwargs.setdefault("marker", ".")
    # NaN where nothing is shown, so the curve breaks at diverged rates instead of bridging them.
    ax.plot(rates, np.where(shown, losses, np.nan), label=label, **kwargs)
    if mask.any():
        ax.plot(rates[mask], np.full(mask.sum(), 0.97), transform=ax.get_xaxis_transform(),
                marker="X", color=_DIVERGED_COLOUR, linestyle="none", label="diverged")
        first = rates[mask].min()
        note = (f"diverged for lr >= {first:.3g}" if np.all(mask[rates >= first]) else
                f"{int(mask.sum())} of {rates.size} rates diverged")
        middle = np.sqrt(rates.min() * rates.max())  # keep the note inside the axes
        ax.text(first, 0.90, note, transform=ax.get_xaxis_transform(), va="top",
                ha="right" if first > middle else "left", color=_DIVERGED_COLOUR, fontsize="small")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("final loss")
    ax.set_title("Final loss against learning rate" if steps is None else f"Loss after {steps} steps")
    if label is not None or mask.any():
        ax.legend(fontsize="small")
    return ax
