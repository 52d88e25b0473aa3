r"""Error surfaces: the functions the book's optimizers run on.

A surface is an object with ``f(x)``, ``grad(x)`` and, where known, ``hessian(x)``, vectorised
over the leading axes of ``x`` (shape ``(..., d)``; a 1-D surface takes ``(..., 1)``), plus
``dim``, ``minimizer`` (shape ``(d,)``, or None when unknown), ``min_value`` and a plot
``window``. :class:`Surface` is the small base class that supplies the shared parts; the book's
designed surfaces and the models of the practice chapter plug into :func:`lrlib.run` the same
way. A *finite-sum* surface (:class:`LeastSquares`) also exposes ``n_samples`` and accepts
``idx=`` (the indices of a minibatch) in ``f`` and ``grad``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_int, check_real, fail_type, fail_value

__all__ = ["Surface", "Quadratic", "Rosenbrock", "BumpyLandscape", "LeastSquares", "StuckValley"]


def _frozen_array(values) -> np.ndarray:
    """A float64 copy that nobody can change in place (not even through the surface)."""
    array = np.array(values, dtype=float)
    array.flags.writeable = False
    return array


def _real_array(name: str, values, requirement: str) -> np.ndarray:
    """``values`` as a float64 array, or the package's error naming ``name``."""
    if isinstance(values, (str, bytes)) or values is None:
        raise fail_type(name, requirement, values)
    try:
        array = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise fail_type(name, requirement, values) from None
    if not np.all(np.isfinite(array)):
        raise fail_value(name, requirement, values)
    return array


def _all_finite(values) -> bool:
    """True if every entry is finite (a numpy scalar is checked without a ufunc call)."""
    if np.ndim(values) == 0:
        return math.isfinite(values)
    return bool(np.isfinite(values).all())


def _check_window(window, dim: int):
    """Validate a plot window: ``(lo, hi)`` for 1-D, ``((x_lo, x_hi), (y_lo, y_hi))`` for 2-D."""
    if window is None:
        return None
    pairs = 1 if dim == 1 else 2
    requirement = ("a pair (lo, hi) of finite numbers with lo < hi" if pairs == 1 else
                   "a pair ((x_lo, x_hi), (y_lo, y_hi)) of finite numbers with lo < hi")
    try:
        array = np.array(window, dtype=float)
    except (TypeError, ValueError):
        raise fail_value("window", requirement, window) from None
    expected = (2,) if pairs == 1 else (2, 2)
    if dim > 2 or array.shape != expected or not np.all(np.isfinite(array)):
        raise fail_value("window", requirement, window)
    rows = array.reshape(-1, 2)
    if not np.all(rows[:, 0] < rows[:, 1]):
        raise fail_value("window", requirement, window)
    if pairs == 1:
        return (float(rows[0, 0]), float(rows[0, 1]))
    return tuple((float(lo), float(hi)) for lo, hi in rows)


class Surface:
    """Base class of the error surfaces: shared checks and defaults.

    A subclass defines ``dim``, ``f``, ``grad`` and, where known, ``hessian``; ``minimizer``,
    ``min_value`` and ``window`` default to None. :func:`lrlib.run` needs only ``dim``, ``f`` and
    ``grad`` (and uses :meth:`value_and_grad` when a subclass can share work between the two).

    Examples
    --------
    A new surface needs only its dimension, its value and its gradient, vectorised over the
    leading axes of ``x``:

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Bowl(Surface):
    ...     dim: int = 2
    ...     def f(self, x):
    ...         return 0.5 * (self.points(x) ** 2).sum(axis=-1)
    ...     def grad(self, x):
    ...         return self.points(x).copy()
    >>> Bowl()(np.array([[1.0, 2.0], [0.0, 0.0]]))
    array([2.5, 0. ])
    """

    minimizer = None
    min_value = None
    window = None

    def points(self, x) -> np.ndarray:
        """``x`` as a float64 array of shape ``(..., dim)``; raises naming ``x`` otherwise."""
        if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim and x.shape[-1] == self.dim:
            return x  # already right: the common case inside lrlib.run
        array = np.asarray(x, dtype=float)
        if array.ndim == 0 or array.shape[-1] != self.dim:
            raise fail_value("x", f"an array of shape (..., {self.dim})", x)
        return array

    def __call__(self, x):
        """The same as :meth:`f`."""
        return self.f(x)

    def value_and_grad(self, x):
        """``(f(x), grad(x))``; subclasses override it to share work between the two."""
        return self.f(x), self.grad(x)

    def hessian(self, x):
        """The Hessian, shape ``x.shape + (dim,)``; not every surface knows it."""
        raise NotImplementedError(f"{type(self).__name__} has no Hessian")


