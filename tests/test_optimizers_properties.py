"""Property tests (hypothesis) of the update rules, over random gradient sequences."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

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

SETTINGS = settings(max_examples=50, deadline=None, database=None)

magnitudes = st.floats(min_value=1e-3, max_value=1e3)
entries = st.one_of(st.just(0.0), magnitudes, magnitudes.map(lambda v: -v))
gradient_sequences = st.tuples(st.integers(1, 25), st.integers(1, 3)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=entries))
unit = st.floats(min_value=0.0, max_value=0.999)


def trajectory(opt, grads, x0=None):
    """Iterates (T+1, d) of ``opt`` fed the gradient rows of ``grads`` (open loop)."""
    x = np.zeros(grads.shape[1]) if x0 is None else x0
    state = opt.init(x)
    out = [x]
    for g in grads:
        x, state = opt.step(x, g, state)
        out.append(x)
    return np.array(out)


# Rules without weight decay (the properties below are about the gradient term alone).
ALL_RULES = [SGD(lr=0.1), Momentum(lr=0.1), Momentum(lr=0.1, nesterov=True), AdaGrad(lr=0.1),
             RMSProp(), RMSProp(centered=True, momentum=0.5), Adadelta(), Adam(lr=0.1),
             Adam(lr=0.1, amsgrad=True), AdamW(lr=0.1, weight_decay=0.0), Adamax(), NAdam(),
             RAdam(), LectureAdaGrad(lr=0.1), LectureRMSProp(lr=0.1)]
# With eps = 0 these divide the gradient by a statistic of its own scale. (Not RAdam: its first
# five updates are un-normalised momentum steps.)
SCALE_FREE = [AdaGrad(lr=0.1, eps=0.0), RMSProp(eps=0.0), RMSProp(eps=0.0, centered=True,
              momentum=0.5), Adam(lr=0.1, eps=0.0), Adam(lr=0.1, eps=0.0, amsgrad=True),
              Adamax(eps=0.0), NAdam(eps=0.0), LectureAdaGrad(lr=0.1),
              LectureRMSProp(lr=0.1)]


@SETTINGS
@given(grads=gradient_sequences, lr=st.floats(1e-4, 1.0), factor=st.floats(0.01, 100.0),
       beta=unit, nesterov=st.booleans())
def test_momentum_and_sgd_trajectories_from_zero_are_linear_in_lr(grads, lr, factor, beta,
                                                                   nesterov):
    # Linear up to rounding, which is relative to the terms summed, not to their sum (an
    # iterate that cancels to near 0 keeps the terms' absolute error): |lr * b_t| is at most
    # lr * sum|g| per update (Nesterov: twice), so the iterates are bounded by ``scale``.
    scale = 2 * lr * factor * len(grads) * np.abs(grads).sum()
    for rule in (SGD(lr=lr), Momentum(lr=lr, beta=beta, nesterov=nesterov and beta > 0)):
        base = trajectory(rule, grads)
        scaled = trajectory(dataclasses.replace(rule, lr=lr * factor), grads)
        np.testing.assert_allclose(scaled, factor * base, rtol=1e-12, atol=1e-13 * scale)


@SETTINGS
@given(grads=gradient_sequences)
def test_momentum_with_beta_zero_is_sgd(grads):
    np.testing.assert_array_equal(trajectory(Momentum(lr=0.1, beta=0.0), grads),
                                  trajectory(SGD(lr=0.1), grads))


@SETTINGS
@given(grads=gradient_sequences, beta1=st.floats(0.0, 0.95), beta2=st.floats(0.9, 0.9999),
       eps=st.sampled_from([0.0, 1e-8, 1e-3]), amsgrad=st.booleans())
def test_adam_step_is_bounded_by_the_cauchy_schwarz_bound(grads, beta1, beta2, eps, amsgrad):
    # |m_t| <= (1-b1) sqrt(sum_k gamma^k) sqrt(v_t/(1-b2)) with gamma = b1^2/b2 (Cauchy-Schwarz),
    # so |step_t| <= lr (1-b1)/(1-b1^t) sqrt((1-b2^t)/(1-b2)) sqrt(sum_{k<t} gamma^k); at t = 1
    # this is lr. (AMSGrad divides by a larger v: the bound still holds.)
    lr = 0.1
    steps = np.abs(np.diff(trajectory(Adam(lr, beta1, beta2, eps, amsgrad), grads), axis=0))
    gamma = beta1**2 / beta2
    for t, step in enumerate(steps, start=1):
        window = sum(gamma**k for k in range(t))
        bound = lr * (1 - beta1) / (1 - beta1**t) * math.sqrt((1 - beta2**t) / (1 - beta2)
                                                              * window)
        assert np.all(step <= bound * (1 + 1e-9))


@SETTINGS
@given(grads=gradient_sequences, beta1=st.floats(0.0, 0.95), beta2=st.floats(0.96, 0.9999))
def test_adamax_step_is_bounded_by_its_infinity_norm_bound(grads, beta1, beta2):
    # u_t >= beta2^k |g_{t-k}|, so |m_t| <= (1-b1) u_t sum_{k<t} (b1/b2)^k.
    lr = 0.1
    steps = np.abs(np.diff(trajectory(Adamax(lr, beta1, beta2), grads), axis=0))
    for t, step in enumerate(steps, start=1):
        window = sum((beta1 / beta2) ** k for k in range(t))
        assert np.all(step <= lr * (1 - beta1) / (1 - beta1**t) * window * (1 + 1e-9))


@SETTINGS
@given(grads=gradient_sequences, alpha=unit, eps=st.sampled_from([0.0, 1e-8]))
def test_rmsprop_step_never_exceeds_lr_over_sqrt_one_minus_alpha(grads, alpha, eps):
    lr = 0.01
    steps = np.abs(np.diff(trajectory(RMSProp(lr=lr, alpha=alpha, eps=eps), grads), axis=0))
    assert np.all(steps <= lr / math.sqrt(1 - alpha) * (1 + 1e-12))


@SETTINGS
@given(grads=gradient_sequences, initial=st.floats(0.0, 10.0))
def test_adagrad_step_never_exceeds_lr(grads, initial):
    steps = np.abs(np.diff(trajectory(AdaGrad(lr=0.1, initial_accumulator=initial), grads),
                           axis=0))
    assert np.all(steps <= 0.1 * (1 + 1e-12))


@SETTINGS
@given(grads=gradient_sequences)
def test_negating_every_gradient_mirrors_the_trajectory_exactly(grads):
    for rule in ALL_RULES:
        np.testing.assert_array_equal(trajectory(rule, -grads), -trajectory(rule, grads))


@SETTINGS
@given(grads=gradient_sequences, power=st.integers(-10, 10))
def test_with_eps_zero_adaptive_rules_ignore_a_power_of_two_rescaling_of_the_gradients(grads,
                                                                                       power):
    for rule in SCALE_FREE:
        np.testing.assert_array_equal(trajectory(rule, grads * 2.0**power),
                                      trajectory(rule, grads))


@SETTINGS
@given(grads=gradient_sequences, x0=arrays(np.float64, 3, elements=st.floats(-10, 10)))
def test_a_zero_rate_never_moves_the_parameters(grads, x0):
    grads = np.resize(grads, (grads.shape[0], 3))
    for rule in ALL_RULES + [AdamW(lr=0.0), SGD(lr=0.0, weight_decay=0.1)]:
        path = trajectory(dataclasses.replace(rule, lr=0.0), grads, x0)
        np.testing.assert_array_equal(path, np.broadcast_to(x0, path.shape))


@SETTINGS
@given(grads=gradient_sequences, power=st.integers(-10, 10))
def test_radam_first_five_updates_scale_with_the_gradient(grads, power):
    scale = 2.0**power
    early = grads[:5]
    np.testing.assert_array_equal(trajectory(RAdam(eps=0.0), early * scale),
                                  scale * trajectory(RAdam(eps=0.0), early))
