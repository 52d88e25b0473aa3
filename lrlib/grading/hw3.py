r"""Checks of Homework 3: Adam with its bias corrections, and where epsilon sits.

Chapter 8 of the book. The student's Adam step is compared with :class:`lrlib.Adam` over
several consecutive updates; Keras's form (epsilon added to the *uncorrected* root) is
compared with one lrlib Adam step whose epsilon is converted as the book derives,
:math:`\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}`.
"""

from __future__ import annotations

import numpy as np

from .. import optimizers, schedules
from ..optimizers.adam import AdamState
from .registry import ask, register, rounded, same_array, same_number, unpack

__all__: list[str] = []

#: The quadratic of task 5: gradient scale * [1, 100] * x, from (1, 1), rate 0.01, 200 updates.
GAP_CURVATURES, GAP_STEPS, GAP_LR = np.array([1.0, 100.0]), 200, 0.01


def _betas(rng, index: int):
    if index == 0:
        return 0.9, 0.999, 1e-8
    eps = [1e-8, 1e-4, 1e-2][index % 3]
    return rounded(rng.uniform(0.5, 0.99), 2), rounded(rng.uniform(0.9, 0.9999), 4), eps


@register("hw3", "task1", function="adam_step", title="one Adam update with bias correction",
          points=3)
def adam(function, rng, hidden):
    """``adam_step(params, grads, m, v, t, lr, beta1, beta2, eps) -> (params, m, v)``, t from 1."""
    total = 0
    for i in range(3 + (12 if hidden else 0)):
        shape = (int(rng.integers(1, 5)),) if i % 2 else (2, int(rng.integers(1, 4)))
        beta1, beta2, eps = _betas(rng, i)
        lr0 = rounded(10 ** rng.uniform(-3, -1))
        rate = schedules.Constant(lr0) if i % 2 == 0 else schedules.ExponentialDecay(lr0, 0.2)
        reference = optimizers.Adam(lr=rate, beta1=beta1, beta2=beta2, eps=eps)
        params = rng.normal(size=shape)
        expected, state = params, reference.init(params)
        m, v = np.zeros(shape), np.zeros(shape)
        for n in range(int(rng.integers(3, 10))):
            grads = rng.normal(size=shape) * 10 ** rng.uniform(-3, 1)
            case = (f"run {i}: lr_n = {rate}, beta1={beta1:g}, beta2={beta2:g}, eps={eps:g}, "
                    f"shape {shape}, update t={n + 1}")
            answer = ask(function, case, params.copy(), grads.copy(), m.copy(), v.copy(), n + 1,
                         rate(n), beta1, beta2, eps)
            got = unpack(case, answer, 3, "(params, m, v)")
            expected, state = reference.step(expected, grads, state)
            same_array(case, expected, got[0], what="params", rtol=1e-9, atol=1e-12)
            same_array(case, state.exp_avg, got[1], what="m", rtol=1e-9, atol=1e-15)
            same_array(case, state.exp_avg_sq, got[2], what="v", rtol=1e-9, atol=1e-15)
            params, m, v = (np.asarray(a, dtype=float) for a in got)
            total += 1
    return total


@register("hw3", "task2", function="uncorrected_first_step_ratio",
          title="how much larger Adam's first step is without bias correction", points=2)
def first_step_ratio(function, rng, hidden):
    """``uncorrected_first_step_ratio(beta1, beta2)``: |uncorrected| / |corrected| first step,
    for eps -> 0: (1 - beta1) / sqrt(1 - beta2)."""
    cases = [(0.9, 0.999), (0.9, 0.99), (0.0, 0.999)]
    for _ in range(3 + (30 if hidden else 0)):
        cases.append((rounded(rng.uniform(0.0, 0.99), 2), rounded(rng.uniform(0.9, 0.99999), 5)))
    for beta1, beta2 in cases:
        case = f"beta1={beta1:g}, beta2={beta2:g}"
        got = ask(function, case, beta1, beta2)
        # One step of lrlib's Adam, and the same step without either correction, at eps = 0.
        grads = np.array([0.3])
        corrected = optimizers.Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=0.0)
        moved = corrected.step(np.zeros(1), grads, corrected.init(np.zeros(1)))[0][0]
        m, v = (1 - beta1) * grads, (1 - beta2) * grads**2
        uncorrected = (m / np.sqrt(v))[0]
        same_number(case, abs(uncorrected / moved), got, rtol=1e-9)
    return len(cases)