@dataclass(frozen=True, init=False, eq=False)
class Quadratic(Surface):
    r"""A quadratic bowl, the surface on which learning-rate theory is exact.

    Build it either from its ``eigenvalues`` (the bowl's curvatures along the axes, optionally
    turned by ``angle`` in 2-D or by an orthogonal ``rotation`` matrix) or from a symmetric
    positive semidefinite ``matrix``.

    Parameters
    ----------
    eigenvalues : array_like of float, optional
        Curvatures :math:`\lambda_i \ge 0`, not all zero. Exactly one of ``eigenvalues`` and
        ``matrix`` must be given.
    angle : float, optional
        Only with two eigenvalues: the eigenvector of ``eigenvalues[0]`` is
        :math:`(\cos\theta, \sin\theta)` (the axes turned counter-clockwise by ``angle``).
    rotation : array_like, shape (d, d), optional
        Orthogonal matrix whose columns are the eigenvectors; not together with ``angle``.
    matrix : array_like, shape (d, d), optional
        Symmetric positive semidefinite :math:`A`, not zero.
    center : array_like, shape (d,), optional
        The minimiser :math:`c` (default: the origin).
    window : tuple, optional
        Plot window; default :math:`c \pm 2` along each axis (1-D and 2-D only).

    Attributes
    ----------
    matrix, center, window
        The fields (they make the repr, and ``dataclasses.replace`` rebuilds from them).
    eigenvalues : ndarray
        The eigenvalues in ascending order (as given, when built from them).

    Raises
    ------
    ValueError, TypeError
        For a missing, doubled, non-finite, negative, non-symmetric or mis-shaped argument.

    Notes
    -----
    .. math::
        f(x) = \tfrac12 (x - c)^\top A (x - c), \qquad \nabla f(x) = A (x - c), \qquad
        \nabla^2 f = A, \qquad A = R \,\mathrm{diag}(\lambda)\, R^\top .

    Gradient descent with a constant rate :math:`\eta` multiplies the error along eigenvector
    :math:`i` by :math:`1 - \eta\lambda_i` per step, so it converges iff
    :math:`0 < \eta < 2/\lambda_{\max}` (:attr:`lr_max_stable`); the worst factor
    :math:`\max_i |1 - \eta\lambda_i|` (:meth:`contraction`) is smallest at
    :math:`\eta^* = 2/(\lambda_{\min} + \lambda_{\max})` (:attr:`lr_optimal`), where it equals
    :math:`(\kappa - 1)/(\kappa + 1)` with :math:`\kappa = \lambda_{\max}/\lambda_{\min}`
    (:attr:`optimal_rate`).

    References
    ----------
    .. [1] G. Goh, "Why Momentum Really Works", Distill, 2017.

    Examples
    --------
    >>> q = Quadratic(eigenvalues=[1.0, 10.0])
    >>> q.f(np.array([[1.0, 1.0], [0.0, 2.0]]))
    array([ 5.5, 20. ])
    >>> q.lr_max_stable, q.lr_optimal, q.optimal_rate
    (0.2, 0.18181818181818182, 0.8181818181818182)
    """

    matrix: np.ndarray
    center: np.ndarray
    window: tuple | None
    eigenvalues: np.ndarray = field(init=False, repr=False)

    def __init__(self, eigenvalues=None, *, angle=None, rotation=None, matrix=None, center=None,
                 window=None):
        if (eigenvalues is None) == (matrix is None):
            if matrix is not None:
                raise fail_value("matrix", "None when eigenvalues are given", matrix)
            raise fail_value("eigenvalues", "given when matrix is None", eigenvalues)
        if matrix is None:
            spectrum, hessian = self._from_eigenvalues(eigenvalues, angle, rotation)
        else:
            if angle is not None:
                raise fail_value("angle", "None when matrix is given", angle)
            if rotation is not None:
                raise fail_value("rotation", "None when matrix is given", rotation)
            spectrum, hessian = self._from_matrix(matrix)
        dim = len(spectrum)
        given = np.zeros(dim) if center is None else center
        center = _real_array("center", given, f"finite numbers of shape ({dim},)")
        if center.shape != (dim,):
            raise fail_value("center", f"finite numbers of shape ({dim},)", given)
        if window is None and dim <= 2:
            window = ((center[0] - 2.0, center[0] + 2.0) if dim == 1 else
                      tuple((c - 2.0, c + 2.0) for c in center))
        object.__setattr__(self, "matrix", _frozen_array(hessian))
        object.__setattr__(self, "center", _frozen_array(center))
        object.__setattr__(self, "window", _check_window(window, dim))
        object.__setattr__(self, "eigenvalues", _frozen_array(np.sort(spectrum)))
        diagonal = np.diag(self.matrix)
        is_diagonal = np.array_equal(self.matrix, np.diag(diagonal))
        object.__setattr__(self, "_diagonal", _frozen_array(diagonal) if is_diagonal else None)

    @staticmethod
    def _from_eigenvalues(eigenvalues, angle, rotation):
        requirement = "a non-empty 1-D array of finite numbers >= 0, not all 0"
        spectrum = _real_array("eigenvalues", eigenvalues, requirement)
        if spectrum.ndim != 1 or spectrum.size == 0 or not (spectrum.min() >= 0 and spectrum.max() > 0):
            raise fail_value("eigenvalues", requirement, eigenvalues)
        dim = spectrum.size
        if angle is not None:
            if rotation is not None:
                raise fail_value("rotation", "None when angle is given", rotation)
            if dim != 2:
                raise fail_value("angle", "None unless there are exactly 2 eigenvalues", angle)
            theta = check_real("angle", angle)
            rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        if rotation is None:
            return spectrum, np.diag(spectrum)
        requirement = f"an orthogonal ({dim}, {dim}) matrix of finite numbers"
        turn = _real_array("rotation", rotation, requirement)
        if turn.shape != (dim, dim) or not np.allclose(turn.T @ turn, np.eye(dim), rtol=0, atol=1e-10):
            raise fail_value("rotation", requirement, rotation)
        hessian = (turn * spectrum) @ turn.T
        return spectrum, (hessian + hessian.T) / 2

    @staticmethod
    def _from_matrix(matrix):
        requirement = "a symmetric positive semidefinite square matrix of finite numbers, not 0"
        hessian = _real_array("matrix", matrix, requirement)
        if hessian.ndim != 2 or hessian.shape[0] != hessian.shape[1] or hessian.size == 0:
            raise fail_value("matrix", requirement, matrix)
        scale = np.abs(hessian).max()
        if not (scale > 0) or np.abs(hessian - hessian.T).max() > 1e-12 * scale:
            raise fail_value("matrix", requirement, matrix)
        spectrum = np.linalg.eigvalsh(hessian)
        if spectrum.min() < -1e-12 * scale:
            raise fail_value("matrix", requirement, matrix)
        # Rounding can leave a zero eigenvalue at -1e-17: report it as the 0 it is.
        return np.maximum(spectrum, 0.0), hessian

    @property
    def dim(self) -> int:
        """Number of parameters."""
        return self.center.size

    @property
    def minimizer(self) -> np.ndarray:
        """The centre (one of the minimisers when the matrix is singular)."""
        return self.center

    @property
    def min_value(self) -> float:
        """0."""
        return 0.0

    @property
    def condition_number(self) -> float:
        r""":math:`\kappa = \lambda_{\max}/\lambda_{\min}` (inf when singular)."""
        low, high = self.eigenvalues[0], self.eigenvalues[-1]
        return float(high / low) if low > 0 else float("inf")

    @property
    def lr_max_stable(self) -> float:
        r""":math:`2/\lambda_{\max}`: gradient descent diverges at and above this rate."""
        return float(2.0 / self.eigenvalues[-1])

    @property
    def lr_optimal(self) -> float:
        r""":math:`2/(\lambda_{\min} + \lambda_{\max})`, the best constant rate of gradient descent."""
        return float(2.0 / (self.eigenvalues[0] + self.eigenvalues[-1]))

    @property
    def optimal_rate(self) -> float:
        r""":math:`(\kappa-1)/(\kappa+1)`, the error factor per step at :attr:`lr_optimal`."""
        low, high = self.eigenvalues[0], self.eigenvalues[-1]
        return float((high - low) / (high + low))

    def contraction(self, lr):
        r"""Worst error factor per step of gradient descent, :math:`\max_i |1 - \eta\lambda_i|`.

        ``lr`` may be an array (one factor per rate); a factor below 1 means convergence.
        """
        rates = np.asarray(lr, dtype=float)[..., None]
        return np.abs(1.0 - rates * self.eigenvalues).max(axis=-1)

    def _product(self, x):
        r"""The offset :math:`x - c` and the product :math:`A (x - c)`, shape ``x.shape`` each.

        An explicit sum instead of BLAS matmul: a batch then gives bit-for-bit the numbers of
        row-by-row calls (BLAS kernels differ between matrix and vector shapes). For a
        diagonal :math:`A` the sum's only nonzero term is :math:`A_{ii}(x_i - c_i)`: that is
        computed directly, O(d) instead of O(d^2), and equals the sum wherever the offsets
        are finite (the callers check; elsewhere the sum's NaN are wanted).
        """
        offset = self.points(x) - self.center
        if self._diagonal is not None:
            return offset, offset * self._diagonal
        return offset, self._full_product(offset)

    def _full_product(self, offset):
        return (offset[..., None, :] * self.matrix).sum(axis=-1)

    def f(self, x):
        """Value, shape ``x.shape[:-1]``."""
        return self.value_and_grad(x)[0]

    def grad(self, x):
        """Gradient, shape ``x.shape``."""
        offset, product = self._product(x)
        if self._diagonal is not None and not _all_finite(product):
            product = self._full_product(offset)
        return product

    def value_and_grad(self, x):
        """``(f(x), grad(x))`` sharing one matrix product."""
        offset, product = self._product(x)
        value = 0.5 * (offset * product).sum(axis=-1)
        # A finite value means finite offsets, where the diagonal shortcut is exact.
        if self._diagonal is not None and not _all_finite(value):
            product = self._full_product(offset)
            value = 0.5 * (offset * product).sum(axis=-1)
        return value, product

    def hessian(self, x):
        """The constant matrix, broadcast to shape ``x.shape + (d,)``."""
        points = self.points(x)
        return np.broadcast_to(self.matrix, points.shape + (self.dim,)).copy()


