r"""The book's designed surfaces: error surfaces built to reproduce the lecture's pictures.

The lecture that chapters 6 and 7 follow (Hung-yi Lee, ML 2021, "Adaptive Learning Rate")
shows runs on a convex two-parameter error surface whose formula it never published. The
surface here is this book's design, made to show the same behaviour for reasons that can be
derived on paper; ``tools/stuck_valley_design.md`` records the measurements and the
alternatives that were tried and rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_real, fail_value
from .surfaces import Surface, _check_window, _frozen_array, _real_array

__all__ = ["StuckValley"]


@dataclass(frozen=True)
class StuckValley(Surface):
    r"""A long convex valley with steep walls that flatten out: where training gets stuck.

    Designed for the book (the lecture never published its surface). With the defaults and
    the default ``start``:

    - gradient descent at :math:`\eta = 10^{-2}` bounces between the walls for ever, with
      :math:`|y| \to` :meth:`bounce_amplitude` (4.892), loss about 3760, gradient norm 978;
    - at :math:`\eta = 10^{-7}` it stops bouncing, comes down to the floor and stalls there:
      after :math:`10^5` updates :math:`y` went from 6 to 0.096, :math:`x` by less than
      :math:`10^{-3}` of its 250;
    - the lecture's AdaGrad (constant :math:`\eta = 1`) passes the turn and is within
      :math:`10^{-5}` of the minimum after 1000 updates, erupting along :math:`y` three times
      on the way (after 213, 399 and 679 updates, at :math:`x` = 59.5, 4.3 and 0.02); a
      decaying rate removes the eruptions.

    Parameters
    ----------
    wall_slope : float, default 1000
        Slope :math:`A > 0` of the walls far from the floor (the gradient saturates there).
    wall_width : float, default 1
        Width :math:`w > 0` over which each wall's foot is rounded.
    floor_halfwidth : float, default 0.75
        Half-width :math:`d \ge 0` of the floor between the two walls.
    valley_slope : float, default 0.1
        Slope :math:`B > 0` along the floor far from the minimum.
    basin_width : float, default 100
        Length :math:`v > 0` over which the floor's slope rounds off into the minimum.
    tilt : float, default 0
        Slope :math:`k` of the floor line :math:`y = kx`. The default keeps the valley
        separable; see Notes for why.
    start : pair of float, default (250, 6)
        The book's starting point :math:`(x_0, y_0)`, high on a wall at the far end.
    window : tuple, optional
        Plot window ``((x_lo, x_hi), (y_lo, y_hi))``; default: from 0 to :math:`x_0` padded by
        10% of :math:`|x_0|` (at least 1), and :math:`|y| \le |y_0| + 2w`.

    Raises
    ------
    ValueError, TypeError
        For a non-finite or out-of-range argument, a bad ``start`` or a bad window.

    Notes
    -----
    With :math:`u = y - kx` the offset from the floor line and :math:`h_a(z) = \sqrt{a^2 + z^2}`,

    .. math::
        f(x, y) = \frac{A}{2}\left[h_w(u - d) + h_w(u + d) - 2h_w(d)\right]
                  + B\left[h_v(x) - v\right] .

    Each bracket is a hyperbola, a smoothed :math:`|\cdot|`: the cross-section
    :math:`\tfrac{A}{2}(|u-d| + |u+d|) = A\max(|u|, d)` is a ditch with a floor of half-width
    :math:`d` and walls of slope :math:`A`, rounded over :math:`w`; along the floor the slope
    :math:`B` rounds over :math:`v` into the minimum :math:`f(0, 0) = 0`. The surface is
    **convex**: :math:`h_a` is convex, a convex function of the affine map :math:`u = y - kx`
    is convex, and sums of convex functions are convex. Its Hessian is

    .. math::
        \nabla^2 f = W''(u) \begin{pmatrix} k^2 & -k \\ -k & 1 \end{pmatrix}
        + \begin{pmatrix} \beta(x) & 0 \\ 0 & 0 \end{pmatrix}, \qquad
        W''(u) = \frac{A w^2}{2}\left[h_w(u-d)^{-3} + h_w(u+d)^{-3}\right], \qquad
        \beta(x) = \frac{B v^2}{h_v(x)^3},

    positive definite everywhere (determinant :math:`W''\beta > 0`). On the floor the steep
    curvature is :attr:`floor_curvature` :math:`\kappa_0 = A w^2 / h_w(d)^3` (512 for the
    defaults); along the valley it is at most :math:`B/v = 10^{-3}`.

    **Why gradient descent bounces.** On a quadratic every direction shrinks or grows by a
    fixed factor per step, so a bounce cannot last. Here the wall gradient :math:`W'(u)`
    saturates at :math:`A`. In the separable case (:math:`k = 0`) the step
    :math:`y \mapsto y - \eta W'(y)` maps :math:`u^*` to :math:`-u^*` exactly when

    .. math:: \eta\, W'(u^*) = 2u^* ,

    a period-2 orbit (:meth:`bounce_amplitude`). It exists once
    :math:`\eta \max_u W'(u)/u > 2`, in particular whenever :math:`\eta\kappa_0 > 2`, when the
    floor itself is unstable; it is stable when :math:`0 < \eta W''(u^*) < 2`, since two
    steps multiply a small deviation by :math:`(1 - \eta W''(u^*))^2`. At
    :math:`\eta = 10^{-2}`: :math:`\eta\kappa_0 = 5.1`, :math:`u^* = 4.892`,
    :math:`\eta W''(u^*) = 0.09`: the loss stays at :math:`W(u^*) = 3745` (plus the slope
    term) and the gradient at :math:`W'(u^*) = 978`.

    **Why the lecture's AdaGrad erupts, and stops erupting.** With a constant :math:`\eta`,
    the rate on :math:`y` is :math:`\eta\sqrt{t+1}/\sqrt{\sum_{i \le t} g_i^2}`; on the floor
    the gradients are tiny, so it grows like :math:`\sqrt{t}` until
    :math:`c_t = \eta_t^{\mathrm{eff}}\kappa_0 > 2` and the floor turns unstable: the offset
    grows by :math:`|1 - c_t|` per step. Because :math:`d > w/2`, the curvature
    :math:`W''` has a local *minimum* on the floor line (:math:`W''''(0) \propto 4d^2 - w^2`),
    so a growing oscillation meets ever steeper curvature and runs up the walls; the large
    gradients there inflate :math:`\sum g^2`, drop :math:`c_t` well below 2, and the offset
    decays back to the floor, until :math:`\sqrt{t}` wins again. (With :math:`d < w/2`,
    e.g. a single hyperbola, the curvature falls off the floor line, and the oscillation locks
    into a small bounce that never ends.)

    **Why the default valley is separable.** Each eruption grows from whatever offset the
    floor has when :math:`c_t` passes 2. With :math:`k = 0` that offset is the exact remnant
    of the earlier motion (1.5e-32 before the first eruption), and the gradient is evaluated in
    a cancellation-free form, so float64, 80-bit and 120-digit arithmetic give the same
    eruption steps. With a tilt :math:`k \ne 0`, :math:`y` sits near :math:`kx` and its
    rounding error (about 1e-19) exceeds that remnant: the eruptions then come earlier, at
    steps that change with the precision (exact arithmetic is unaffected by :math:`k`).

    References
    ----------
    .. [1] H.-y. Lee, "Machine Learning 2021: Adaptive Learning Rate", lecture, National
       Taiwan University, 2021.
    .. [2] J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning
       and stochastic optimization", JMLR 12, 2011.

    Examples
    --------
    >>> valley = StuckValley()
    >>> np.round(valley.f(np.array([[0.0, 0.0], [0.0, 1.0], [250.0, 6.0]])), 2)
    array([   0.  ,  273.17, 4850.96])
    >>> round(valley.floor_curvature, 3), round(valley.bounce_amplitude(1e-2), 4)
    (512.0, 4.8918)

    Gradient descent at :math:`\eta = 10^{-2}` bounces between :math:`\pm u^*`:

    >>> x = np.array(valley.start)
    >>> for _ in range(2000):
    ...     x = x - 1e-2 * valley.grad(x)
    >>> np.round(x, 4), round(float(np.linalg.norm(valley.grad(x))), 1)
    (array([248.144 ,   4.8918]), 978.4)
    """

    wall_slope: float = 1000.0
    wall_width: float = 1.0
    floor_halfwidth: float = 0.75
    valley_slope: float = 0.1
    basin_width: float = 100.0
    tilt: float = 0.0
    start: tuple = (250.0, 6.0)
    window: tuple | None = None

    dim = 2

    def __post_init__(self):
        positive = {"min_value": 0.0, "min_inclusive": False}
        checked = {
            "wall_slope": check_real("wall_slope", self.wall_slope, **positive),
            "wall_width": check_real("wall_width", self.wall_width, **positive),
            "floor_halfwidth": check_real("floor_halfwidth", self.floor_halfwidth, min_value=0.0),
            "valley_slope": check_real("valley_slope", self.valley_slope, **positive),
            "basin_width": check_real("basin_width", self.basin_width, **positive),
            "tilt": check_real("tilt", self.tilt),
            "start": self._check_start(self.start),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        window = self.window
        if window is None:
            x0, y0 = checked["start"]
            pad = max(0.1 * abs(x0), 1.0)
            high = abs(y0) + 2.0 * checked["wall_width"]
            window = ((min(0.0, x0) - pad, max(0.0, x0) + pad), (-high, high))
        object.__setattr__(self, "window", _check_window(window, 2))

    @staticmethod
    def _check_start(start) -> tuple:
        requirement = "a pair (x0, y0) of finite numbers"
        pair = _real_array("start", start, requirement)
        if pair.shape != (2,):
            raise fail_value("start", requirement, start)
        return (float(pair[0]), float(pair[1]))

    @property
    def minimizer(self) -> np.ndarray:
        """The origin, shape ``(2,)``."""
        return _frozen_array([0.0, 0.0])

    @property
    def min_value(self) -> float:
        """0."""
        return 0.0

    @property
    def floor_curvature(self) -> float:
        r"""Curvature across the floor line, :math:`\kappa_0 = A w^2 / (w^2 + d^2)^{3/2}`."""
        w, d = self.wall_width, self.floor_halfwidth
        h = np.hypot(w, d)
        return float(self.wall_slope * w * w / (h * h * h))

    # ---------------------------------------------------------------- the cross-section W(u)

    def _wall(self, u, curvature: bool = True):
        """``W(u), W'(u), W''(u)`` of the cross-section, accurate to rounding near u = 0
        (``W''`` is None unless ``curvature``: gradient steps do not need it)."""
        A, w, d = self.wall_slope, self.wall_width, self.floor_halfwidth
        p, q = d + u, d - u
        hp, hq, h0 = np.hypot(w, p), np.hypot(w, q), np.hypot(w, d)
        # W = (A/2)(hp + hq - 2 h0), rewritten so that the O(u) parts cancel algebraically.
        value = 0.5 * A * u * u * (hp + hq + 2.0 * h0 - 8.0 * d * d / (hp + hq)) / (
            (hp + h0) * (hq + h0))
        # W' = (A/2)(p/hp - q/hq). Inside the floor p and q are positive and the difference
        # cancels; its rationalised form keeps full relative precision down to u ~ 1e-300.
        inside = np.abs(u) < d
        conjugate = np.where(inside, p * hq + q * hp, 1.0)
        slope = np.where(inside, 2.0 * A * w * w * d * u / (hp * hq * conjugate),
                         0.5 * A * (p / hp - q / hq))
        if not curvature:
            return value, slope, None
        # products, not **: numpy's pow may round a batch differently from a single point
        bend = 0.5 * A * w * w * (1.0 / (hp * hp * hp) + 1.0 / (hq * hq * hq))
        return value, slope, bend

    def bounce_amplitude(self, lr) -> float:
        r"""Half-width :math:`u^*` of gradient descent's period-2 bounce across the valley.

        The largest :math:`u^* > 0` with :math:`\eta\, W'(u^*) = 2u^*` (the step maps
        :math:`u^*` to :math:`-u^*`), found by a scan and bisection to the last float; 0.0
        when there is none (then no bounce exists: for :math:`\eta\kappa_0 < 2` and small
        :math:`\eta` the run settles on the floor). Exact for ``tilt = 0``.

        >>> round(StuckValley().bounce_amplitude(1e-2), 6), StuckValley().bounce_amplitude(1e-3)
        (4.891802, 0.0)
        """
        lr = check_real("lr", lr, min_value=0.0, min_inclusive=False)

        def excess(u):
            return lr * self._wall(u)[1] - 2.0 * u

        top = 0.5 * lr * self.wall_slope  # excess(top) < 0 because W' < A everywhere
        grid = np.linspace(0.0, top, 4097)[1:]
        values = excess(grid)
        positive = np.flatnonzero(values > 0)
        if positive.size:
            low = grid[positive[-1]]
        else:
            # A bounce born just now may fit between two grid points: refine the best one
            # (golden-section search for the largest excess(u)/u = lr W'(u)/u - 2).
            best = int(np.argmax(values / grid))
            a, b = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
            ratio = (np.sqrt(5.0) - 1.0) / 2.0
            for _ in range(80):
                c, e = b - ratio * (b - a), a + ratio * (b - a)
                a, b = (a, e) if excess(c) / c > excess(e) / e else (c, b)
            low = 0.5 * (a + b)
            if not excess(low) > 0:
                return 0.0
        high = top
        while True:  # bisection down to adjacent floats; excess(low) > 0 > excess(high)
            middle = 0.5 * (low + high)
            if middle in (low, high):
                return float(low)
            low, high = (middle, high) if excess(middle) > 0 else (low, middle)

    # ------------------------------------------------------------------ the surface protocol

    def _parts(self, x):
        x = self.points(x)
        along = x[..., 0]
        across = x[..., 1] - self.tilt * along
        return along, across

    def _basin(self, along, curvature: bool = True):
        B, v = self.valley_slope, self.basin_width
        h = np.hypot(v, along)
        bend = B * v * v / (h * h * h) if curvature else None
        return B * along * along / (h + v), B * along / h, bend

    def f(self, x):
        """Value, shape ``x.shape[:-1]``."""
        along, across = self._parts(x)
        return self._wall(across, curvature=False)[0] + self._basin(along, curvature=False)[0]

    def grad(self, x):
        """Gradient, shape ``x.shape``."""
        return self.value_and_grad(x)[1]

    def value_and_grad(self, x):
        """``(f(x), grad(x))`` sharing the square roots."""
        along, across = self._parts(x)
        wall, wall_slope, _ = self._wall(across, curvature=False)
        basin, basin_slope, _ = self._basin(along, curvature=False)
        g = np.empty(np.shape(along) + (2,))
        g[..., 0] = basin_slope - self.tilt * wall_slope
        g[..., 1] = wall_slope
        return wall + basin, g

    def hessian(self, x):
        """Hessian, shape ``x.shape + (2,)``."""
        along, across = self._parts(x)
        bend = self._wall(across)[2]
        k = self.tilt
        h = np.empty(along.shape + (2, 2))
        h[..., 0, 0] = k * k * bend + self._basin(along)[2]
        h[..., 0, 1] = h[..., 1, 0] = 0.0 - k * bend
        h[..., 1, 1] = bend
        return h
