"""Timing helpers shared by the lrlib and the torch measurements (standard library only).

A measurement is ``repeats`` repeats of ``number`` calls; ``number`` is chosen so that one
repeat lasts about ``target`` seconds. The result is the time per call: the median over the
repeats and their 95th percentile. The machine may be busy with other work (the results say
how busy: the load average), so medians, not minima, and several repeats.
"""

from __future__ import annotations

import os
import platform
import statistics
import time


def per_call(function, *, target: float = 0.01, repeats: int = 15, budget: float = 2.0) -> dict:
    """Time ``function()``: ``{"median_s", "p95_s", "min_s", "number", "repeats"}`` per call."""
    start = time.perf_counter()
    function()  # warm up (and a first estimate)
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(target / once))
    repeats = max(3, min(repeats, int(budget / (once * number)) or 3))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        samples.append((time.perf_counter() - start) / number)
    return {"median_s": statistics.median(samples), "p95_s": percentile(samples, 95),
            "min_s": min(samples), "number": number, "repeats": repeats}


def percentile(values, q: float) -> float:
    """The ``q``-th percentile with linear interpolation (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def machine() -> dict:
    """What the numbers were measured on: CPU, cores, Python, load average."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": platform.platform(), "load_average": load_average()}


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (None where the OS does not report them)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None
