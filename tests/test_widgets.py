"""lrlib.widgets: static figures without ipywidgets, live widgets that redraw, kernel-free scrubbers."""

from __future__ import annotations

import base64
import re
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from lrlib.widgets import Control, Explorer, LiveFigure, Scrubber, StaticFigure, scrubber

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def draw_line(ax, slope=1.0, offset=0, color="C0"):
    x = np.linspace(0.0, 1.0, 11)
    ax.plot(x, slope * x + offset, color=color)
    ax.set_title(f"slope={slope:g} offset={offset} color={color}")


def explorer() -> Explorer:
    return Explorer(draw_line, [
        Control("slope", -2.0, 2.0, 0.1, value=1.0),
        Control("offset", 0, 10, 1, value=3),
        Control("color", options=("C0", "C1", "C2")),
    ])


def frame_bytes(html: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


# ---------------------------------------------------------------------------- scrubber

def test_scrubber_has_one_frame_per_value():
    values = [0.0, 0.5, 1.0, 1.5, 2.0]
    result = explorer().scrubber("slope", values)
    assert isinstance(result, Scrubber)
    assert result.frames == 5
    assert result.html.count("<img ") == 5
    assert all(frame.startswith(PNG_SIGNATURE) for frame in frame_bytes(result.html))
    assert 'max="4"' in result.html


def test_scrubber_shows_only_the_start_frame_at_first():
    result = explorer().scrubber("slope", [0.0, 0.5, 1.0], start=2)
    displays = re.findall(r'<img [^>]*style="display:(\w+);', result.html)
    assert displays == ["none", "none", "block"]
    assert result.labels == ("slope = 0", "slope = 0.5", "slope = 1")
    assert "<output>slope = 1</output>" in result.html


def test_scrubber_frames_are_the_static_figures_at_each_value():
    tool = explorer()
    values = [-1.0, 0.3]
    frames = frame_bytes(tool.scrubber("slope", values, offset=7).html)
    assert frames == [tool(slope=v, offset=7)._repr_png_() for v in values]
    assert frames[0] != frames[1]


def test_scrubber_needs_no_external_resource():
    html = explorer().scrubber("color").html
    assert "http" not in html and "<script" not in html and "<link" not in html


def test_scrubber_defaults_to_the_options_of_a_choice():
    assert explorer().scrubber("color").labels == ("color = C0", "color = C1", "color = C2")


def test_scrubber_displays_as_its_html_in_a_notebook():
    result = scrubber(draw_line, "offset", [1, 2])
    assert result._repr_html_() is result.html


@pytest.mark.parametrize("arguments, error, message", [
    (dict(name="slope", values=[]), ValueError, "values must be a non-empty sequence; got values=()"),
    (dict(name="slope", values=[1.0], start=1), ValueError, "start must be an integer in [0, 0]; got start=1"),
    (dict(name="not a name", values=[1.0]), TypeError, "name must be a Python identifier (str)"),
])
def test_scrubber_rejects_bad_arguments(arguments, error, message):
    with pytest.raises(error) as raised:
        scrubber(draw_line, **arguments)
    assert message in str(raised.value)


def test_explorer_scrubber_rejects_an_unknown_control():
    with pytest.raises(TypeError, match="unknown control 'speed'"):
        explorer().scrubber("speed", [1.0])


# ---------------------------------------------------------------------------- static figure

def test_static_figure_is_drawn_at_the_given_values():
    figure = explorer()(slope=0.5, color="C2")
    assert isinstance(figure, Figure)
    assert figure.axes[0].get_title() == "slope=0.5 offset=3 color=C2"


def test_static_figure_displays_as_png_and_stays_out_of_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    figure = explorer()()
    assert isinstance(figure, StaticFigure)
    assert figure._repr_png_().startswith(PNG_SIGNATURE)
    assert plt.get_fignums() == before


def test_static_figure_rejects_an_unknown_setting():
    with pytest.raises(TypeError, match="unknown control 'slop'; the controls are: slope, offset, color"):
        explorer()(slop=1.0)


def test_static_figure_path_works_without_ipywidgets():
    # A fresh interpreter in which ipywidgets cannot be imported: the static figure and the
    # scrubber work, the live view explains what is missing.
    code = """
import sys
sys.modules["ipywidgets"] = None          # makes `import ipywidgets` raise ImportError
from lrlib.widgets import Control, Explorer
tool = Explorer(lambda ax, k=1: ax.plot(range(k + 1)), [Control("k", 1, 4, 1)])
assert len(tool(k=3).axes[0].lines[0].get_xdata()) == 4
assert tool.scrubber("k").frames == 4
try:
    tool.live()
except ImportError as error:
    assert "needs ipywidgets" in str(error)
else:
    raise AssertionError("live() worked without ipywidgets")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_importing_lrlib_widgets_does_not_import_ipywidgets():
    code = "import sys, lrlib.widgets; print('ipywidgets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# ---------------------------------------------------------------------------- live widget

def test_live_widget_has_one_control_per_setting():
    import ipywidgets

    live = explorer().live()
    assert isinstance(live, LiveFigure)
    assert list(live.controls) == ["slope", "offset", "color"]
    slope, offset, color = live.controls.values()
    assert isinstance(slope, ipywidgets.FloatSlider)
    assert (slope.min, slope.max, slope.step, slope.value) == (-2.0, 2.0, 0.1, 1.0)
    assert isinstance(offset, ipywidgets.IntSlider) and offset.value == 3
    assert isinstance(color, ipywidgets.Dropdown) and color.options == ("C0", "C1", "C2")
    assert isinstance(live.widget, ipywidgets.VBox)
    assert bytes(live.image.value).startswith(PNG_SIGNATURE)


def test_log_slider_for_a_learning_rate():
    import ipywidgets

    tool = Explorer(draw_line, [Control("slope", 1e-4, 1.0, 0.5, value=1e-2, scale="log")])
    slider = tool.live().controls["slope"]
    assert isinstance(slider, ipywidgets.FloatLogSlider)
    assert (slider.min, slider.max, slider.value) == (-4.0, 0.0, pytest.approx(1e-2))


def test_update_redraws_the_figure():
    live = explorer().live()
    before = bytes(live.image.value)
    live.update(slope=-1.5, color="C1")
    assert live.figure.axes[0].get_title() == "slope=-1.5 offset=3 color=C1"
    assert bytes(live.image.value) != before
    assert live.values() == {"slope": -1.5, "offset": 3, "color": "C1"}


def test_moving_a_slider_redraws_the_figure():
    live = explorer().live()
    before = bytes(live.image.value)
    live.controls["offset"].value = 8
    assert live.figure.axes[0].get_title() == "slope=1 offset=8 color=C0"
    assert bytes(live.image.value) != before


def test_live_view_matches_the_static_figure():
    tool = explorer()
    live = tool.live()
    live.update(slope=0.7)
    assert bytes(live.image.value) == tool(slope=0.7)._repr_png_()


def test_update_rejects_an_unknown_control_and_changes_nothing():
    live = explorer().live()
    with pytest.raises(TypeError, match="unknown control 'speed'"):
        live.update(slope=0.2, speed=3)
    assert live.values()["slope"] == 1.0


def test_live_view_displays_as_its_widget():
    live = explorer().live()
    bundle = live._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


# ---------------------------------------------------------------------------- validation

@pytest.mark.parametrize("arguments, error, message", [
    (dict(name="eta", low=1.0, high=0.5, step=0.1), ValueError,
     "high must be a finite number > 1; got high=0.5"),
    (dict(name="eta", low=0.0, high=1.0, step=0.0), ValueError,
     "step must be a finite number > 0; got step=0.0"),
    (dict(name="eta", low=0.0, high=1.0, step=0.1, value=2.0), ValueError,
     "value must be a finite number in [0, 1]; got value=2.0"),
    (dict(name="eta", low=0.0, high=1.0, step=float("nan")), ValueError,
     "step must be a finite number > 0; got step=nan"),
    (dict(name="eta", low=0.0, high=1.0, step=0.5, scale="log"), ValueError,
     "low must be a finite number > 0; got low=0.0"),
    (dict(name="eta", low=0.1, high=1.0, step=0.5, scale="ln"), ValueError,
     "scale must be one of 'linear', 'log'; got scale='ln'"),
    (dict(name="eta", low="0", high=1.0, step=0.5), TypeError,
     "low must be a real number; got low='0' (str)"),
    (dict(name="eta", low=0.0, high=1.0), ValueError, "low, high, step must be all given"),
    (dict(name="eta", options=()), ValueError, "options must be a non-empty sequence"),
    (dict(name="rule", options=("SGD", "Adam"), value="RMSProp"), ValueError,
     "value must be one of the options ('SGD', 'Adam'); got value='RMSProp'"),
    (dict(name="learning rate", low=0.0, high=1.0, step=0.5), TypeError,
     "name must be a Python identifier (str); got name='learning rate' (str)"),
])
def test_control_rejects_bad_arguments(arguments, error, message):
    with pytest.raises(error) as raised:
        Control(**arguments)
    assert message in str(raised.value)


def test_explorer_rejects_duplicate_controls_and_non_callables():
    with pytest.raises(ValueError, match="controls must be controls with distinct names"):
        Explorer(draw_line, [Control("slope", 0, 1, 1), Control("slope", 0, 2, 1)])
    with pytest.raises(TypeError, match="draw must be a callable"):
        Explorer("draw_line", [])


def test_matplotlib_backend_is_untouched():
    backend = matplotlib.get_backend()
    explorer()(slope=0.1)
    explorer().scrubber("slope", [0.0, 0.1])
    assert matplotlib.get_backend() == backend


# ---------------------------------------------------------------------------- minor ticks

def _pixels(png: bytes) -> np.ndarray:
    import io

    import matplotlib.image

    return matplotlib.image.imread(io.BytesIO(png), format="png")


def _plain_png(draw, figsize=(6.0, 3.2), dpi=70.0) -> bytes:
    """The figure of ``draw`` made by matplotlib alone (no Explorer in between)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _minor_marks(ax) -> list:
    return [artist for artist in ax.artists if type(artist).__name__ == "_MinorTickMarks"]


def _loglog(ax, style=None):
    n = np.arange(1, 1001)
    ax.loglog(n, 50.0 / n, label="1/n")
    ax.set(xlabel="step", ylabel="loss", title="three decades")
    ax.legend()
    if style is not None:
        style(ax)


MINOR_TICK_STYLES = {
    "default": None,
    "styled": lambda ax: ax.tick_params(which="minor", direction="in", top=True, right=True,
                                        length=5, width=1.5, color="tab:red"),
    "inverted": lambda ax: ax.invert_xaxis(),
    "limits": lambda ax: ax.set(xlim=(3.0, 700.0), ylim=(1e-3, 1e3)),
}


@pytest.mark.parametrize("style", list(MINOR_TICK_STYLES))
def test_unlabelled_minor_ticks_are_drawn_as_marks_with_the_same_pixels(style):
    def draw(ax, k=1):
        _loglog(ax, MINOR_TICK_STYLES[style])

    figure = Explorer(draw, [Control("k", 1, 2, 1)])()
    ax = figure.axes[0]
    assert len(_minor_marks(ax)) == 2                 # both axes: the Tick objects are not made
    assert ax.xaxis.get_minorticklocs().size == 0
    assert np.array_equal(_pixels(figure._repr_png_()), _pixels(_plain_png(draw)))


@pytest.mark.parametrize("style", ["labelled", "grid", "shared", "off"])
def test_minor_ticks_with_labels_or_grid_lines_are_left_to_matplotlib(style):
    def draw(ax, k=1):
        if style == "labelled":                       # under a decade: minor ticks get labels
            ax.semilogy([1, 2, 3], [2.0, 3.0, 6.0])
        elif style == "grid":
            _loglog(ax, lambda ax: ax.grid(which="both"))
        elif style == "shared":
            _loglog(ax, lambda ax: ax.twinx().semilogy([1, 1000], [1, 10]))
        else:
            _loglog(ax, lambda ax: ax.axis("off"))

    figure = Explorer(draw, [Control("k", 1, 2, 1)])()
    ax = figure.axes[0]
    kept = ax.xaxis if style == "shared" else ax.yaxis   # twinx shares the x axis
    assert len(kept.get_minorticklocs()) > 0
    assert not any(marks._axis is kept for marks in _minor_marks(ax))
    if style == "labelled":
        assert any(label.get_text() for label in ax.yaxis.get_minorticklabels())
    assert np.array_equal(_pixels(figure._repr_png_()), _pixels(_plain_png(draw)))


def test_scrubber_frames_and_the_live_view_draw_minor_ticks_as_marks():
    def draw(ax, k=1):
        _loglog(ax)
        ax.set_title(f"k = {k}")

    tool = Explorer(draw, [Control("k", 1, 2, 1)])
    assert frame_bytes(tool.scrubber("k", [2]).html) == [tool(k=2)._repr_png_()]
    live = tool.live()
    live.update(k=2)
    assert len(_minor_marks(live.figure.axes[0])) == 2
    assert bytes(live.image.value) == tool(k=2)._repr_png_()


# ---------------------------------------------------------------------------- garbage collection

def test_a_redraw_frees_the_previous_image_and_leaves_the_collector_as_it_was():
    import gc
    import weakref

    live = explorer().live()
    live.update(slope=0.2)
    previous = weakref.ref(live.figure.axes[0])
    gc.disable()
    try:
        live.update(slope=0.3)
        assert previous() is None        # collected during the redraw, not left to a full collection
        assert not gc.isenabled()
    finally:
        gc.enable()
    live.update(slope=0.4)
    assert gc.isenabled()


# ---------------------------------------------------------------------------- slider positions

def test_positions_of_a_log_slider_step_through_the_exponent():
    rates = Control("eta", 1e-7, 1e-1, 0.25, scale="log").positions()
    assert len(rates) == 25 and rates[0] == 1e-7 and rates[20] == 1e-2
    np.testing.assert_allclose(np.log10(rates), -7 + 0.25 * np.arange(25), atol=1e-12)


def test_positions_of_linear_and_integer_sliders_and_menus():
    assert Control("slope", -2.0, 2.0, 0.1).positions()[27] == 0.7   # not 0.7000000000000001
    assert len(Control("slope", -2.0, 2.0, 0.1).positions()) == 41
    assert Control("x", 0.0, 1.0, 0.3).positions() == (0.0, 0.3, 0.6, 0.9)   # stops below high
    assert Control("n", 0, 10, 4).positions() == (0, 4, 8)
    assert Control("c", options=("a", "b")).positions() == ("a", "b")


def test_snap_replaces_a_browser_value_by_the_exact_position():
    control = Control("eta", 1e-7, 1e-1, 0.25, scale="log")
    for position in control.positions():
        for near in (np.nextafter(position, 0.0), np.nextafter(position, 1.0)):
            assert control.snap(float(near)) == position
    for other in (3e-3, 0.5, 1e-9):             # between positions, or outside the range
        assert control.snap(other) == other
    slope = explorer().controls[0]
    assert slope.snap(0.7000000000000001) == 0.7 and slope.snap(0.75) == 0.75
    assert explorer().controls[2].snap("C1") == "C1"


def test_live_view_hands_the_draw_function_snapped_values():
    seen = []

    def draw(ax, eta=1e-2):
        seen.append(eta)

    control = Control("eta", 1e-4, 1.0, 0.5, value=1e-2, scale="log")
    live = Explorer(draw, [control]).live()
    live.update(eta=float(np.nextafter(10.0 ** -1.5, 1.0)))
    assert seen[-1] == control.positions()[5] == 10.0 ** -1.5


def test_scrubber_of_a_log_slider_defaults_to_its_positions():
    tool = Explorer(draw_line, [Control("slope", 0.01, 100.0, 1.0, scale="log")])
    assert tool.scrubber("slope").frames == 5
