"""Widget latency: the time from a control change to the new figure, for each chapter's Explorer.

A chapter's code cells are executed in order up to the last cell that builds an ``Explorer``
(cells that only display, the live widget and the scrubbers, are skipped). Each ``Explorer``
left in the namespace is then driven as a reader drives it: its live widget
(``explorer.live()``) gets ``update(name=value)``, which is what a slider change runs (the
chapter's draw function, matplotlib's drawing pass, the PNG encoding). Each control in turn
visits a handful of its positions (values a reader can reach: ``Control.positions``) spread
over its range while the others keep their initial values; every visit is a new setting, so
a chapter's caches help exactly as much as they do for a reader sweeping a slider. Run as a
script for a quick look at some notebooks:

    .venv/bin/python benchmarks/widget_latency.py chapters/01_learning_rate.ipynb
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def _quiet_in(directory: Path):
    """Run in ``directory`` (chapters read fixtures by relative path), output and warnings off."""
    here = os.getcwd()
    os.chdir(directory)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        os.chdir(here)


def load_explorers(path: Path) -> dict:
    """Execute ``path``'s cells up to its last ``Explorer(...)``; return the explorers by name."""
    import matplotlib
    import nbformat

    matplotlib.use("Agg")
    from lrlib.widgets import Explorer

    notebook = nbformat.read(path, as_version=4)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    last = max((i for i, source in enumerate(cells) if "Explorer(" in source), default=-1)
    namespace = {"__name__": "__main__"}
    with _quiet_in(path.parent):
        for source in cells[: last + 1]:
            if ".live()" in source or ".scrubber(" in source or source.lstrip().startswith("%"):
                continue
            exec(compile(source, str(path), "exec"), namespace)
        import matplotlib.pyplot as plt

        plt.close("all")
    return {name: value for name, value in namespace.items() if isinstance(value, Explorer)}


def control_positions(control, count: int = 6) -> list:
    """``count`` settings spread over a control's range (every option of a drop-down).

    Only settings a reader can reach are visited: positions of the slider
    (``Control.positions``), as the live widget hands them to the draw function.
    """
    positions = control.positions()
    if control.options is not None or len(positions) <= count:
        return list(positions)
    picks = np.unique(np.round(np.linspace(0, len(positions) - 1, count)).astype(int))
    return [positions[k] for k in picks]


def time_explorer(explorer, directory: Path, count: int = 6, relayout: bool = False) -> dict:
    """Median, p95 and max of ``live.update(name=value)`` over each control's positions.

    The draw function is wrapped to time its share (the chapter's computation and the
    artists it builds); the rest is matplotlib's drawing pass and the PNG encoding.
    """
    drawing = []
    draw = explorer.draw

    def timed_draw(ax, **values):
        start = time.perf_counter()
        draw(ax, **values)
        drawing.append(time.perf_counter() - start)

    total, in_draw, settings = [], [], []
    with _quiet_in(directory):
        timed = dataclasses.replace(explorer, draw=timed_draw)
        live = timed.live(relayout=True) if relayout else timed.live()
        for control in explorer.controls:
            for value in control_positions(control, count):
                if value == control.value:
                    continue
                drawing.clear()
                start = time.perf_counter()
                live.update(**{control.name: value})
                total.append(time.perf_counter() - start)
                in_draw.append(sum(drawing))
                settings.append(f"{control.name}={value:.3g}" if isinstance(value, float)
                                else f"{control.name}={value!r}")
            live.update(**{control.name: control.value})
    return {"median_s": float(np.median(total)), "p95_s": float(np.percentile(total, 95)),
            "max_s": float(np.max(total)), "draw_median_s": float(np.median(in_draw)),
            "updates": len(total), "slowest": settings[int(np.argmax(total))]}


def measure(notebooks, count: int = 6, relayout: bool = False) -> list[dict]:
    """One row per explorer of each notebook (a notebook without one gets a row saying so)."""
    rows = []
    for path in notebooks:
        path = Path(path).resolve()
        try:
            explorers = load_explorers(path)
        except Exception as error:  # a chapter being edited may not run: report it, go on
            rows.append({"notebook": path.stem, "explorer": None,
                         "error": f"{type(error).__name__}: {error}"[:200]})
            continue
        if not explorers:
            rows.append({"notebook": path.stem, "explorer": None, "error": "no Explorer"})
        for name, explorer in explorers.items():
            try:
                result = time_explorer(explorer, path.parent, count, relayout)
            except Exception as error:
                result = {"error": f"{type(error).__name__}: {error}"[:200]}
            rows.append({"notebook": path.stem, "explorer": name, **result})
    return rows


def main(argv):
    relayout = "--relayout" in argv
    paths = [a for a in argv if not a.startswith("--")] or sorted(
        str(p) for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    for row in measure(paths, relayout=relayout):
        if row.get("error"):
            print(f"{row['notebook']:22s} {row['explorer'] or '-':18s} {row['error']}")
            continue
        print(f"{row['notebook']:22s} {row['explorer']:18s} median {1e3 * row['median_s']:6.0f} ms"
              f"  p95 {1e3 * row['p95_s']:6.0f} ms  (draw function {1e3 * row['draw_median_s']:5.0f}"
              f" ms)  slowest {row['slowest']}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
