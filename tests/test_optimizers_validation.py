"""Constructor validation of every update rule: defaults, and a table of invalid arguments
covering every constructor parameter, each with the exact message."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

from lrlib.optimizers import (
    SGD,
    AdaGrad,
    Adadelta,
    Adam,
    Adamax,
    AdamW,
    LectureAdaGrad,
    LectureRMSProp,
    Momentum,
    NAdam,
    RAdam,
    RMSProp,
)

RULE_CLASSES = [SGD, Momentum, AdaGrad, RMSProp, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam,
                LectureAdaGrad, LectureRMSProp]
NEEDS_LR = {SGD, Momentum, LectureAdaGrad, LectureRMSProp}


def build(cls, **kwargs):
    base = {"lr": 0.1} if cls in NEEDS_LR else {}
    return cls(**{**base, **kwargs})


# ---------------------------------------------------------------------------------------
# Defaults: design.md's table


@pytest.mark.parametrize("cls, defaults", [
    (Momentum, dict(beta=0.9, nesterov=False, weight_decay=0.0)),
    (AdaGrad, dict(lr=0.01, eps=1e-10, initial_accumulator=0.0, weight_decay=0.0)),
    (RMSProp, dict(lr=0.01, alpha=0.99, eps=1e-8, centered=False, momentum=0.0,
                   weight_decay=0.0)),
    (Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0)),
    (Adam, dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False, weight_decay=0.0)),
    (AdamW, dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False)),
    (Adamax, dict(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)),
    (NAdam, dict(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=4e-3,
                 weight_decay=0.0)),
    (RAdam, dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)),
    (LectureAdaGrad, dict(eps=0.0)),
    (LectureRMSProp, dict(alpha=0.9, eps=0.0)),
])
def test_defaults_match_the_design_table(cls, defaults):
    opt = build(cls)
    assert {name: getattr(opt, name) for name in defaults} == defaults


@pytest.mark.parametrize("cls", [SGD, Momentum, LectureAdaGrad, LectureRMSProp])
def test_rules_without_a_default_rate_require_lr(cls):
    with pytest.raises(TypeError, match="lr"):
        cls()


def test_integer_hyperparameters_are_stored_as_floats():
    opt = Adam(lr=1, beta1=0, eps=0)
    assert (opt.lr, opt.beta1, opt.eps) == (1.0, 0.0, 0.0)
    assert all(type(v) is float for v in (opt.lr, opt.beta1, opt.eps))


def test_lr_array_and_schedule_are_accepted():
    assert Adam(lr=[[0.1], [0.2]]).lr.shape == (2, 1)
    schedule = lambda n: 0.1  # noqa: E731
    assert SGD(lr=schedule).lr is schedule


# ---------------------------------------------------------------------------------------
# The table of invalid arguments

LR = "lr"
NONNEGATIVE = "a finite number >= 0"
UNIT_OPEN = "a finite number in [0, 1)"
UNIT_CLOSED = "a finite number in [0, 1]"
POSITIVE = "a finite number > 0"
BOOL = "bool"

PARAMETERS = {
    SGD: {"lr": LR, "weight_decay": NONNEGATIVE},
    Momentum: {"lr": LR, "beta": UNIT_OPEN, "nesterov": BOOL, "weight_decay": NONNEGATIVE},
    AdaGrad: {"lr": LR, "eps": NONNEGATIVE, "initial_accumulator": NONNEGATIVE,
              "weight_decay": NONNEGATIVE},
    RMSProp: {"lr": LR, "alpha": UNIT_OPEN, "eps": NONNEGATIVE, "centered": BOOL,
              "momentum": UNIT_OPEN, "weight_decay": NONNEGATIVE},
    Adadelta: {"lr": LR, "rho": UNIT_CLOSED, "eps": POSITIVE, "weight_decay": NONNEGATIVE},
    Adam: {"lr": LR, "beta1": UNIT_OPEN, "beta2": UNIT_OPEN, "eps": NONNEGATIVE,
           "amsgrad": BOOL, "weight_decay": NONNEGATIVE},
    AdamW: {"lr": LR, "beta1": UNIT_OPEN, "beta2": UNIT_OPEN, "eps": NONNEGATIVE,
            "weight_decay": NONNEGATIVE, "amsgrad": BOOL},
    Adamax: {"lr": LR, "beta1": UNIT_OPEN, "beta2": UNIT_OPEN, "eps": NONNEGATIVE,
             "weight_decay": NONNEGATIVE},
    NAdam: {"lr": LR, "beta1": UNIT_OPEN, "beta2": UNIT_OPEN, "eps": NONNEGATIVE,
            "momentum_decay": NONNEGATIVE, "weight_decay": NONNEGATIVE},
    RAdam: {"lr": LR, "beta1": UNIT_OPEN, "beta2": UNIT_OPEN, "eps": NONNEGATIVE,
            "weight_decay": NONNEGATIVE},
    LectureAdaGrad: {"lr": LR, "eps": NONNEGATIVE},
    LectureRMSProp: {"lr": LR, "alpha": UNIT_OPEN, "eps": NONNEGATIVE},
}

NAN, INF = float("nan"), float("inf")
LR_TYPES = "a number, an array or a schedule (a callable step -> lr)"

# For each kind of parameter: (bad value, exception, the text after "<name> must be ").
BAD_VALUES = {
    LR: [
        (-0.1, ValueError, "a finite number >= 0; got {name}=-0.1"),
        (NAN, ValueError, "a finite number >= 0; got {name}=nan"),
        (INF, ValueError, "a finite number >= 0; got {name}=inf"),
        ("0.1", TypeError, LR_TYPES + "; got {name}='0.1' (str)"),
        (None, TypeError, LR_TYPES + "; got {name}=None (NoneType)"),
        (True, TypeError, LR_TYPES + "; got {name}=True (bool)"),
        ([0.1, -0.1], ValueError, "finite and >= 0 everywhere; got {name}=[0.1, -0.1]"),
        (np.array([0.1, np.nan]), ValueError,
         "finite and >= 0 everywhere; got {name}=array([0.1, nan])"),
        (["a", "b"], TypeError, "an array of real numbers; got {name}=['a', 'b'] (list)"),
    ],
    NONNEGATIVE: [
        (-0.1, ValueError, "a finite number >= 0; got {name}=-0.1"),
        (-1, ValueError, "a finite number >= 0; got {name}=-1"),
        (NAN, ValueError, "a finite number >= 0; got {name}=nan"),
        (INF, ValueError, "a finite number >= 0; got {name}=inf"),
        ("0.1", TypeError, "a real number; got {name}='0.1' (str)"),
        (None, TypeError, "a real number; got {name}=None (NoneType)"),
        (True, TypeError, "a real number; got {name}=True (bool)"),
    ],
    UNIT_OPEN: [
        (1.0, ValueError, "a finite number in [0, 1); got {name}=1.0"),
        (1.5, ValueError, "a finite number in [0, 1); got {name}=1.5"),
        (-0.1, ValueError, "a finite number in [0, 1); got {name}=-0.1"),
        (NAN, ValueError, "a finite number in [0, 1); got {name}=nan"),
        (-INF, ValueError, "a finite number in [0, 1); got {name}=-inf"),
        ("0.9", TypeError, "a real number; got {name}='0.9' (str)"),
        ((0.9, 0.999), TypeError, "a real number; got {name}=(0.9, 0.999) (tuple)"),
    ],
    UNIT_CLOSED: [
        (1.0001, ValueError, "a finite number in [0, 1]; got {name}=1.0001"),
        (-0.1, ValueError, "a finite number in [0, 1]; got {name}=-0.1"),
        (NAN, ValueError, "a finite number in [0, 1]; got {name}=nan"),
        ("0.9", TypeError, "a real number; got {name}='0.9' (str)"),
    ],
    POSITIVE: [
        (0.0, ValueError, "a finite number > 0; got {name}=0.0"),
        (-1e-6, ValueError, "a finite number > 0; got {name}=-1e-06"),
        (NAN, ValueError, "a finite number > 0; got {name}=nan"),
        (INF, ValueError, "a finite number > 0; got {name}=inf"),
        ("1e-6", TypeError, "a real number; got {name}='1e-6' (str)"),
    ],
    BOOL: [
        (1, TypeError, "True or False; got {name}=1 (int)"),
        ("yes", TypeError, "True or False; got {name}='yes' (str)"),
        (None, TypeError, "True or False; got {name}=None (NoneType)"),
    ],
}

TABLE = [
    (cls, name, value, error, f"{name} must be " + text.format(name=name))
    for cls, parameters in PARAMETERS.items()
    for name, kind in parameters.items()
    for value, error, text in BAD_VALUES[kind]
]
# Cross-parameter rules and a few rows spelled out in full.
TABLE += [
    (Momentum, "beta", 0.0, ValueError,
     "beta must be a finite number in (0, 1) when nesterov=True; got beta=0.0"),
    (Adam, "beta1", 1.0, ValueError, "beta1 must be a finite number in [0, 1); got beta1=1.0"),
    (RMSProp, "alpha", 1, ValueError, "alpha must be a finite number in [0, 1); got alpha=1"),
    (Adadelta, "eps", 0, ValueError, "eps must be a finite number > 0; got eps=0"),
    (AdamW, "weight_decay", -0.01, ValueError,
     "weight_decay must be a finite number >= 0; got weight_decay=-0.01"),
]


def _row_id(row):
    cls, name, value, error, _ = row
    return f"{cls.__name__}-{name}={value!r}"


@pytest.mark.parametrize("cls, name, value, error, message", TABLE, ids=map(_row_id, TABLE))
def test_invalid_argument_raises_with_the_exact_message(cls, name, value, error, message):
    extra = {"nesterov": True} if (cls is Momentum and name == "beta" and value == 0.0) else {}
    with pytest.raises(error) as info:
        build(cls, **{name: value}, **extra)
    assert str(info.value) == message
    assert type(info.value) is error


@pytest.mark.parametrize("cls", RULE_CLASSES, ids=lambda c: c.__name__)
def test_the_table_covers_every_constructor_parameter(cls):
    fields = {field.name for field in dataclasses.fields(cls)}
    in_table = {name for row_cls, name, *_ in TABLE if row_cls is cls}
    assert fields == in_table == set(PARAMETERS[cls])


def test_nesterov_with_zero_beta_is_refused_as_torch_does():
    assert Momentum(lr=0.1, beta=0.0).beta == 0.0  # plain heavy ball with beta 0 is SGD
    with pytest.raises(ValueError, match=re.escape("when nesterov=True")):
        Momentum(lr=0.1, beta=0.0, nesterov=True)


@pytest.mark.parametrize("cls, name, value", [
    (Adam, "beta1", 0.0), (Adam, "beta2", 0.0), (Adam, "beta1", math.nextafter(1.0, 0.0)),
    (Adadelta, "rho", 1.0), (Adadelta, "rho", 0.0), (RMSProp, "alpha", 0.0),
    (AdaGrad, "eps", 0.0), (SGD, "lr", 0.0), (NAdam, "momentum_decay", 0.0),
])
def test_boundary_values_are_accepted(cls, name, value):
    assert getattr(build(cls, **{name: value}), name) == value
