"""Replay PyTorch oracle fixtures against lrlib.

``tools/make_oracle_schedules.py`` and ``tools/make_oracle_optimizers.py`` run PyTorch 2.13 (CPU,
float64) and write two JSON files into
``tests/oracle/``; this module replays them. The tests and the book's appendix "Agreement with
PyTorch" both use it, so the figures in the book are the figures the tests check.

Fixture format (one JSON object per file, ``{"torch_version": ..., "cases": [...]}``):

``schedules.json`` cases::

    {"id": "StepLR/step_size=30,gamma=0.5",
     "torch": {"class": "StepLR", "kwargs": {...}, "base_lr": 0.1},
     "lrlib": {"class": "MultiStepDecay", "kwargs": {...}},
     "lr": [...],                      # lr[k] used by update k (k = 0 .. steps-1)
     "metrics": [...],                 # only for ReduceLROnPlateau: the metric fed at each step
     "tolerance": 1e-12}

``optimizers.json`` cases::

    {"id": "Adam/amsgrad",
     "torch": {"class": "Adam", "kwargs": {...}},
     "lrlib": {"class": "Adam", "kwargs": {...}},
     "schedule": null | {"torch": {...}, "lrlib": {"class": ..., "kwargs": {...}}},
     "problem": "rosenbrock",          # what produced the gradients (for the record)
     "params": [[...], ...],           # steps+1 iterates, params[0] = x0
     "grads": [[...], ...],            # the gradient torch saw at each of the steps iterates
     "tolerance": 1e-12}

Replaying an optimizer feeds lrlib the gradients torch saw, so the comparison measures the update
arithmetic alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["load_cases", "relative_difference", "replay_schedule", "replay_optimizer", "build"]


def load_cases(path) -> list[dict]:
    """The list of cases of one fixture file."""
    with open(Path(path), encoding="utf-8") as handle:
        return json.load(handle)["cases"]


def relative_difference(ours, theirs) -> float:
    """Largest relative difference, ``max |a - b| / max(|a|, |b|)`` per element; 0/0 counts as 0.

    For trajectories (2-D arrays, one row per iterate) the scale of each row is its largest
    magnitude, so a coordinate passing through zero does not inflate the figure.

    >>> relative_difference([1.0, 0.0], [1.0 + 1e-15, 0.0]) < 2e-15
    True
    """
    a = np.asarray(ours, dtype=float)
    b = np.asarray(theirs, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: ours {a.shape}, theirs {b.shape}")
    diff = np.abs(a - b)
    if a.ndim <= 1:
        scale = np.maximum(np.abs(a), np.abs(b))
    else:
        axes = tuple(range(1, a.ndim))
        scale = np.maximum(np.abs(a).max(axis=axes, keepdims=True), np.abs(b).max(axis=axes, keepdims=True))
        scale = np.broadcast_to(scale, a.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(diff == 0, 0.0, diff / np.where(scale == 0, 1.0, scale))
    return float(rel.max()) if rel.size else 0.0


def build(spec):
    """Construct the lrlib object named by ``{"class": ..., "kwargs": ...}``.

    Nested specs (a dict with a ``"class"`` key, or a list of them, inside ``kwargs``) are built
    first, so composite schedules such as ``Join`` and ``LinearWarmup`` replay too. Other lists
    become tuples.
    """
    import lrlib

    if isinstance(spec, dict) and "class" in spec:
        kwargs = {key: build(value) for key, value in spec.get("kwargs", {}).items()}
        return getattr(lrlib, spec["class"])(**kwargs)
    if isinstance(spec, list):
        return tuple(build(item) for item in spec)
    return spec


def replay_schedule(case: dict) -> np.ndarray:
    """lrlib's learning-rate sequence for a schedule case (same length as ``case["lr"]``)."""
    schedule = build(case["lrlib"])
    if "metrics" in case:
        # ReduceOnPlateau: lr[k] is the rate after k metrics were reported.
        return np.asarray(schedule.lrs(case["metrics"]))[: len(case["lr"])]
    return np.asarray(schedule(np.arange(len(case["lr"]))), dtype=float)


def replay_optimizer(case: dict) -> np.ndarray:
    """lrlib's iterates for an optimizer case, fed the gradients torch saw (shape of ``params``)."""
    spec = dict(case["lrlib"])
    if case.get("schedule"):
        spec = {"class": spec["class"], "kwargs": dict(spec.get("kwargs", {}))}
        spec["kwargs"]["lr"] = case["schedule"]["lrlib"]
    optimizer = build(spec)
    params = np.asarray(case["params"][0], dtype=float)
    state = optimizer.init(params)
    out = [params]
    for grad in case["grads"]:
        params, state = optimizer.step(params, np.asarray(grad, dtype=float), state)
        out.append(params)
    return np.asarray(out)
