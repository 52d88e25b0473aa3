"""Regenerate ``tests/oracle/schedules.json``: PyTorch's learning rates for every lrlib twin.

Run from the repository root with the PyTorch environment (torch is needed here only)::

    /tmp/torchenv/bin/python tools/make_oracle_schedules.py

For each case a dummy optimizer (``torch.optim.SGD`` on one float64 parameter, ``foreach=False``)
is built with ``base_lr``, the scheduler is attached, and ``lr[k]`` is recorded for
``k = 0 .. steps-1``: ``lr[0]`` right after construction, then one ``optimizer.step()`` and one
``scheduler.step()`` (``scheduler.step(metrics[k])`` for ReduceLROnPlateau) before each further
record. So ``lr[k]`` is the rate PyTorch uses for update ``k``, the rate lrlib gives for step
``k``. The file format is documented in ``lrlib/_oracle.py``.

Choices recorded in the fixture:

* ``lr_lambda`` functions are stored as the source text that was evaluated, so the fixture says
  exactly what ran; nested schedulers (SequentialLR) as ``{"class", "kwargs"}`` specs, as are the
  nested lrlib twins of ``Join`` and ``LinearWarmup``.
* StepLR's twin is ``MultiStepDecay`` with a milestone every ``step_size`` steps (lrlib's
  ``StepDecay`` is the seed's formula, which drops one step earlier).
* CosineAnnealingLR rises again after ``T_max`` while ``CosineDecay`` holds ``lr_min``: cases
  with ``T_max >= 299`` keep all 300 rates, cases with a shorter ``T_max`` keep ``lr[0..T_max]``.
* OneCycleLR allows ``total_steps`` scheduler steps and raises after: a case records
  ``min(300, total_steps)`` rates.
* ReduceLROnPlateau cases store the ``metrics`` fed to it (``steps - 1`` of them, a seeded noisy
  loss curve that plateaus); the others store none.
* The tolerance is the target 1e-12 (relative, per element) for every case, and every case meets
  it. Measured against PyTorch 2.13: bit-identical for StepLR, MultiStepLR, CyclicLR (triangular
  modes), OneCycleLR and ReduceLROnPlateau; 2e-16 to 3e-15 for ExponentialLR, PolynomialLR,
  MultiplicativeLR, LambdaLR, exp_range and the ConstantLR/ExponentialLR joins; up to 4.4e-14 for
  CosineAnnealingWarmRestarts and 5.3e-13 for CosineAnnealingLR (T_max = 299; 1.7e-13 in the
  warm-up joins). The cosine figures are PyTorch's rounding, not lrlib's: PyTorch's recursion and
  its ``1 + cos`` cancel near the end of a cycle, where lrlib's half-angle form stays within
  ~5e-16 of the exact value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch
from torch.optim import lr_scheduler

STEPS = 300
BASE_LR = 0.1
TOLERANCE = 1e-12
OUTPUT = Path("tests/oracle/schedules.json")


def build_torch(optimizer, spec: dict):
    """A torch scheduler from ``{"class", "kwargs"}``; lambdas are source text, evaluated here."""
    kwargs = dict(spec["kwargs"])
    if "lr_lambda" in kwargs:
        kwargs["lr_lambda"] = eval(kwargs["lr_lambda"], {"math": math})  # noqa: S307 - our own text
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [build_torch(optimizer, inner) for inner in kwargs["schedulers"]]
    return getattr(lr_scheduler, spec["class"])(optimizer, **kwargs)


def record(spec: dict, base_lr: float, steps: int, metrics=None) -> list[float]:
    """``lr[0 .. steps-1]`` of the torch scheduler ``spec`` on a one-parameter SGD."""
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=base_lr, foreach=False)
    scheduler = build_torch(optimizer, spec)
    rates = [float(optimizer.param_groups[0]["lr"])]
    for k in range(steps - 1):
        param.grad = torch.ones_like(param)
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[k])
        rates.append(float(optimizer.param_groups[0]["lr"]))
    return rates


def spec(cls: str, **kwargs) -> dict:
    return {"class": cls, "kwargs": kwargs}


def case(case_id, torch_spec, lrlib_spec, *, base_lr=BASE_LR, steps=STEPS, metrics=None, note=None):
    entry = {
        "id": case_id,
        "torch": {**torch_spec, "base_lr": base_lr},
        "lrlib": lrlib_spec,
        "lr": record(torch_spec, base_lr, steps, metrics),
        "tolerance": TOLERANCE,
    }
    if metrics is not None:
        entry["metrics"] = [float(m) for m in metrics]
    if note:
        entry["note"] = note
    return entry


def plateau_metrics(seed: int, steps: int) -> np.ndarray:
    """A noisy loss that falls and then plateaus: ``0.2 + 0.8 exp(-k/25) + 0.01 noise``."""
    rng = np.random.default_rng(seed)
    k = np.arange(steps - 1)
    return 0.2 + 0.8 * np.exp(-k / 25.0) + 0.01 * rng.standard_normal(k.size)


def step_cases():
    for step_size, gamma, base in [(30, 0.5, 0.1), (7, 0.9, 0.1), (100, 0.1, 1.0)]:
        yield case(
            f"StepLR/step_size={step_size},gamma={gamma},base_lr={base}",
            spec("StepLR", step_size=step_size, gamma=gamma),
            spec("MultiStepDecay", lr0=base, milestones=list(range(step_size, STEPS, step_size)),
                 gamma=gamma),
            base_lr=base)
    for milestones, gamma in [([50, 120, 200], 0.1), ([30, 30, 80, 250], 0.5), ([1, 2, 3, 299], 0.7)]:
        yield case(
            f"MultiStepLR/milestones={milestones},gamma={gamma}",
            spec("MultiStepLR", milestones=milestones, gamma=gamma),
            spec("MultiStepDecay", lr0=BASE_LR, milestones=milestones, gamma=gamma),
            note="repeated milestones stack" if len(set(milestones)) < len(milestones) else None)


def smooth_cases():
    for gamma, base in [(0.98, 0.1), (0.9, 1.0), (0.999, 0.1)]:
        yield case(f"ExponentialLR/gamma={gamma},base_lr={base}",
                   spec("ExponentialLR", gamma=gamma),
                   spec("ExponentialDecay", lr0=base, decay=-math.log(gamma)), base_lr=base)
    for total, power in [(100, 1.0), (299, 2.0), (250, 0.5), (400, 3.0)]:
        yield case(f"PolynomialLR/total_iters={total},power={power}",
                   spec("PolynomialLR", total_iters=total, power=power),
                   spec("PolynomialDecay", lr0=BASE_LR, total_steps=total, power=power))
    for decay in [0.01, 0.001, 0.03]:
        yield case(f"MultiplicativeLR/time-based,d={decay}",
                   spec("MultiplicativeLR", lr_lambda=f"lambda k: 1 / (1 + {decay} * (k - 1))"),
                   spec("TimeBasedDecay", lr0=BASE_LR, decay=decay),
                   note="the seed's recursion eta_{n+1} = eta_n / (1 + d n)")
    for decay, decay_steps, staircase in [(0.01, 1, False), (0.2, 4, False), (0.5, 10, True)]:
        progress = f"(k // {decay_steps})" if staircase else f"(k / {decay_steps})"
        yield case(f"LambdaLR/inverse-time,d={decay},s={decay_steps},staircase={staircase}",
                   spec("LambdaLR", lr_lambda=f"lambda k: 1 / (1 + {decay} * {progress})"),
                   spec("InverseTimeDecay", lr0=BASE_LR, decay=decay, decay_steps=decay_steps,
                        staircase=staircase))
    yield case("LambdaLR/inverse-sqrt",
               spec("LambdaLR", lr_lambda="lambda k: 1 / math.sqrt(k + 1)"),
               spec("InverseSqrtDecay", lr0=BASE_LR))
    for d_model, warmup, scale in [(512, 50, 1.0), (64, 100, 2.0)]:
        yield case(f"LambdaLR/noam,d_model={d_model},warmup={warmup},scale={scale}",
                   spec("LambdaLR", lr_lambda=f"lambda k: {scale} * {d_model} ** -0.5 * "
                        f"min((k + 1) ** -0.5, (k + 1) * {warmup} ** -1.5)"),
                   spec("Noam", d_model=d_model, warmup_steps=warmup, scale=scale), base_lr=1.0)


def cosine_cases():
    for t_max, eta_min in [(299, 0.0), (400, 1e-3), (100, 0.0), (37, 1e-3)]:
        steps = min(STEPS, t_max + 1)
        yield case(f"CosineAnnealingLR/T_max={t_max},eta_min={eta_min}",
                   spec("CosineAnnealingLR", T_max=t_max, eta_min=eta_min),
                   spec("CosineDecay", lr0=BASE_LR, total_steps=t_max, lr_min=eta_min),
                   steps=steps,
                   note=None if steps == STEPS else "kept lr[0..T_max]: PyTorch rises after T_max")
    for t_0, t_mult, eta_min in [(10, 2, 0.0), (25, 1, 1e-3), (7, 3, 0.005)]:
        yield case(f"CosineAnnealingWarmRestarts/T_0={t_0},T_mult={t_mult},eta_min={eta_min}",
                   spec("CosineAnnealingWarmRestarts", T_0=t_0, T_mult=t_mult, eta_min=eta_min),
                   spec("CosineRestarts", lr0=BASE_LR, period=t_0, period_mult=t_mult,
                        lr_min=eta_min))
    for mode, step_size, gamma in [("triangular", 20, 1.0), ("triangular2", 15, 1.0),
                                   ("exp_range", 25, 0.995)]:
        yield case(f"CyclicLR/mode={mode},step_size_up={step_size},gamma={gamma}",
                   spec("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=step_size, mode=mode,
                        gamma=gamma, cycle_momentum=False),
                   spec("Cyclic", lr_min=0.01, lr_max=0.1, step_size=step_size, mode=mode,
                        gamma=gamma),
                   base_lr=0.01)
    one_cycle = [
        (300, dict(), dict()),
        (300, dict(pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0),
         dict(pct_start=0.25, anneal="linear", div_factor=10.0, final_div_factor=100.0)),
        (300, dict(three_phase=True), dict(three_phase=True)),
        (250, dict(pct_start=0.4, anneal_strategy="linear", three_phase=True),
         dict(pct_start=0.4, anneal="linear", three_phase=True)),
        (250, dict(pct_start=0.1, div_factor=5.0), dict(pct_start=0.1, div_factor=5.0)),
    ]
    for total, torch_kwargs, lrlib_kwargs in one_cycle:
        label = ",".join(f"{k}={v}" for k, v in torch_kwargs.items()) or "defaults"
        yield case(f"OneCycleLR/total_steps={total},{label}",
                   spec("OneCycleLR", max_lr=0.1, total_steps=total, cycle_momentum=False,
                        **torch_kwargs),
                   spec("OneCycle", lr_max=0.1, total_steps=total, **lrlib_kwargs),
                   steps=min(STEPS, total),
                   note=None if total >= STEPS else "PyTorch allows total_steps steps only")


def composite_cases():
    warm = 0.1 * BASE_LR  # what LinearLR(start_factor=0.1) starts from: base_lr * start_factor
    warmup_then_cosine = spec("SequentialLR", schedulers=[
        spec("LinearLR", start_factor=0.1, end_factor=1.0, total_iters=20),
        spec("CosineAnnealingLR", T_max=280)], milestones=[20])
    yield case("SequentialLR/LinearLR(0.1,20)+CosineAnnealingLR(280)@20 as LinearWarmup",
               warmup_then_cosine,
               spec("LinearWarmup", schedule=spec("CosineDecay", lr0=BASE_LR, total_steps=280),
                    warmup_steps=20, start_lr=warm))
    yield case("SequentialLR/LinearLR(0.1,20)+CosineAnnealingLR(280)@20 as Join",
               warmup_then_cosine,
               spec("Join", schedules=[
                   spec("PolynomialDecay", lr0=warm, total_steps=20, power=1.0, lr_end=BASE_LR),
                   spec("CosineDecay", lr0=BASE_LR, total_steps=280)], boundaries=[20]))
    yield case("SequentialLR/ConstantLR(0.5,10)+ExponentialLR(0.98)@30",
               spec("SequentialLR", schedulers=[
                   spec("ConstantLR", factor=0.5, total_iters=10),
                   spec("ExponentialLR", gamma=0.98)], milestones=[30]),
               spec("Join", schedules=[
                   spec("PiecewiseConstant", boundaries=[10], values=[0.5 * BASE_LR, BASE_LR]),
                   spec("ExponentialDecay", lr0=BASE_LR, decay=-math.log(0.98))], boundaries=[30]))
    yield case("SequentialLR/ConstantLR(0.25,5)+CosineAnnealingLR(100)@50+ExponentialLR(0.97)@150",
               spec("SequentialLR", schedulers=[
                   spec("ConstantLR", factor=0.25, total_iters=5),
                   spec("CosineAnnealingLR", T_max=100, eta_min=0.001),
                   spec("ExponentialLR", gamma=0.97)], milestones=[50, 150]),
               spec("Join", schedules=[
                   spec("PiecewiseConstant", boundaries=[5], values=[0.25 * BASE_LR, BASE_LR]),
                   spec("CosineDecay", lr0=BASE_LR, total_steps=100, lr_min=0.001),
                   spec("ExponentialDecay", lr0=BASE_LR, decay=-math.log(0.97))],
                    boundaries=[50, 150]))


def plateau_cases():
    settings = [
        ("defaults", {}, 1),
        ("abs,patience=5,factor=0.5,cooldown=3,min_lr=1e-3",
         dict(threshold_mode="abs", threshold=1e-3, patience=5, factor=0.5, cooldown=3,
              min_lr=1e-3), 2),
        ("max,rel,patience=3,factor=0.3,threshold=1e-3,min_lr=5e-3",
         dict(mode="max", patience=3, factor=0.3, threshold=1e-3, min_lr=5e-3), 3),
        ("patience=0,factor=0.7,eps=1e-3,min_lr=0.02",
         dict(patience=0, factor=0.7, eps=1e-3, min_lr=0.02), 4),
    ]
    for label, kwargs, seed in settings:
        metrics = plateau_metrics(seed, STEPS)
        if kwargs.get("mode") == "max":
            metrics = 1.0 - metrics  # an accuracy-like curve
        yield case(f"ReduceLROnPlateau/{label}",
                   spec("ReduceLROnPlateau", **kwargs),
                   spec("ReduceOnPlateau", lr0=BASE_LR, **kwargs),
                   metrics=metrics)


def main() -> None:
    torch.set_default_dtype(torch.float64)
    cases = [*step_cases(), *smooth_cases(), *cosine_cases(), *composite_cases(), *plateau_cases()]
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases]
    text = ('{"torch_version":' + json.dumps(torch.__version__) + ',"cases":[\n'
            + ",\n".join(lines) + "\n]}\n")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUTPUT} ({len(text) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
