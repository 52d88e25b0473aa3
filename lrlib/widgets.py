r"""Figures a reader can explore: live in Jupyter, static in the book, scrubbable without a kernel.

An :class:`Explorer` ties a *draw function* ``draw(ax, **values)`` to a few :class:`Control`\ s.
The same object gives three views:

* ``explorer(**values)``: the **static figure** at the given settings (a matplotlib figure; no
  ipywidgets needed). This is what the printed book shows.
* ``explorer.live()``: the **live widget**, ipywidgets sliders wired to the draw function
  (ipywidgets is imported only here). It needs a running kernel: Jupyter, JupyterLab or Binder.
* ``explorer.scrubber(name, values)``: a **scrubber**, frames precomputed over one parameter's
  values and packed into one self-contained HTML snippet (an ``<input type="range">`` that
  shows one of the stored PNG images). It works in the static HTML book, with no kernel and no
  network, because nothing is computed when the slider moves.

**Convention for chapters.** A slider that moves nothing is a defect, and in the static book an ipywidgets slider moves
nothing. So a chapter that offers a widget writes three cells:

1. the live cell, ``explorer.live()``, tagged ``remove-output`` (the book shows the code but not
   the dead control) and saying in a comment that it is live in Jupyter or on Binder;
2. the static figure at instructive settings, ``explorer(eta=1.5)``;
3. where moving the slider *is* the lesson, a scrubber over that parameter,
   ``explorer.scrubber("eta", [...])``: a handful of frames at a small dpi, so that the page
   stays light (about 20 kB per frame at the default size and ``dpi=70``).

Examples
--------
>>> import numpy as np
>>> def draw(ax, slope=1.0):
...     x = np.linspace(0.0, 1.0, 5)
...     ax.plot(x, slope * x)
...     ax.set_title(f"slope {slope:g}")
>>> explorer = Explorer(draw, (Control("slope", 0.0, 2.0, 0.5, value=1.0),))
>>> explorer(slope=1.5).axes[0].get_title()
'slope 1.5'
>>> explorer.scrubber("slope", [0.0, 1.0, 2.0]).frames
3
"""

from __future__ import annotations

import base64
import gc
import html
import io
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from lrlib._validation import check_bool, check_int, check_real, fail_type, fail_value

__all__ = ["Control", "Explorer", "LiveFigure", "Scrubber", "StaticFigure", "scrubber"]


def _png(figure: Figure) -> bytes:
    if not isinstance(figure.canvas, FigureCanvasAgg):
        # Keep one Agg canvas on the figure: savefig would make a new one for every image,
        # and with it a new renderer, whose text and mathtext caches would start empty (a
        # figure drawn again, as in a widget or a scrubber, draws 35-40% faster with them).
        FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # No "Software" metadata: the same figure gives the same bytes on every machine.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


class _MinorTickMarks(Artist):
    """The minor tick marks of one axis, drawn as one marker line per side of the axes.

    Matplotlib makes a ``Tick`` (two marker lines, a grid line and two labels) for every minor
    tick position, at every drawing: a log axis over three decades has about 40, and making
    them takes as long as drawing the rest of a simple figure. Where the minor ticks have no
    grid line and no label (matplotlib's default on a log axis over more than a decade or so),
    only their marks show; this artist draws those marks, at the positions and with the marker
    lines that the axis would use, so that the image is the same, pixel for pixel.
    """

    def __init__(self, axis, locator, template):
        super().__init__()
        self._axis = axis
        self._locator = locator
        # The template tick's own marker lines (marker, size, width, colour, transform), moved
        # to every position at once. An x tick mark sits at (loc, 0) or (loc, 1) in axes units,
        # a y tick mark at (0, loc) or (1, loc): each line keeps its fixed coordinate.
        self._sides = [(mark, mark.get_ydata()[0] if axis.axis_name == "x" else mark.get_xdata()[0])
                       for mark in (template.tick1line, template.tick2line) if mark.get_visible()]
        self.set_zorder(axis.get_zorder())
        self.set_in_layout(False)
        self.set_clip_on(False)

    def locations(self) -> np.ndarray:
        """The minor tick positions inside the view, as ``Axis`` computes them for drawing."""
        axis = self._axis
        locs = np.asarray(self._locator(), dtype=float)
        transform = axis.get_transform()
        low, high = sorted(transform.transform(axis.get_view_interval()))
        if axis.remove_overlapping_locs and locs.size:
            # As Axis.get_minorticklocs: no minor tick where a major tick is.
            majors = np.asarray(axis.get_major_locator()(), dtype=float)
            if majors.size:
                near = np.isclose(transform.transform(locs)[:, None],
                                  transform.transform(majors)[None, :],
                                  atol=(high - low) * 1e-5, rtol=0).any(axis=1)
                locs = locs[~near]
        # As Axis._update_ticks: the positions in the view, up to a relative 1e-10.
        slack = (high - low) * 1e-10
        with np.errstate(invalid="ignore", divide="ignore"):
            where = transform.transform(locs)
        return locs[(where >= low - slack) & (where <= high + slack)]

    def draw(self, renderer):
        axis = self._axis
        if not (self.get_visible() and axis.get_visible() and axis.axes.axison):
            return
        locs = self.locations()
        for line, fixed in self._sides:
            others = np.full(locs.shape, fixed)
            if axis.axis_name == "x":
                line.set_data(locs, others)
            else:
                line.set_data(others, locs)
            line.draw(renderer)
        self.stale = False


