"""The public API contract: the names the book, the homework and outside users rely on."""

from __future__ import annotations

import inspect

import pytest

import lrlib

# The names of the design's contract (schedules, update rules, the rest).
CONTRACT = [
    "Constant", "TimeBasedDecay", "InverseTimeDecay", "StepDecay", "ExponentialDecay",
    "MultiStepDecay", "PiecewiseConstant", "PolynomialDecay", "CosineDecay", "CosineRestarts",
    "Cyclic", "OneCycle", "LinearWarmup", "Noam", "Join", "ReduceOnPlateau",
    "SGD", "Momentum", "AdaGrad", "RMSProp", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam",
    "RAdam", "LectureAdaGrad", "LectureRMSProp", "Newton", "BacktrackingLineSearch", "BFGS",
    "run", "sweep", "Trajectory", "Quadratic", "Rosenbrock", "BumpyLandscape",
    "plot_schedule", "plot_contours", "plot_loss", "plot_grad_norm",
]

PUBLIC = [name for name in lrlib.__all__
          if inspect.isclass(getattr(lrlib, name)) or inspect.isfunction(getattr(lrlib, name))]


@pytest.mark.parametrize("name", CONTRACT)
def test_contract_name_is_exported_at_top_level(name):
    assert name in lrlib.__all__
    assert getattr(lrlib, name) is not None


def test_every_exported_name_exists_once():
    assert len(lrlib.__all__) == len(set(lrlib.__all__))
    for name in lrlib.__all__:
        assert hasattr(lrlib, name), name


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_class_and_function_has_a_numpydoc_docstring_with_a_doctest(name):
    doc = inspect.getdoc(getattr(lrlib, name)) or ""
    assert len(doc.splitlines()) >= 3, f"{name} has no real docstring"
    assert ">>>" in doc, f"{name}'s docstring has no doctest"


@pytest.mark.parametrize("name", [n for n in CONTRACT if inspect.isclass(getattr(lrlib, n, None))
                                  and n not in ("Trajectory",)])
def test_every_rule_and_schedule_states_its_formula(name):
    doc = inspect.getdoc(getattr(lrlib, name)) or ""
    assert "Notes" in doc and "math" in doc, f"{name}'s docstring has no formula in Notes"


def test_importing_lrlib_does_not_import_torch_or_ipywidgets():
    import subprocess
    import sys

    code = ("import sys, lrlib; "
            "print(sorted(m for m in ('torch', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
