"""``make bench``: lrlib's speed, measured side by side with torch.optim, in one run.

    .venv/bin/python benchmarks/bench.py [--torch-python PATH] [--quick] [--skip SECTIONS]

Sections (``--skip`` takes a comma-separated list of their names):

steps      one optimizer step of every rule with a torch twin, for 2, 1e3 and 1e6 parameters
           in float64 and float32, against torch's default path and its fused CPU kernel
sweep      1,000 learning rates x 1,000 Adam steps on a 2-D bowl: one broadcast batch
           (``lrlib.sweep``) against Python loops of lrlib runs and of torch optimizers
widgets    each chapter's widget: control change -> new PNG (median, p95)
notebooks  each chapter under nbval, the unit tests and the book's checks
book       a clean ``jupyter-book build`` (empty execution cache, into a temporary folder)

torch is never imported here: its timings come from ``torch_timings.py``, run as a subprocess
of an interpreter that has torch (``--torch-python``, ``$TORCH_PYTHON``, or the first of
``python3``/``python`` on PATH that imports it). Without one, the torch columns say so.
The table is printed and saved with the raw numbers in ``benchmarks/results/`` (git-ignored):
``bench-<date>.json``, ``bench-<date>.md`` and copies named ``latest.*``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import lrlib  # noqa: E402
from _timing import machine, per_call  # noqa: E402

RESULTS = HERE / "results"
SECTIONS = ("steps", "sweep", "widgets", "notebooks", "book")
# The lrlib side of each torch twin (torch_timings.TWINS), with the same hyperparameters.
RULES = {
    "SGD": lambda: lrlib.SGD(0.01),
    "Momentum": lambda: lrlib.Momentum(0.01, beta=0.9),
    "AdaGrad": lambda: lrlib.AdaGrad(0.01),
    "RMSProp": lambda: lrlib.RMSProp(0.01),
    "Adadelta": lambda: lrlib.Adadelta(),
    "Adam": lambda: lrlib.Adam(),
    "AdamW": lambda: lrlib.AdamW(),
    "Adamax": lambda: lrlib.Adamax(),
    "NAdam": lambda: lrlib.NAdam(),
    "RAdam": lambda: lrlib.RAdam(),
}
SWEEP_RATES, SWEEP_STEPS = 1000, 1000


# ------------------------------------------------------------------------------ measurements

def time_lrlib_step(rule: str, size: int, dtype: str) -> dict:
    """Seconds per ``opt.step(params, grads, state)`` (a pure call: the same inputs each time),
    and per ``opt.step(params, grads, state, inplace=True)`` (as torch: the parameters and the
    moments updated in place) under ``inplace_``."""
    rng = np.random.default_rng(size)
    params = rng.random(size).astype(dtype)
    grads = rng.random(size).astype(dtype)
    optimizer = RULES[rule]()
    state = optimizer.init(params)
    for _ in range(3):
        _, state = optimizer.step(params, grads, state)
    budget = 0.5 if size < 10**5 else 1.5
    pure = per_call(lambda: optimizer.step(params, grads, state), target=0.01, repeats=15,
                    budget=budget)
    moving, moving_state = params.copy(), optimizer.init(params)
    inplace = per_call(lambda: optimizer.step(moving, grads, moving_state, inplace=True),
                       target=0.01, repeats=15, budget=budget)
    return {**pure, **{f"inplace_{key}": value for key, value in inplace.items()}}


def steps_section(sizes, torch) -> list[dict]:
    """lrlib's step for every rule, size and dtype; right after each, torch's (if any)."""
    rows = []
    for rule in RULES:
        for size in sizes:
            for dtype in ("float64", "float32"):
                rows.append({"rule": rule, "size": size, "dtype": dtype,
                             **time_lrlib_step(rule, size, dtype)})
                if torch is not None:
                    torch.time_step(rule, size, dtype)
    return rows


def sweep_section(loop_runs: int) -> dict:
    """The broadcast batch (median of 5) and a loop of lrlib runs (``loop_runs`` of them,
    scaled to all the rates: each run costs the same)."""
    bowl = lrlib.Quadratic(eigenvalues=[1.0, 10.0])
    start_point = np.array([1.0, 1.0])
    rates = np.logspace(-4, 0, SWEEP_RATES)
    batch = per_call(lambda: lrlib.sweep(lrlib.Adam, rates, bowl, start_point, SWEEP_STEPS),
                     target=0.0, repeats=5, budget=30.0)
    chosen = rates[np.linspace(0, SWEEP_RATES - 1, loop_runs).round().astype(int)]
    start = time.perf_counter()
    for lr in chosen:
        lrlib.run(lrlib.Adam(float(lr)), bowl, start_point, SWEEP_STEPS)
    measured = time.perf_counter() - start
    return {"rates": SWEEP_RATES, "steps": SWEEP_STEPS, "batch_median_s": batch["median_s"],
            "batch_p95_s": batch["p95_s"],
            "lrlib_loop": {"runs_timed": loop_runs, "measured_s": measured,
                           "estimated_s": measured * SWEEP_RATES / loop_runs}}


def find_torch_python(explicit: str | None) -> str | None:
    candidates = [explicit, os.environ.get("TORCH_PYTHON"), sys.executable,
                  shutil.which("python3"), shutil.which("python")]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            probe = subprocess.run([candidate, "-c", "import torch, numpy"], capture_output=True,
                                   timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    return None


class Torch:
    """``torch_timings.py --serve`` in the interpreter that has torch; collects its answers
    in ``results`` (the shape ``torch_timings.py`` prints on its own)."""

    def __init__(self, python: str):
        self.process = subprocess.Popen([python, str(HERE / "torch_timings.py"), "--serve"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.results = {"python": python, **self.ask({"info": None}), "steps": []}

    def ask(self, request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("torch_timings.py --serve stopped (see its error above)")
        return json.loads(line)

    def time_step(self, rule, size, dtype):
        """torch's default path and fused kernel with its default threads; for a large
        tensor (where torch splits the work between threads) also with one thread, as numpy."""
        for path in ("default", "fused"):
            for threads in (None, 1) if size >= 10**5 else (None,):
                answer = self.ask({"step": [rule, size, dtype, path, threads]})
                if answer is not None:
                    name = path if threads is None else f"{path}, 1 thread"
                    self.results["steps"].append({"rule": rule, "size": size, "dtype": dtype,
                                                  "path": name, **answer})

    def time_sweep_loop(self, runs):
        self.results["sweep_loop"] = self.ask({"sweep": [SWEEP_RATES, runs, SWEEP_STEPS]})

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


# ------------------------------------------------------------------------------ the report

def _us(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds >= 0.1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def _ratio(numerator, denominator) -> str:
    if numerator is None or denominator is None:
        return "-"
    return f"{numerator / denominator:.2f}"


def _torch_lookup(torch: dict | None) -> dict:
    if not torch or "steps" not in torch:
        return {}
    return {(r["rule"], r["size"], r["dtype"], r["path"]): r["median_s"] for r in torch["steps"]}


def steps_table(steps, torch) -> list[str]:
    found = _torch_lookup(torch)
    missing = "torch not installed" if torch is None else (
        torch.get("error", "") if "steps" not in torch else "")
    threads = torch.get("threads") if torch else None
    about_threads = (f" torch runs with its default {threads} threads; at 1e6 parameters also "
                     "with one thread, as numpy does." if threads else "")
    lines = ["## 1. One optimizer step",
             "",
             "Median time per step over repeats. `lrlib` is the pure step (new arrays), `in "
             "place` the same with `inplace=True` (the parameters and moments overwritten, as "
             "torch does). `speed-up` = torch default / lrlib (above 1: lrlib is faster); "
             "`in place/fused` = lrlib in place / torch fused (the goal at 1e6 is at most 3)."
             + about_threads + (f" **{missing}**" if missing else ""),
             "",
             "| rule | params | dtype | lrlib | in place | torch default | speed-up | torch fused "
             "| in place/fused | torch 1 thread: default, fused |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in steps:
        key = (row["rule"], row["size"], row["dtype"])
        default, fused = found.get(key + ("default",)), found.get(key + ("fused",))
        single = [found.get(key + (path,)) for path in ("default, 1 thread", "fused, 1 thread")]
        single_text = ", ".join(_us(value) for value in single) if any(single) else "-"
        inplace = row.get("inplace_median_s")
        lines.append(f"| {row['rule']} | {row['size']:,} | {row['dtype']} | {_us(row['median_s'])} "
                     f"| {_us(inplace)} "
                     f"| {_us(default) if found else missing or '-'} | {_ratio(default, row['median_s'])} "
                     f"| {_us(fused)} | {_ratio(inplace, fused)} | {single_text} |")
    return lines


def sweep_table(sweep, torch) -> list[str]:
    loop = torch.get("sweep_loop") if torch and "sweep_loop" in torch else None
    lines = ["## 2. A sweep: 1,000 learning rates x 1,000 Adam steps on a 2-D bowl", "",
             "| how | time | vs the batch |", "|---|---:|---:|",
             f"| `lrlib.sweep`, one broadcast batch (median of 5) | {_us(sweep['batch_median_s'])} | 1 |"]
    own = sweep["lrlib_loop"]
    lines.append(f"| Python loop of `lrlib.run` ({own['runs_timed']} runs timed, scaled to 1,000) "
                 f"| {_us(own['estimated_s'])} | {own['estimated_s'] / sweep['batch_median_s']:.0f}x |")
    if loop:
        lines.append(f"| Python loop of `torch.optim.Adam` runs ({loop['runs_timed']} timed, scaled) "
                     f"| {_us(loop['estimated_s'])} | {loop['estimated_s'] / sweep['batch_median_s']:.0f}x |")
    else:
        lines.append("| Python loop of `torch.optim.Adam` runs | torch not installed | - |")
    return lines


def widgets_table(rows) -> list[str]:
    lines = ["## 3. Widgets: control change -> new figure (draw function, drawing pass, PNG)", "",
             "| chapter | widget | median | p95 | max | in the draw function (median) | slowest setting |",
             "|---|---|---:|---:|---:|---:|---|"]
    for row in rows:
        if row.get("error"):
            lines.append(f"| {row['notebook']} | {row['explorer'] or '-'} | {row['error']} | | | | |")
            continue
        lines.append(f"| {row['notebook']} | {row['explorer']} | {row['median_s'] * 1e3:.0f} ms | "
                     f"{row['p95_s'] * 1e3:.0f} ms | {row['max_s'] * 1e3:.0f} ms | "
                     f"{row['draw_median_s'] * 1e3:.0f} ms | {row['slowest']} |")
    return lines


def notebooks_table(notebooks) -> list[str]:
    lines = ["## 4. Notebooks, tests, book", "",
             "| what | wall time | result |", "|---|---:|---|"]
    for row in notebooks.get("chapters", []):
        lines.append(f"| {row['notebook']} under nbval | {row['wall_s']:.1f} s | {row['summary'] or row['exit']} |")
    for key, label in (("unit_tests", "unit, oracle and doctests (`tests lrlib`)"),
                       ("book_tests", "checks of the built book (`tests/test_book.py`)"),
                       ("clean_book", "clean `make book` (`jupyter-book build`, empty cache)")):
        if key in notebooks:
            row = notebooks[key]
            lines.append(f"| {label} | {row['wall_s']:.1f} s | {row['summary'] or 'exit ' + str(row['exit'])} |")
    if "make_test_estimate_s" in notebooks:
        lines.append(f"| `make test` (estimate: clean book + the pytest parts above) | "
                     f"{notebooks['make_test_estimate_s']:.0f} s | sum of measured parts |")
    return lines


def goals(results) -> list[tuple[str, str, str]]:
    """(goal, measured, met?) for each goal of the issue that this run measured."""
    rows = []
    steps = {(r["rule"], r["size"], r["dtype"]): r["median_s"] for r in results.get("steps", [])}
    inplace = {(r["rule"], r["size"], r["dtype"]): r.get("inplace_median_s")
               for r in results.get("steps", [])}
    found = _torch_lookup(results.get("torch"))
    if found:
        lrlib_2 = steps.get(("Adam", 2, "float64"))
        torch_2 = found.get(("Adam", 2, "float64", "default"))
        if lrlib_2 and torch_2:
            rows.append(("2 params: lrlib Adam step >= 10x faster than torch Adam",
                         f"{torch_2 / lrlib_2:.1f}x ({_us(lrlib_2)} vs {_us(torch_2)})",
                         "yes" if torch_2 / lrlib_2 >= 10 else "no"))
        for dtype in ("float64", "float32"):
            # torch updates in place: compare like with like (the pure step is in the table).
            mine = inplace.get(("Adam", 1_000_000, dtype))
            if not mine:
                continue
            for path, bound, label in (("default", 1, "no slower than torch's default path"),
                                       ("fused", 3, "within 3x of torch's fused kernel")):
                many = found.get(("Adam", 1_000_000, dtype, path))
                one = found.get(("Adam", 1_000_000, dtype, f"{path}, 1 thread"))
                if many is None:
                    continue
                # Judged against torch's faster timing of the two (default threads or one):
                # on a busy machine its multi-threaded step can stall for a scheduler tick,
                # which must not count as a win for lrlib.
                best = min(many, one) if one is not None else many
                text = f"lrlib in place {_us(mine)}; torch {_us(many)}"
                if one is not None:
                    text += f", 1 thread {_us(one)}"
                rows.append((f"1e6 params, {dtype}: lrlib Adam {label}",
                             text + f" ({mine / best:.1f}x the faster)",
                             "yes" if mine <= bound * best else "no"))
    sweep = results.get("sweep")
    if sweep:
        rows.append(("sweep 1000 x 1000 in at most 0.5 s", _us(sweep["batch_median_s"]),
                     "yes" if sweep["batch_median_s"] <= 0.5 else "no"))
        loop = (results.get("torch") or {}).get("sweep_loop")
        if loop:
            factor = loop["estimated_s"] / sweep["batch_median_s"]
            rows.append(("sweep >= 100x faster than a loop of torch optimizers", f"{factor:.0f}x",
                         "yes" if factor >= 100 else "no"))
    widgets = [r for r in results.get("widgets", []) if "median_s" in r]
    if widgets:
        worst = max(widgets, key=lambda r: r["median_s"])
        slow = sum(r["median_s"] > 0.150 for r in widgets)
        rows.append(("every widget: median update <= 150 ms",
                     f"worst {worst['median_s'] * 1e3:.0f} ms ({worst['notebook']}); "
                     f"{len(widgets) - slow} of {len(widgets)} within", "yes" if not slow else "no"))
        worst = max(widgets, key=lambda r: r["p95_s"])
        slow = sum(r["p95_s"] > 0.300 for r in widgets)
        rows.append(("every widget: p95 update <= 300 ms",
                     f"worst {worst['p95_s'] * 1e3:.0f} ms ({worst['notebook']}); "
                     f"{len(widgets) - slow} of {len(widgets)} within", "yes" if not slow else "no"))
    chapters = (results.get("notebooks") or {}).get("chapters", [])
    if chapters:
        late = [r for r in chapters
                if r["wall_s"] > (60 if "practice" in r["notebook"] else 20)]
        worst = max(chapters, key=lambda r: r["wall_s"] if "practice" not in r["notebook"] else 0)
        rows.append(("every chapter <= 20 s under nbval (practice <= 60 s)",
                     f"slowest {worst['notebook']} {worst['wall_s']:.0f} s; over: "
                     + (", ".join(f"{r['notebook']} {r['wall_s']:.0f} s" for r in late) or "none"),
                     "yes" if not late else "no"))
    notebooks = results.get("notebooks") or {}
    if "make_test_estimate_s" in notebooks:
        value = notebooks["make_test_estimate_s"]
        rows.append(("`make test` <= 10 min (estimated from its parts)", f"{value / 60:.1f} min",
                     "yes" if value <= 600 else "no"))
    if "clean_book" in notebooks:
        value = notebooks["clean_book"]["wall_s"]
        rows.append(("clean `make book` <= 5 min", f"{value / 60:.1f} min",
                     "yes" if value <= 300 else "no"))
    return rows


def report(results) -> str:
    info = results["machine"]
    lines = ["# lrlib benchmarks", "",
             f"Measured {results['date']} on {info['cpu']} ({info['cores']} cores), Python "
             f"{info['python']}, numpy {np.__version__}; load average (1, 5, 15 min) "
             f"{info['load_average']} at the start and {results.get('load_average_end')} at the end."]
    torch = results.get("torch")
    if torch and "torch" in torch:
        lines[-1] += f" torch {torch['torch']} ({torch['threads']} threads; numpy uses one)."
    rows = goals(results)
    if rows:
        lines += ["", "## Goals", "", "| goal | measured | met? |", "|---|---|---|"]
        lines += [f"| {goal} | {value} | {met} |" for goal, value, met in rows]
    if "steps" in results:
        lines += [""] + steps_table(results["steps"], torch)
    if "sweep" in results:
        lines += [""] + sweep_table(results["sweep"], torch)
    if "widgets" in results:
        lines += [""] + widgets_table(results["widgets"])
    if "notebooks" in results:
        lines += [""] + notebooks_table(results["notebooks"])
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ main

def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torch-python", help="an interpreter with torch (default: detected)")
    parser.add_argument("--quick", action="store_true",
                        help="2 and 1e3 parameters only, fewer loop runs; no notebooks, no book")
    parser.add_argument("--skip", default="", help=f"comma-separated sections of {SECTIONS}")
    args = parser.parse_args(argv)
    skip = {name for name in args.skip.split(",") if name}
    if args.quick:
        skip |= {"notebooks", "book"}
    unknown = skip - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; the sections are {SECTIONS}")

    stamp = datetime.datetime.now()
    results = {"date": stamp.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
               "sections_skipped": sorted(skip)}
    sizes = (2, 1000) if args.quick else (2, 1000, 1_000_000)

    def log(text):
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    torch = None
    if "steps" not in skip or "sweep" not in skip:
        python = find_torch_python(args.torch_python)
        log(f"torch timings with {python}" if python else "torch not installed: lrlib only")
        torch = Torch(python) if python else None
    try:
        if "steps" not in skip:
            log("steps (lrlib, then torch, for each rule, size and dtype)")
            results["steps"] = steps_section(sizes, torch)
        if "sweep" not in skip:
            log("sweep")
            results["sweep"] = sweep_section(10 if args.quick else 50)
            if torch is not None:
                torch.time_sweep_loop(5 if args.quick else 20)
    finally:
        if torch is not None:
            torch.close()
            results["torch"] = torch.results
    if "torch" not in results and ("steps" not in skip or "sweep" not in skip):
        results["torch"] = None
    if "widgets" not in skip:
        log("widgets")
        import widget_latency

        notebooks = sorted((HERE.parent / "chapters").glob("[0-9][0-9]_*.ipynb"))
        results["widgets"] = widget_latency.measure(notebooks)
    if "notebooks" not in skip or "book" not in skip:
        import notebook_times

        part = results["notebooks"] = {}
        if "notebooks" not in skip:
            log("chapters under nbval")
            part["chapters"] = notebook_times.chapter_times()
            log("unit tests")
            part["unit_tests"] = notebook_times.unit_test_time()
            log("book tests")
            part["book_tests"] = notebook_times.book_test_time()
        if "book" not in skip:
            log("clean book build")
            part["clean_book"] = notebook_times.clean_book_time()
        if "chapters" in part and "clean_book" in part:
            part["make_test_estimate_s"] = (part["clean_book"]["wall_s"] + part["unit_tests"]["wall_s"]
                                            + part["book_tests"]["wall_s"]
                                            + sum(r["wall_s"] for r in part["chapters"]))
    results["load_average_end"] = machine()["load_average"]

    text = report(results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    name = "bench-" + stamp.strftime("%Y%m%d-%H%M%S")
    for base in (name, "latest"):
        (RESULTS / f"{base}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
        (RESULTS / f"{base}.md").write_text(text, encoding="utf-8")
    log(f"saved {RESULTS / name}.json and .md")
    return results


if __name__ == "__main__":
    main()