def _mark_minor_ticks(figure: Figure) -> None:
    """Draw the unlabelled minor ticks of ``figure`` as :class:`_MinorTickMarks` (same image).

    An axis keeps matplotlib's own minor ticks when they have a label or a grid line, when its
    ticker is shared with another axis, or when it is not a plain 2-D axis.
    """
    for ax in figure.axes:
        if ax.name != "rectilinear" or not ax.axison:
            continue
        for axis, shared in ((ax.xaxis, ax.get_shared_x_axes()), (ax.yaxis, ax.get_shared_y_axes())):
            locator = axis.get_minor_locator()
            if (not axis.get_visible() or isinstance(locator, NullLocator)
                    or len(shared.get_siblings(ax)) > 1):
                continue
            template = axis.get_minor_ticks(1)[0]
            if template.gridline.get_visible():
                continue
            marks = _MinorTickMarks(axis, locator, template)
            if template.label1.get_visible() or template.label2.get_visible():
                labels = axis.get_minor_formatter().format_ticks(marks.locations())
                if any(labels):
                    continue
            axis.set_minor_locator(NullLocator())
            ax.add_artist(marks)


class StaticFigure(Figure):
    """A matplotlib :class:`~matplotlib.figure.Figure` that displays itself as a PNG.

    A plain ``Figure`` made without pyplot shows as ``<Figure size ...>`` text in a notebook
    unless pyplot's inline backend happens to be loaded; this one always shows as an image, and
    it is not registered with pyplot (no global figure list, nothing to close).
    """

    def _repr_png_(self) -> bytes:
        return _png(self)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class Control:
    r"""One setting a reader can change: a slider over ``[low, high]`` or a choice of ``options``.

    Parameters
    ----------
    name : str
        Keyword under which the draw function receives the value.
    low, high : float, optional
        Ends of a slider. Integers for ``low``, ``high`` and ``step`` give an integer slider.
    step : float, optional
        Slider increment; for ``scale="log"`` the increment of the base-10 exponent.
    value : optional
        Initial value (default: ``low``, or the first option).
    options : sequence, optional
        The choices of a drop-down menu; give either ``options`` or ``low``/``high``/``step``.
    label : str, optional
        Text shown next to the control (default: ``name``).
    scale : {"linear", "log"}
        ``"log"`` spaces the slider evenly in :math:`\log_{10}` of the value (learning rates).

    Raises
    ------
    ValueError
        If the range is empty, the step is not positive, the value lies outside the range, or a
        log slider does not start above 0.
    TypeError
        If ``name`` is not a string or a bound is not a number.

    Examples
    --------
    >>> Control("eta", 0.0, 2.5, 0.05, value=0.5).value
    0.5
    >>> Control("rule", options=("SGD", "Adam")).value
    'SGD'
    >>> Control("eta", 1.0, 0.5, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: high must be a finite number > 1; got high=0.5
    """

    name: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    value: object = None
    options: tuple | None = None
    label: str | None = None
    scale: str = "linear"

    def __post_init__(self):
        if not (isinstance(self.name, str) and self.name.isidentifier()):
            raise fail_type("name", "a Python identifier (str)", self.name)
        if self.scale not in ("linear", "log"):
            raise fail_value("scale", "one of 'linear', 'log'", self.scale)
        if self.options is not None:
            options = tuple(self.options)
            if not options:
                raise fail_value("options", "a non-empty sequence", self.options)
            object.__setattr__(self, "options", options)
            value = options[0] if self.value is None else self.value
            if value not in options:
                raise fail_value("value", f"one of the options {options!r}", self.value)
            object.__setattr__(self, "value", value)
            return
        if self.low is None or self.high is None or self.step is None:
            raise fail_value("low, high, step", "all given for a slider (or give options)",
                             (self.low, self.high, self.step))
        low = check_real("low", self.low, min_value=0.0, min_inclusive=False) if self.scale == "log" \
            else check_real("low", self.low)
        check_real("high", self.high, min_value=low, min_inclusive=False)
        check_real("step", self.step, min_value=0.0, min_inclusive=False)
        value = self.low if self.value is None else self.value
        check_real("value", value, min_value=self.low, max_value=self.high)
        object.__setattr__(self, "value", value)

    @property
    def is_integer(self) -> bool:
        """True for a slider whose bounds and step are all integers."""
        return self.options is None and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool)
            for v in (self.low, self.high, self.step)
        )

    def positions(self) -> tuple:
        """Every value the live control offers, in order: the options, or the slider's positions.

        A slider's positions are ``low + k * step`` for k = 0, 1, ... up to ``high`` (rounded
        to 12 significant digits, so that 0.7 is 0.7); on a ``"log"`` slider the exponent
        moves by ``step``: ``10 ** (log10(low) + k * step)``. The initial ``value`` need not be
        one of them (a slider starts where it is told). A chapter that precomputes runs at
        exactly these numbers finds them again by value (see :meth:`snap`).

        >>> Control("eta", 1e-3, 1e-1, 0.5, scale="log").positions()
        (0.001, 0.0031622776601683794, 0.01, 0.0316227766016838, 0.1)
        >>> Control("n", 1, 7, 3).positions()
        (1, 4, 7)
        """
        if self.options is not None:
            return self.options
        if self.is_integer:
            return tuple(range(self.low, self.high + 1, self.step))
        start, end = float(self.low), float(self.high)
        if self.scale == "log":
            start, end = math.log10(start), math.log10(end)
        count = math.floor((end - start) / self.step + 1e-9) + 1
        points = [start + k * self.step for k in range(count)]
        if self.scale == "log":
            return tuple(10.0 ** point for point in points)
        # 12 significant digits: 0.7, not the 0.7000000000000001 that 7 * 0.1 gives
        return tuple(float(f"{point:.12g}") for point in points)

    def snap(self, value):
        """The position of :meth:`positions` that ``value`` stands for, else ``value`` itself.

        A browser computes a slider's value in its own arithmetic (a log slider's power of ten
        in JavaScript), which can differ from :meth:`positions` in the last digit. A value
        within a millionth of a step of a position (in the exponent, on a log slider) is
        replaced by that position, exactly; any other value, such as an initial value between
        positions, is returned unchanged. The live widget hands the draw function snapped
        values, so a chapter may key a table of precomputed runs by value.

        >>> control = Control("eta", 1e-3, 1e-1, 0.5, scale="log")
        >>> control.snap(0.0031622776601683803)   # the browser's 10 ** -2.5
        0.0031622776601683794
        >>> control.snap(0.003)
        0.003
        """
        if self.options is not None or self.is_integer or not _is_number(value):
            return value
        point = float(value)
        if self.scale == "log":
            if not point > 0.0:
                return value
            point, start = math.log10(point), math.log10(self.low)
        else:
            start = float(self.low)
        k = round((point - start) / self.step)
        positions = self.positions()
        if 0 <= k < len(positions) and abs(point - (start + k * self.step)) <= 1e-6 * self.step:
            return positions[k]
        return value

    def widget(self, widgets):
        """The ipywidgets control for this setting (``widgets`` is the imported module)."""
        description = self.label or self.name
        common = dict(description=description, continuous_update=False,
                      style={"description_width": "initial"})
        if self.options is not None:
            return widgets.Dropdown(options=list(self.options), value=self.value,
                                    description=description, style=common["style"])
        if self.is_integer:
            return widgets.IntSlider(min=self.low, max=self.high, step=self.step,
                                     value=self.value, **common)
        if self.scale == "log":
            return widgets.FloatLogSlider(base=10.0, min=math.log10(self.low),
                                          max=math.log10(self.high), step=self.step,
                                          value=self.value, readout_format=".2e", **common)
        digits = max(0, -math.floor(math.log10(self.step))) if self.step < 1 else 0
        return widgets.FloatSlider(min=self.low, max=self.high, step=self.step, value=self.value,
                                   readout_format=f".{digits}f", **common)