@dataclass(frozen=True)
class Rosenbrock(Surface):
    r"""Rosenbrock's banana-shaped valley (chained form in more than two dimensions).

    Parameters
    ----------
    a : float, default 1
        Position of the minimum along the first axis.
    b : float, default 100
        Steepness of the valley walls, :math:`b > 0`.
    dim : int, default 2
        Number of parameters, :math:`d \ge 2`.
    window : tuple, optional
        Plot window (2-D only); default :math:`x_1 \in [a-3, a+1]`, :math:`x_2 \in [a^2-2, a^2+2]`.

    Raises
    ------
    ValueError, TypeError
        For a non-finite ``a``, a ``b <= 0``, a ``dim < 2`` or a bad window.

    Notes
    -----
    .. math::
        f(x) = \sum_{i=1}^{d-1} \left[ b\,(x_{i+1} - x_i^2)^2 + (a - x_i)^2 \right]

    In 2-D the minimiser is :math:`(a, a^2)` with :math:`f = 0`; in more dimensions it is
    :math:`(1, \dots, 1)` for :math:`a = 1` and the origin for :math:`a = 0` (``minimizer`` and
    ``min_value`` are None for other ``a``). The valley floor is curved and nearly flat, its
    walls are steep: the Hessian's condition number at the minimum is about 2500 for the
    defaults.

    References
    ----------
    .. [1] H. H. Rosenbrock, "An automatic method for finding the greatest or least value of a
       function", The Computer Journal 3(3), 1960.

    Examples
    --------
    >>> r = Rosenbrock()
    >>> r.f(np.array([[1.0, 1.0], [0.0, 0.0], [-1.0, 1.0]]))
    array([0., 1., 4.])
    >>> r.grad(np.array([0.0, 0.0]))
    array([-2.,  0.])
    """

    a: float = 1.0
    b: float = 100.0
    dim: int = 2
    window: tuple | None = None

    def __post_init__(self):
        a = check_real("a", self.a)
        b = check_real("b", self.b, min_value=0.0, min_inclusive=False)
        dim = check_int("dim", self.dim, min_value=2)
        window = self.window
        if window is None and dim == 2:
            window = ((a - 3.0, a + 1.0), (a * a - 2.0, a * a + 2.0))
        elif window is not None and dim != 2:
            raise fail_value("window", "None unless dim == 2", window)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "window", _check_window(window, dim))

    @property
    def minimizer(self):
        """``(a, a**2)`` in 2-D; in more dimensions all ones (a = 1), zeros (a = 0) or None."""
        if self.dim == 2:
            return _frozen_array([self.a, self.a * self.a])
        if self.a in (0.0, 1.0):
            return _frozen_array(np.full(self.dim, self.a))
        return None

    @property
    def min_value(self):
        """0 where the minimiser is known, else None."""
        return None if self.minimizer is None else 0.0

    def f(self, x):
        """Value, shape ``x.shape[:-1]``."""
        x = self.points(x)
        head, tail = x[..., :-1], x[..., 1:]
        return (self.b * (tail - head**2) ** 2 + (self.a - head) ** 2).sum(axis=-1)

    def grad(self, x):
        """Gradient, shape ``x.shape``."""
        x = self.points(x)
        head, tail = x[..., :-1], x[..., 1:]
        valley = tail - head**2
        g = np.zeros_like(x)
        g[..., :-1] = -4.0 * self.b * head * valley - 2.0 * (self.a - head)
        g[..., 1:] += 2.0 * self.b * valley
        return g

    def value_and_grad(self, x):
        """``(f(x), grad(x))`` sharing the valley term :math:`x_{i+1} - x_i^2`."""
        x = self.points(x)
        head, tail = x[..., :-1], x[..., 1:]
        valley = tail - head**2
        offset = self.a - head
        value = (self.b * valley**2 + offset**2).sum(axis=-1)
        g = np.zeros_like(x)
        g[..., :-1] = -4.0 * self.b * head * valley - 2.0 * offset
        g[..., 1:] += 2.0 * self.b * valley
        return value, g

    def hessian(self, x):
        """Hessian (tridiagonal), shape ``x.shape + (d,)``."""
        x = self.points(x)
        head, tail = x[..., :-1], x[..., 1:]
        h = np.zeros(x.shape + (self.dim,))
        i = np.arange(self.dim - 1)
        h[..., i, i] = 12.0 * self.b * head**2 - 4.0 * self.b * tail + 2.0
        h[..., i + 1, i + 1] += 2.0 * self.b
        h[..., i, i + 1] = -4.0 * self.b * head
        h[..., i + 1, i] = -4.0 * self.b * head
        return h