@register("hw3", "task3", function="keras_adam_step",
          title="one Adam update as Keras writes it (eps on the uncorrected root)", points=2)
def keras(function, rng, hidden):
    """``keras_adam_step(params, grads, m, v, t, lr, beta1, beta2, eps_hat)``."""
    total = 0
    for i in range(4 + (30 if hidden else 0)):
        shape = (int(rng.integers(1, 5)),)
        beta1, beta2, _ = _betas(rng, i)
        eps_hat = [1e-7, 1e-3, 0.1, 1.0][i % 4]
        lr, t = rounded(10 ** rng.uniform(-3, -1)), int(rng.integers(1, 3000))
        params, grads = rng.normal(size=shape), rng.normal(size=shape) * 10 ** rng.uniform(-4, 1)
        m = rng.normal(size=shape) * np.abs(grads)
        v = rng.uniform(0.0, 2.0, size=shape) * grads**2
        case = (f"run {i}: lr={lr:g}, beta1={beta1:g}, beta2={beta2:g}, eps_hat={eps_hat:g}, "
                f"t={t}, params={params}, grads={grads}, m={m}, v={v}")
        answer = ask(function, case, params.copy(), grads.copy(), m.copy(), v.copy(), t, lr, beta1,
                     beta2, eps_hat)
        got = unpack(case, answer, 3, "(params, m, v)")
        # Keras's step at t is lrlib's (PyTorch's) with eps = eps_hat / sqrt(1 - beta2^t).
        twin = optimizers.Adam(lr=lr, beta1=beta1, beta2=beta2,
                               eps=eps_hat / np.sqrt(1 - beta2**t))
        expected, state = twin.step(params, grads, AdamState(t - 1, m, v, None))
        same_array(case, expected, got[0], what="params", rtol=1e-9, atol=1e-12)
        same_array(case, state.exp_avg, got[1], what="m", rtol=1e-9, atol=1e-15)
        same_array(case, state.exp_avg_sq, got[2], what="v", rtol=1e-9, atol=1e-15)
        total += 1
    return total


@register("hw3", "task4", function="keras_eps_hat",
          title="the Keras epsilon that reproduces PyTorch's at update t", points=1)
def eps_hat(function, rng, hidden):
    """``keras_eps_hat(eps, beta2, t)``: eps * sqrt(1 - beta2^t)."""
    cases = [(1e-8, 0.999, 1), (1e-8, 0.999, 1000)]
    for _ in range(3 + (30 if hidden else 0)):
        cases.append((rounded(10 ** rng.uniform(-10, -2), 2), rounded(rng.uniform(0.9, 0.9999), 4),
                      int(rng.integers(1, 20000))))
    for eps, beta2, t in cases:
        case = f"eps={eps:g}, beta2={beta2:g}, t={t}"
        got = ask(function, case, eps, beta2, t)
        # The step of Keras's form with this eps_hat must be PyTorch's step with eps.
        same_number(case, eps * np.sqrt(1 - beta2**t), got, rtol=1e-9)
    return len(cases)


def reference_gap(scale: float) -> float:
    """Task 5 computed with lrlib's Adam and a plain transcription of Keras's form."""
    curvatures = scale * GAP_CURVATURES
    x0 = np.ones(2)
    torch_like, keras_like = x0, x0
    adam_rule = optimizers.Adam(lr=GAP_LR)
    state = adam_rule.init(x0)
    m = v = np.zeros(2)
    beta1, beta2, eps_hat = 0.9, 0.999, 1e-7
    for n in range(GAP_STEPS):
        torch_like, state = adam_rule.step(torch_like, curvatures * torch_like, state)
        t, g = n + 1, curvatures * keras_like
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        keras_like = keras_like - GAP_LR * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (
            np.sqrt(v) + eps_hat)
    return float(np.linalg.norm(keras_like - torch_like) / np.linalg.norm(torch_like - x0))


@register("hw3", "task5", function="placement_gap",
          title="how far apart the Keras and PyTorch defaults end up", points=2)
def gap(function, rng, hidden):
    """``placement_gap(scale)``: relative distance after 200 updates (see the notebook)."""
    cases = [1.0, 1e-6]
    cases += [rounded(10 ** rng.uniform(-8, 0), 2) for _ in range(2 + (8 if hidden else 0))]
    for scale in cases:
        case = f"scale={scale:g}"
        got = ask(function, case, scale)
        same_number(case, reference_gap(scale), got, rtol=1e-4)
    return len(cases)