@dataclass(frozen=True)
class Explorer:
    r"""A draw function and the controls a reader may move.

    Parameters
    ----------
    draw : callable
        ``draw(ax, **values)`` draws on ``ax`` (a tuple of Axes when ``ncols > 1``); it receives
        one keyword per control and must not call ``plt.show()``.
    controls : sequence of Control
        The settings, in the order they are shown.
    figsize : (float, float)
        Figure size in inches.
    ncols : int
        Number of side-by-side Axes handed to ``draw``.
    dpi : float
        Resolution of the PNG images (live view and scrubber frames).

    Raises
    ------
    TypeError
        If ``draw`` is not callable or a control is not a :class:`Control`.
    ValueError
        If two controls share a name.

    Notes
    -----
    Calling the explorer with keyword values returns the static figure at those values (the
    other controls keep their initial values); an unknown keyword raises ``TypeError``.

    Minor ticks without labels or grid lines (those of a log axis over more than about a
    decade) are drawn by one artist per axis, not by one matplotlib ``Tick`` each: the image
    is the same, pixel for pixel, and it is drawn up to twice as fast. Such an axis has a
    ``NullLocator`` as its minor locator once the figure is drawn.

    Examples
    --------
    >>> def draw(ax, n=1):
    ...     ax.plot(range(n + 1))
    >>> explorer = Explorer(draw, (Control("n", 1, 5, 1),))
    >>> explorer.defaults()
    {'n': 1}
    >>> len(explorer(n=4).axes[0].lines[0].get_xdata())
    5
    """

    draw: Callable
    controls: Sequence[Control]
    figsize: tuple[float, float] = (6.0, 3.2)
    ncols: int = 1
    dpi: float = 70.0

    def __post_init__(self):
        if not callable(self.draw):
            raise fail_type("draw", "a callable draw(ax, **values)", self.draw)
        controls = tuple(self.controls)
        for control in controls:
            if not isinstance(control, Control):
                raise fail_type("controls", "a sequence of Control", control)
        names = [c.name for c in controls]
        if len(set(names)) != len(names):
            raise fail_value("controls", "controls with distinct names", names)
        object.__setattr__(self, "controls", controls)
        check_int("ncols", self.ncols, min_value=1)
        check_real("dpi", self.dpi, min_value=10.0)

    def defaults(self) -> dict:
        """The initial value of every control, by name."""
        return {c.name: c.value for c in self.controls}

    def values(self, **values) -> dict:
        """The defaults updated with ``values``; an unknown name raises ``TypeError``."""
        merged = self.defaults()
        for name, value in values.items():
            if name not in merged:
                known = ", ".join(merged) or "none"
                raise TypeError(f"unknown control {name!r}; the controls are: {known}")
            merged[name] = value
        return merged

    def render(self, figure: Figure, **values) -> Figure:
        """Clear ``figure`` and draw it at ``values`` (the defaults for the rest)."""
        settings = self.values(**values)
        figure.clear()
        axes = figure.subplots(1, self.ncols, squeeze=False)[0]
        self.draw(axes[0] if self.ncols == 1 else tuple(axes), **settings)
        _mark_minor_ticks(figure)
        return figure

    def __call__(self, **values) -> StaticFigure:
        """The static figure at ``values``."""
        figure = StaticFigure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        return self.render(figure, **values)

    def live(self, *, relayout: bool = False) -> LiveFigure:
        """The live widget: ipywidgets controls wired to the draw function (see
        :class:`LiveFigure` for ``relayout``)."""
        return LiveFigure(self, relayout=relayout)

    def scrubber(self, name: str, values=None, *, start: int = 0, **fixed) -> Scrubber:
        """A kernel-free scrubber over control ``name`` (see :func:`scrubber`).

        ``values`` defaults to the control's options, or to its slider positions when there are
        at most 41 of them.
        """
        control = {c.name: c for c in self.controls}.get(name)
        if control is None:
            raise TypeError(f"unknown control {name!r}; the controls are: "
                            + ", ".join(c.name for c in self.controls))
        if values is None:
            values = _default_frames(control)
        settings = self.values(**fixed)
        settings.pop(name)
        return scrubber(self.draw, name, values, start=start, label=control.label,
                        figsize=self.figsize, ncols=self.ncols, dpi=self.dpi, **settings)