@dataclass(frozen=True)
class BumpyLandscape(Surface):
    r"""A 1-D parabola with a narrow dip: a shallow local minimum beside the deep global one.

    Started on the far side of the dip (e.g. at ``x = 3`` with the defaults), plain gradient
    descent with a small rate settles in the dip, while momentum, or a rate too large for the
    dip's sharp curvature, carries the iterate over it into the global minimum near 0.

    Parameters
    ----------
    curvature : float, default 1
        Curvature :math:`k > 0` of the parabola.
    dip_center : float, default 2
        Centre :math:`m` of the dip.
    dip_depth : float, default 1
        Depth :math:`h \ge 0` of the dip (0 gives a plain parabola).
    dip_width : float, default 0.3
        Width :math:`w > 0` of the dip (standard deviation of the Gaussian).
    window : tuple, optional
        Plot window ``(lo, hi)``; default ``(x* - 1.5, m + 1.5)``.

    Raises
    ------
    ValueError, TypeError
        For a non-finite argument, a curvature or width <= 0, a negative depth, a bad window.

    Notes
    -----
    .. math::
        f(x) = \frac{k}{2} x^2 - h \exp\!\left(-\frac{(x - m)^2}{2 w^2}\right), \qquad
        f'(x) = k x + \frac{h (x - m)}{w^2} e^{-(x-m)^2/(2w^2)}

    Every critical point lies in :math:`|x| \le h / (k w \sqrt{e})`. At construction a grid
    finds the sign changes of :math:`f'` there, bisection refines each to the last floating
    point, and the lowest becomes ``minimizer``; all of them are in ``local_minimizers``. With
    the defaults these are :math:`x^* \approx 5 \cdot 10^{-9}` (f about 0) and
    :math:`x \approx 1.796` (f about 0.82), where the curvature is about 5.76: gradient descent
    cannot settle there with a rate above :math:`2/5.76 \approx 0.35`.

    Examples
    --------
    >>> bumpy = BumpyLandscape()
    >>> np.round(bumpy.local_minimizers, 4)
    array([0.    , 1.7965])
    >>> float(np.round(bumpy.f(bumpy.local_minimizers[1:]), 4))
    0.8192
    """

    curvature: float = 1.0
    dip_center: float = 2.0
    dip_depth: float = 1.0
    dip_width: float = 0.3
    window: tuple | None = None
    local_minimizers: np.ndarray = field(init=False, repr=False, compare=False)

    dim = 1

    def __post_init__(self):
        k = check_real("curvature", self.curvature, min_value=0.0, min_inclusive=False)
        m = check_real("dip_center", self.dip_center)
        h = check_real("dip_depth", self.dip_depth, min_value=0.0)
        w = check_real("dip_width", self.dip_width, min_value=0.0, min_inclusive=False)
        for name, value in (("curvature", k), ("dip_center", m), ("dip_depth", h), ("dip_width", w)):
            object.__setattr__(self, name, value)
        minima = self._find_minima()
        object.__setattr__(self, "local_minimizers", _frozen_array(minima))
        window = self.window
        if window is None:
            window = (float(self.minimizer[0]) - 1.5, m + 1.5)
        object.__setattr__(self, "window", _check_window(window, 1))

    def _dip(self, x):
        return np.exp(-((x - self.dip_center) ** 2) / (2.0 * self.dip_width**2))

    def _slope(self, x):
        return self.curvature * x + self.dip_depth * (x - self.dip_center) / self.dip_width**2 * self._dip(x)

    def _find_minima(self) -> np.ndarray:
        k, h, w = self.curvature, self.dip_depth, self.dip_width
        reach = h / (k * w * np.sqrt(np.e)) + w
        # Twenty grid points per dip width resolve every sign change of f' (capped for speed).
        count = int(min(max(40.0 * reach / w, 1000), 2_000_000)) + 1
        grid = np.linspace(-reach, reach, count)
        slope = self._slope(grid)
        starts = np.flatnonzero((slope[:-1] < 0) & (slope[1:] >= 0))
        minima = []
        for i in starts:
            lo, hi = grid[i], grid[i + 1]
            while True:  # bisection down to adjacent floats
                mid = 0.5 * (lo + hi)
                if mid in (lo, hi):
                    break
                lo, hi = (mid, hi) if self._slope(mid) < 0 else (lo, mid)
            minima.append(hi if abs(self._slope(hi)) <= abs(self._slope(lo)) else lo)
        return np.array(minima)

    @property
    def minimizer(self) -> np.ndarray:
        """The global minimiser, shape ``(1,)``."""
        values = self.f(self.local_minimizers[:, None])
        return _frozen_array(self.local_minimizers[np.argmin(values)][None])

    @property
    def min_value(self) -> float:
        """``f(minimizer)``."""
        return float(self.f(self.minimizer))

    def f(self, x):
        """Value, shape ``x.shape[:-1]``."""
        x = self.points(x)[..., 0]
        return 0.5 * self.curvature * x**2 - self.dip_depth * self._dip(x)

    def grad(self, x):
        """Derivative, shape ``x.shape``."""
        return self._slope(self.points(x))

    def hessian(self, x):
        """Second derivative, shape ``x.shape + (1,)``."""
        x = self.points(x)
        spread = ((x - self.dip_center) / self.dip_width) ** 2
        bend = self.curvature + self.dip_depth / self.dip_width**2 * (1.0 - spread) * self._dip(x)
        return bend[..., None]


