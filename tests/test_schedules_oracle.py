"""Replay PyTorch's learning rates (tests/oracle/schedules.json) against lrlib's schedules.

The fixture is written by ``tools/make_oracle_schedules.py`` with PyTorch; these tests need only
numpy. ``lrlib._oracle.build`` builds nested specs (the pieces of ``Join``, the schedule inside
``LinearWarmup``) before the outer schedule.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import lrlib
from lrlib import _oracle

FIXTURE = Path(__file__).parent / "oracle" / "schedules.json"
CASES = _oracle.load_cases(FIXTURE)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_schedule_reproduces_pytorch(case):
    ours = _oracle.replay_schedule(case)
    assert ours.shape == (len(case["lr"]),)
    assert _oracle.relative_difference(ours, case["lr"]) <= case["tolerance"]


def test_fixture_holds_every_twin_with_the_target_tolerance():
    twins = {case["lrlib"]["class"] for case in CASES}
    nested = {inner["class"] for case in CASES
              for value in case["lrlib"]["kwargs"].values()
              for inner in (value if isinstance(value, list) else [value])
              if isinstance(inner, dict)}
    expected = {"MultiStepDecay", "ExponentialDecay", "PolynomialDecay", "CosineDecay",
                "CosineRestarts", "Cyclic", "OneCycle", "TimeBasedDecay", "InverseTimeDecay",
                "InverseSqrtDecay", "Noam", "LinearWarmup", "Join", "ReduceOnPlateau",
                "PiecewiseConstant"}
    assert expected <= twins | nested
    assert all(case["tolerance"] <= 1e-12 for case in CASES)
    assert all(hasattr(lrlib, name) for name in twins | nested)


def test_fixture_torch_schedulers_cover_every_twinned_scheduler():
    torch_classes = {case["torch"]["class"] for case in CASES}
    assert torch_classes == {
        "StepLR", "MultiStepLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
        "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "MultiplicativeLR", "LambdaLR",
        "SequentialLR", "ReduceLROnPlateau"}


def test_plateau_cases_actually_reduce_the_rate():
    plateau = [case for case in CASES if "metrics" in case]
    assert len(plateau) >= 3
    for case in plateau:
        assert len(case["lr"]) == len(case["metrics"]) + 1
        assert min(case["lr"]) < case["lr"][0]