def _default_frames(control: Control) -> tuple:
    if control.options is not None:
        return control.options
    positions = control.positions()
    if len(positions) > 41:
        raise fail_value("values", "given explicitly for a slider with more than 41 positions",
                         None)
    return positions


class LiveFigure:
    """The live view of an :class:`Explorer`: ipywidgets controls above the figure's image.

    Built by :meth:`Explorer.live`. Moving a control redraws the figure (in a running kernel);
    :meth:`update` does the same from code. It displays as its ipywidgets box.

    Parameters
    ----------
    explorer : Explorer
    relayout : bool, default False
        Recompute the constrained layout at every redraw. By default it is computed once, for
        the first image, and the axes keep those positions: a control change then costs one
        drawing pass instead of two (matplotlib's constrained layout draws the figure once
        more to measure its texts), which makes the widget answer about 40% sooner. The
        layout is recomputed whenever the number of axes changes.

    Attributes
    ----------
    controls : dict
        The ipywidgets control of each setting, by name.
    image : ipywidgets.Image
        The PNG of the current figure.
    figure : matplotlib.figure.Figure
        The figure that is redrawn.
    widget : ipywidgets.VBox
        The controls and the image, as shown in Jupyter.

    Notes
    -----
    Python's cyclic garbage collector is paused while the figure is redrawn, and the artists
    of the previous image are collected during the redraw, while they are young; the
    collector is left as it was found. Otherwise a full collection, which takes longer the
    more a kernel holds, would now and then double the time of a redraw.
    """

    def __init__(self, explorer: Explorer, *, relayout: bool = False):
        try:
            import ipywidgets as widgets
        except ImportError as error:  # pragma: no cover - the book's environment has it
            raise ImportError(
                "the live view needs ipywidgets (pip install ipywidgets); the static figure "
                "explorer(**values) and explorer.scrubber(...) do not") from error
        self.explorer = explorer
        self.relayout = check_bool("relayout", relayout)
        # No layout engine here: the positions come from _layout() (see relayout).
        self.figure = Figure(figsize=explorer.figsize, dpi=explorer.dpi)
        self._positions = None
        self.controls = {c.name: c.widget(widgets) for c in explorer.controls}
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.image])
        self._updating = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._redraw()

    def values(self) -> dict:
        """The current value of every control, by name (snapped: see :meth:`Control.snap`)."""
        return {setting.name: setting.snap(self.controls[setting.name].value)
                for setting in self.explorer.controls}

    def update(self, **values) -> None:
        """Set controls to ``values`` and redraw once."""
        self.explorer.values(**values)  # unknown names raise before anything changes
        self._updating = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._updating = False
        self._redraw()

    def _on_change(self, change) -> None:
        if not self._updating:
            self._redraw()

    def _redraw(self) -> None:
        # A redraw makes tens of thousands of objects. Left to itself, Python's cyclic garbage
        # collector would run many times during it, move the figure's artists to its oldest
        # generation, and every few redraws make a full collection, whose cost grows with
        # everything the kernel holds (a chapter's runs and data): 70 to 200 ms, more than the
        # redraw. So the collector waits while the figure is redrawn; the new artists are
        # moved to the middle generation only (generation 0 is collected once at the end), and
        # there, garbage once the figure is cleared for the next image, they are collected
        # with generations 0 and 1, at a few milliseconds' cost.
        collecting = gc.isenabled()
        gc.disable()
        try:
            values = self.values()
            self.figure.clear()
            gc.collect(1)
            self.explorer.render(self.figure, **values)
            axes = self.figure.axes
            if self.relayout or self._positions is None or len(self._positions) != len(axes):
                self._positions = self._layout(values)
            for ax, position in zip(axes, self._positions):
                ax.set_position(position)
            self.image.value = _png(self.figure)
            gc.collect(0)
        finally:
            if collecting:
                gc.enable()

    def _layout(self, values) -> list:
        """The axes positions the constrained layout gives the figure at ``values``."""
        probe = Figure(figsize=self.explorer.figsize, dpi=self.explorer.dpi, layout="constrained")
        self.explorer.render(probe, **values)
        probe.draw_without_rendering()
        return [ax.get_position(original=True) for ax in probe.axes]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


