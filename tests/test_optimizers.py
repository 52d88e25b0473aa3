"""lrlib.optimizers: PyTorch oracle replay, hand-computed first steps, and the conventions
(rate of update n, lr arrays and schedules, purity, dtypes, state checks)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

import lrlib
from lrlib._oracle import load_cases, relative_difference, replay_optimizer
from lrlib.optimizers import (
    SGD,
    AdaGrad,
    Adadelta,
    Adam,
    Adamax,
    AdamState,
    AdamW,
    LectureAdaGrad,
    LectureRMSProp,
    Momentum,
    NAdam,
    RAdam,
    RMSProp,
)

ORACLE = Path(__file__).parent / "oracle" / "optimizers.json"
CASES = load_cases(ORACLE)

# One instance of every rule, with the options that add state (for the convention tests).
RULES = [
    SGD(lr=0.1, weight_decay=0.01),
    Momentum(lr=0.05),
    Momentum(lr=0.05, beta=0.8, nesterov=True, weight_decay=0.01),
    AdaGrad(lr=0.3, initial_accumulator=0.1),
    RMSProp(lr=0.01),
    RMSProp(lr=0.01, centered=True, momentum=0.5, weight_decay=0.01),
    Adadelta(),
    Adam(lr=0.05),
    Adam(lr=0.05, amsgrad=True, weight_decay=0.01),
    AdamW(lr=0.05),
    Adamax(lr=0.05),
    NAdam(lr=0.05),
    RAdam(lr=0.05),
    LectureAdaGrad(lr=0.1),
    LectureRMSProp(lr=0.05),
]
RULE_IDS = [repr(rule) for rule in RULES]

MATRIX = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
TARGET = np.array([1.0, -2.0, 0.5])


def quadratic_grad(x):
    """Gradient of 1/2 (x - c)^T A (x - c), row by row for x of shape (..., 3)."""
    return (x - TARGET) @ MATRIX


def run(opt, x0, steps, grad=quadratic_grad):
    x = np.asarray(x0, dtype=float)
    state = opt.init(x)
    for _ in range(steps):
        x, state = opt.step(x, grad(x), state)
    return x, state


# ---------------------------------------------------------------------------------------
# PyTorch oracle


def test_oracle_fixture_covers_every_rule_with_a_torch_twin():
    covered = {case["lrlib"]["class"] for case in CASES}
    assert covered == {"SGD", "Momentum", "AdaGrad", "RMSProp", "Adadelta", "Adam", "AdamW",
                       "Adamax", "NAdam", "RAdam"}
    assert sum(1 for case in CASES if case["schedule"]) >= 4
    assert all(len(case["grads"]) == 200 and len(case["params"]) == 201 for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_replaying_torch_gradients_reproduces_torch_iterates(case):
    ours = replay_optimizer(case)
    assert relative_difference(ours, case["params"]) <= case["tolerance"]


# ---------------------------------------------------------------------------------------
# First steps computed by hand

G = np.array([3.0, -0.5, 1e-3, -20.0])
X0 = np.array([1.0, -1.0, 0.25, 2.0])


def first_step(opt, grads=G):
    """The first iterate and state (compare iterates, not differences, to avoid cancellation)."""
    return opt.step(X0, grads, opt.init(X0))


def test_sgd_first_step_is_minus_lr_times_gradient():
    x, _ = first_step(SGD(lr=0.1))
    np.testing.assert_array_equal(x, X0 - 0.1 * G)


def test_momentum_first_buffer_is_the_gradient_without_dampening():
    x, state = first_step(Momentum(lr=0.1, beta=0.9))
    np.testing.assert_array_equal(state.momentum_buffer, G)
    np.testing.assert_array_equal(x, X0 - 0.1 * G)


def test_momentum_second_buffer_is_beta_times_first_plus_gradient():
    opt = Momentum(lr=0.1, beta=0.9)
    g1 = np.array([1.0, 2.0, -3.0, 0.5])
    x, state = opt.step(X0, G, opt.init(X0))
    _, state = opt.step(x, g1, state)
    np.testing.assert_allclose(state.momentum_buffer, 0.9 * G + g1, rtol=1e-15)


def test_nesterov_first_step_uses_gradient_plus_beta_times_buffer():
    x, _ = first_step(Momentum(lr=0.1, beta=0.9, nesterov=True))
    np.testing.assert_allclose(x, X0 - 0.1 * 1.9 * G, rtol=1e-15)


def test_adagrad_first_step_is_lr_times_g_over_abs_g_plus_eps():
    x, _ = first_step(AdaGrad(lr=0.1))
    np.testing.assert_allclose(x, X0 - 0.1 * G / (np.abs(G) + 1e-10), rtol=1e-15)


def test_rmsprop_first_step_is_ten_times_lr_at_alpha_099():
    x, _ = first_step(RMSProp(lr=0.01))
    np.testing.assert_allclose(x, X0 - 0.01 * G / (math.sqrt(0.01) * np.abs(G) + 1e-8),
                               rtol=1e-15)
    np.testing.assert_allclose(x - X0, -0.1 * np.sign(G), rtol=1e-4)


def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_alpha():
    x, _ = first_step(RMSProp(lr=0.01, alpha=0.9, eps=0.0))
    np.testing.assert_allclose(x, X0 - 0.01 / math.sqrt(0.1) * np.sign(G), rtol=1e-15)


def test_adadelta_first_step_is_sqrt_eps_over_one_minus_rho_times_sign():
    x, state = first_step(Adadelta())
    delta = np.sqrt(1e-6) / np.sqrt(0.1 * G**2 + 1e-6) * G
    np.testing.assert_allclose(x, X0 - delta, rtol=1e-15)
    big = np.abs(G) > 0.1
    np.testing.assert_allclose(delta[big], np.sqrt(1e-6 / 0.1) * np.sign(G[big]), rtol=1e-4)
    np.testing.assert_allclose(state.acc_delta, 0.1 * delta**2, rtol=1e-13)


def test_adam_first_step_is_lr_times_g_over_abs_g_plus_eps():
    x, _ = first_step(Adam(lr=0.1))
    np.testing.assert_allclose(x, X0 - 0.1 * G / (np.abs(G) + 1e-8), rtol=1e-15)


def test_adam_first_step_with_large_eps_shrinks_small_gradients():
    x, _ = first_step(Adam(lr=0.1, eps=1e-2))
    np.testing.assert_allclose(x, X0 - 0.1 * G / (np.abs(G) + 1e-2), rtol=1e-15)
    assert abs(x[2] - X0[2]) < 0.1 * 0.1  # |g| = 1e-3 is ten times smaller than eps


def test_amsgrad_keeps_the_maximum_of_the_raw_second_moment():
    opt = Adam(lr=0.1, amsgrad=True)
    x, state = opt.step(X0, G, opt.init(X0))
    _, state = opt.step(x, np.zeros_like(G), state)
    np.testing.assert_allclose(state.max_exp_avg_sq, 0.001 * G**2, rtol=1e-14)
    np.testing.assert_allclose(state.exp_avg_sq, 0.999 * 0.001 * G**2, rtol=1e-14)


def test_adamw_first_step_shrinks_then_takes_adams_step():
    x, _ = first_step(AdamW(lr=0.1, weight_decay=0.5))
    shrunk = X0 * (1 - 0.1 * 0.5)
    np.testing.assert_allclose(x, shrunk - 0.1 * G / (np.abs(G) + 1e-8), rtol=1e-15)


def test_adamax_first_step_is_lr_times_g_over_abs_g_plus_eps():
    x, state = first_step(Adamax(lr=0.1))
    np.testing.assert_allclose(x, X0 - 0.1 * G / (np.abs(G) + 1e-8), rtol=1e-15)
    np.testing.assert_array_equal(state.exp_inf, np.abs(G) + 1e-8)


def test_nadam_first_step_combines_gradient_and_momentum_terms():
    x, state = first_step(NAdam(lr=0.1))
    mu1 = 0.9 * (1 - 0.5 * 0.96**0.004)
    mu2 = 0.9 * (1 - 0.5 * 0.96**0.008)
    factor = 1 + 0.1 * mu2 / (1 - mu1 * mu2)
    np.testing.assert_allclose(x, X0 - 0.1 * factor * G / (np.abs(G) + 1e-8), rtol=1e-15)
    assert state.mu_product == pytest.approx(mu1, rel=1e-15)


def test_radam_first_five_steps_are_unrectified_momentum_steps():
    opt = RAdam(lr=0.1)
    rng = np.random.default_rng(1)
    x, state = X0, opt.init(X0)
    m = np.zeros_like(X0)
    for t in range(1, 6):
        g = rng.standard_normal(X0.shape)
        m = 0.9 * m + 0.1 * g
        x_new, state = opt.step(x, g, state)
        np.testing.assert_allclose(x_new, x - 0.1 * m / (1 - 0.9**t), rtol=1e-15)
        x = x_new
    assert opt.rho(5) <= 5 < opt.rho(6)


def test_radam_sixth_step_is_rectified():
    opt = RAdam(lr=0.1)
    g = np.ones(2)
    x, state = np.zeros(2), opt.init(np.zeros(2))
    for _ in range(5):
        x, state = opt.step(x, g, state)
    x6, _ = opt.step(x, g, state)
    rho, rho_inf = opt.rho(6), 2 / 0.001 - 1
    rect = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    root_bc2 = math.sqrt(1 - 0.999**6)  # sqrt(v) = sqrt(1 - beta2^6) for a constant g = 1
    np.testing.assert_allclose(x6, x - 0.1 * rect * root_bc2 / (root_bc2 + 1e-8), rtol=1e-14)
    assert rect == pytest.approx(0.0258, abs=1e-4)  # the first rectified step is damped ~39-fold


@pytest.mark.parametrize("t, expected", [(10, 0.049), (100, 0.215), (1000, 0.645)])
def test_radam_rectifier_matches_the_tabulated_values(t, expected):
    rho, rho_inf = RAdam().rho(t), 2 / 0.001 - 1
    rect = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    assert rect == pytest.approx(expected, abs=1e-3)


# ---------------------------------------------------------------------------------------
# Conventions: the rate of update n, lr arrays, schedules


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_lr_array_runs_k_learning_rates_in_one_call(opt):
    rates = np.array([1e-3, 0.02, 0.07, 0.3])
    x0 = np.tile(np.array([2.0, 1.0, -1.0]), (len(rates), 1))
    together, _ = run(dataclasses.replace(opt, lr=rates[:, None]), x0, 30)
    for row, lr in enumerate(rates):
        alone, _ = run(dataclasses.replace(opt, lr=float(lr)), x0[row], 30)
        np.testing.assert_allclose(together[row], alone, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_schedule_value_of_step_n_is_used_by_update_n(opt):
    schedule = lrlib.InverseSqrtDecay(lr0=0.05)
    scheduled = dataclasses.replace(opt, lr=schedule)
    x = y = np.array([2.0, 1.0, -1.0])
    state, state_y = opt.init(x), scheduled.init(y)
    for n in range(25):
        constant = dataclasses.replace(opt, lr=schedule(n))
        x, state = constant.step(x, quadratic_grad(x), state)
        y, state_y = scheduled.step(y, quadratic_grad(y), state_y)
        np.testing.assert_array_equal(y, x)
    assert state_y.t == 25


def test_lambda_schedule_is_called_with_the_zero_based_update_number():
    seen = []
    opt = SGD(lr=lambda n: seen.append(n) or 0.1)
    run(opt, np.zeros(3), 4)
    assert seen == [0, 1, 2, 3]


def test_bias_corrections_use_t_equal_n_plus_one():
    opt = Adam(lr=1.0, eps=0.0)
    x, state = run(opt, np.zeros(3), 3, grad=lambda x: np.ones(3))
    assert state.t == 3
    # a constant gradient makes m_hat = v_hat^(1/2) = 1 at every t: each step is exactly lr
    np.testing.assert_allclose(x, -3.0 * np.ones(3), rtol=1e-14)


# ---------------------------------------------------------------------------------------
# Purity and state


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_step_does_not_mutate_inputs_and_returns_new_arrays(opt):
    params = np.array([2.0, 1.0, -1.0])
    state = opt.init(params)
    params, state = opt.step(params, quadratic_grad(params), state)
    grads = quadratic_grad(params)
    copies = (params.copy(), grads.copy(), [np.copy(v) if isinstance(v, np.ndarray) else v
                                             for v in state])
    new_params, new_state = opt.step(params, grads, state)
    np.testing.assert_array_equal(params, copies[0])
    np.testing.assert_array_equal(grads, copies[1])
    for old, saved in zip(state, copies[2]):
        np.testing.assert_array_equal(old, saved)
    assert new_state is not state and new_state.t == state.t + 1
    assert not np.shares_memory(new_params, params)
    for value in new_state:
        if isinstance(value, np.ndarray):
            assert not np.shares_memory(value, params) and not np.shares_memory(value, grads)
            assert not any(np.shares_memory(value, old) for old in state
                           if isinstance(old, np.ndarray))


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_state_is_an_immutable_named_tuple(opt):
    state = opt.init(np.zeros(3))
    assert state.t == 0
    with pytest.raises(AttributeError):
        state.t = 5


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_optimizer_is_frozen(opt):
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.lr = 1.0


def test_lr_array_is_copied_so_later_edits_do_not_reach_the_optimizer():
    rates = np.array([[0.1], [0.2]])
    opt = SGD(lr=rates)
    rates[0, 0] = 100.0
    x, _ = opt.step(np.zeros((2, 1)), np.ones((2, 1)), opt.init(np.zeros((2, 1))))
    np.testing.assert_allclose(x, [[-0.1], [-0.2]])


def test_state_from_another_rule_is_rejected():
    with pytest.raises(TypeError, match=r"^state must be a RMSPropState made by RMSProp.init; "
                                        r"got state=AdamState\("):
        RMSProp().step(np.zeros(2), np.ones(2), Adam().init(np.zeros(2)))


def test_adamw_accepts_adam_state_since_they_share_it():
    state = Adam().init(np.zeros(2))
    _, new_state = AdamW().step(np.zeros(2), np.ones(2), state)
    assert isinstance(new_state, AdamState)


def test_complex_parameters_are_rejected():
    opt = SGD(lr=0.1)
    with pytest.raises(TypeError, match=r"^params must be an array of real numbers; got params="):
        opt.step(np.array([1j]), np.array([1.0]), opt.init(np.zeros(1)))


# ---------------------------------------------------------------------------------------
# dtypes


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_float32_parameters_stay_float32(opt):
    params = np.array([2.0, 1.0, -1.0], dtype=np.float32)
    state = opt.init(params)
    for value in state:
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32
    for _ in range(3):
        params, state = opt.step(params, quadratic_grad(params).astype(np.float32), state)
    assert params.dtype == np.float32
    assert all(v.dtype == np.float32 for v in state if isinstance(v, np.ndarray))


@pytest.mark.parametrize("opt", RULES[:4], ids=RULE_IDS[:4])
def test_float32_parameters_stay_float32_with_array_lr_and_float64_grads(opt):
    params = np.zeros((2, 3), dtype=np.float32)
    opt = dataclasses.replace(opt, lr=np.array([[0.1], [0.2]]))
    params, _ = opt.step(params, np.ones((2, 3)), opt.init(params))
    assert params.dtype == np.float32


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_integer_parameters_become_float64(opt):
    params, state = opt.step(np.array([2, 1, -1]), np.array([1, 0, 2]), opt.init(np.array([2, 1, -1])))
    assert params.dtype == np.float64


# ---------------------------------------------------------------------------------------
# eps = 0 and divergence: no warnings (pytest turns RuntimeWarning into an error)

EPS_ZERO = [AdaGrad(lr=0.1, eps=0.0), RMSProp(eps=0.0), RMSProp(eps=0.0, centered=True),
            RMSProp(eps=0.0, momentum=0.9), Adam(eps=0.0), Adam(eps=0.0, amsgrad=True),
            AdamW(eps=0.0, weight_decay=0.0), Adamax(eps=0.0), NAdam(eps=0.0), RAdam(eps=0.0),
            LectureAdaGrad(lr=0.1), LectureRMSProp(lr=0.1)]


@pytest.mark.parametrize("opt", EPS_ZERO, ids=[repr(o) for o in EPS_ZERO])
def test_eps_zero_leaves_a_coordinate_with_only_zero_gradients_in_place(opt):
    x = np.array([1.0, 5.0])
    state = opt.init(x)
    for _ in range(8):  # past RAdam's rectification threshold
        x, state = opt.step(x, np.array([0.5, 0.0]), state)
    assert np.all(np.isfinite(x))
    assert x[1] == 5.0 and x[0] < 1.0


@pytest.mark.parametrize("opt", RULES, ids=RULE_IDS)
def test_overflowing_gradients_give_non_finite_params_without_warnings(opt):
    x = np.array([1e300, -1e300, 1.0])
    state = opt.init(x)
    for _ in range(3):
        x, state = opt.step(x, np.array([1e300, -1e300, np.inf]), state)
    assert not np.all(np.isfinite(x))