@dataclass(frozen=True, init=False, eq=False)
class LeastSquares(Surface):
    r"""Linear least squares, a finite sum of per-sample losses (for minibatch SGD).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs, one sample per row.
    y : array_like, shape (n,)
        Targets.
    window : tuple, optional
        Plot window (1-D and 2-D only); default :math:`w^* \pm 2` along each axis.

    Raises
    ------
    ValueError, TypeError
        For non-finite or mis-shaped data.

    Notes
    -----
    For a minibatch :math:`B` of sample indices (all samples when ``idx`` is None):

    .. math::
        f_B(w) = \frac{1}{2|B|} \sum_{i \in B} (x_i^\top w - y_i)^2, \qquad
        \nabla f_B(w) = \frac{1}{|B|} X_B^\top (X_B w - y_B), \qquad
        \nabla^2 f_B = \frac{1}{|B|} X_B^\top X_B .

    The minimiser is the least-squares solution (the one of smallest norm if :math:`X` has
    dependent columns), computed once at construction.

    Examples
    --------
    >>> ls = LeastSquares([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], [1.0, 2.0, 2.0])
    >>> ls.minimizer, ls.min_value
    (array([1., 1.]), 0.0)
    >>> float(ls.f(np.zeros(2))), float(ls.f(np.zeros(2), idx=[0]))
    (1.5, 0.5)
    """

    X: np.ndarray
    y: np.ndarray
    window: tuple | None

    def __init__(self, X, y, *, window=None):
        inputs = _real_array("X", X, "a 2-D array of finite numbers with at least one row")
        if inputs.ndim != 2 or inputs.shape[0] == 0 or inputs.shape[1] == 0:
            raise fail_value("X", "a 2-D array of finite numbers with at least one row", X)
        requirement = f"a 1-D array of {inputs.shape[0]} finite numbers (one per row of X)"
        targets = _real_array("y", y, requirement)
        if targets.shape != (inputs.shape[0],):
            raise fail_value("y", requirement, y)
        object.__setattr__(self, "X", _frozen_array(inputs))
        object.__setattr__(self, "y", _frozen_array(targets))
        solution = np.linalg.lstsq(inputs, targets, rcond=None)[0]
        object.__setattr__(self, "_solution", _frozen_array(solution))
        dim = inputs.shape[1]
        if window is None and dim <= 2:
            window = ((solution[0] - 2.0, solution[0] + 2.0) if dim == 1 else
                      tuple((c - 2.0, c + 2.0) for c in solution))
        object.__setattr__(self, "window", _check_window(window, dim))

    @classmethod
    def random(cls, n_samples=100, dim=2, *, noise=0.1, seed=0):
        r"""A seeded random regression problem: :math:`X_{ij} \sim N(0,1)`, :math:`y = Xw + \sigma\epsilon`.

        The true weights :math:`w` are drawn from :math:`N(0, 1)` too, all from
        ``np.random.default_rng(seed)``.

        >>> LeastSquares.random(50, 3, seed=1).X.shape
        (50, 3)
        """
        n_samples = check_int("n_samples", n_samples, min_value=1)
        dim = check_int("dim", dim, min_value=1)
        noise = check_real("noise", noise, min_value=0.0)
        rng = np.random.default_rng(check_int("seed", seed, min_value=0))
        inputs = rng.standard_normal((n_samples, dim))
        weights = rng.standard_normal(dim)
        return cls(inputs, inputs @ weights + noise * rng.standard_normal(n_samples))

    @property
    def dim(self) -> int:
        """Number of weights."""
        return self.X.shape[1]

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return self.X.shape[0]

    @property
    def minimizer(self) -> np.ndarray:
        """The least-squares solution."""
        return self._solution

    @property
    def min_value(self) -> float:
        """``f(minimizer)``."""
        return float(self.f(self._solution))

    def _batch(self, idx):
        if idx is None:
            return self.X, self.y
        index = np.asarray(idx)
        if (index.ndim != 1 or index.size == 0 or index.dtype.kind not in "iu"
                or index.min() < 0 or index.max() >= self.n_samples):
            raise fail_value("idx", f"a non-empty 1-D array of integers in [0, {self.n_samples})", idx)
        return self.X[index], self.y[index]

    def _residual(self, w, idx):
        inputs, targets = self._batch(idx)
        w = self.points(w)
        return inputs, np.einsum("...j,nj->...n", w, inputs) - targets

    def f(self, x, idx=None):
        """Mean half squared residual over the samples ``idx`` (all when None)."""
        _, residual = self._residual(x, idx)
        return 0.5 * np.mean(residual**2, axis=-1)

    def grad(self, x, idx=None):
        """Gradient over the samples ``idx`` (all when None), shape ``x.shape``."""
        inputs, residual = self._residual(x, idx)
        return np.einsum("...n,nj->...j", residual, inputs) / inputs.shape[0]

    def value_and_grad(self, x, idx=None):
        """``(f(x, idx), grad(x, idx))`` sharing the residuals."""
        inputs, residual = self._residual(x, idx)
        value = 0.5 * np.mean(residual**2, axis=-1)
        return value, np.einsum("...n,nj->...j", residual, inputs) / inputs.shape[0]

    def hessian(self, x, idx=None):
        """Constant :math:`X_B^\\top X_B / |B|`, broadcast to shape ``x.shape + (d,)``."""
        inputs, _ = self._batch(idx)
        points = self.points(x)
        return np.broadcast_to(inputs.T @ inputs / inputs.shape[0], points.shape + (self.dim,)).copy()


# The chapters' designed surfaces live in their own module; re-exported here (at the bottom,
# because that module builds on the base class above).
from lrlib.surfaces_designed import StuckValley  # noqa: E402