@dataclass(frozen=True)
class Scrubber:
    """Precomputed frames and the self-contained HTML that flips between them.

    Attributes
    ----------
    html : str
        One ``<div>``: the frames as inline PNG images and a range input that shows one of
        them. No external script or stylesheet; the only script is the input's ``oninput``.
    frames : int
        Number of frames.
    labels : tuple of str
        The caption of each frame (``"name = value"``).
    """

    html: str = field(repr=False)
    frames: int
    labels: tuple[str, ...]

    def _repr_html_(self) -> str:
        return self.html


# Runs when the range input moves: show frame i, hide the others, update the caption.
_ONINPUT = (
    "var box=this.closest('.lrlib-scrubber'),imgs=box.querySelectorAll('img'),i=+this.value;"
    "for(var j=0;j!==imgs.length;j++){imgs[j].style.display=(j===i)?'block':'none';}"
    "box.querySelector('output').textContent=imgs[i].getAttribute('data-label');"
)


def scrubber(draw: Callable, name: str, values, *, start: int = 0, label: str | None = None,
             figsize=(6.0, 3.2), ncols: int = 1, dpi: float = 70.0, **fixed) -> Scrubber:
    r"""Precompute ``draw`` over the values of one parameter; return a kernel-free slider.

    Parameters
    ----------
    draw : callable
        ``draw(ax, **values)``, as for :class:`Explorer`.
    name : str
        The keyword of ``draw`` that the slider moves.
    values : sequence
        The values of ``name``, one frame each, in slider order.
    start : int
        Index of the frame shown first.
    label : str, optional
        Caption text for the parameter (default: ``name``).
    figsize, ncols, dpi
        As for :class:`Explorer`; keep ``dpi`` small, every frame is stored in the page.
    **fixed
        The other keywords of ``draw``, held fixed.

    Returns
    -------
    Scrubber
        ``.html`` is the snippet; in a notebook the object displays as that HTML.

    Raises
    ------
    ValueError
        If ``values`` is empty or ``start`` is not a frame index.

    Notes
    -----
    Every frame is drawn now, so moving the slider later needs no kernel: the page only shows a
    different stored image. The page weight grows with the number of frames times the size of
    one PNG (about 20 kB at 6 x 3.2 inches and ``dpi=70``).

    Examples
    --------
    >>> def draw(ax, beta=0.0):
    ...     ax.plot([0, 1], [0, beta])
    >>> s = scrubber(draw, "beta", [0.0, 0.5, 0.9])
    >>> s.frames, s.labels[1], s.html.count("<img ")
    (3, 'beta = 0.5', 3)
    """
    if not callable(draw):
        raise fail_type("draw", "a callable draw(ax, **values)", draw)
    if not (isinstance(name, str) and name.isidentifier()):
        raise fail_type("name", "a Python identifier (str)", name)
    values = tuple(values.tolist() if hasattr(values, "tolist") else values)
    if not values:
        raise fail_value("values", "a non-empty sequence", values)
    check_int("start", start, min_value=0, max_value=len(values) - 1)
    caption = label or name
    figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    check_int("ncols", ncols, min_value=1)
    labels, images = [], []
    for k, value in enumerate(values):
        shown = f"{value:.4g}" if _is_number(value) else str(value)
        labels.append(f"{caption} = {shown}")
        figure.clear()
        axes = figure.subplots(1, ncols, squeeze=False)[0]
        draw(axes[0] if ncols == 1 else tuple(axes), **{name: value}, **fixed)
        _mark_minor_ticks(figure)
        data = base64.b64encode(_png(figure)).decode("ascii")
        display = "block" if k == start else "none"
        text = html.escape(labels[-1], quote=True)
        images.append(f'<img src="data:image/png;base64,{data}" alt="{text}" data-label="{text}" '
                      f'style="display:{display};max-width:100%;height:auto">')
    slider = (f'<input type="range" min="0" max="{len(values) - 1}" step="1" value="{start}" '
              f'aria-label="{html.escape(caption, quote=True)}" style="width:60%" '
              f'oninput="{html.escape(_ONINPUT, quote=True)}">')
    page = ('<div class="lrlib-scrubber" style="margin:0.5em 0">'
            + "".join(images)
            + f'<div style="display:flex;gap:1em;align-items:center">{slider}'
            + f'<output>{html.escape(labels[start])}</output></div></div>')
    return Scrubber(html=page, frames=len(values), labels=tuple(labels))
