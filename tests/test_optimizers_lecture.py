"""The lecture forms of AdaGrad and RMSProp: plain transcriptions, and the exact relations to
torch's rules stated in their docstrings, proved numerically."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlib
from lrlib._oracle import relative_difference
from lrlib.optimizers import AdaGrad, LectureAdaGrad, LectureRMSProp, RMSProp

STEPS = 200
RNG = np.random.default_rng(7)
GRADS = RNG.standard_normal((STEPS, 4)) * [1.0, 1e-3, 50.0, 0.2]
X0 = np.array([1.0, -2.0, 0.5, 3.0])


def run(opt, grads=GRADS, x0=X0, state=None):
    """Iterates (len(grads)+1, d) and the final state, fed the gradient sequence."""
    x = np.array(x0, dtype=float)
    state = opt.init(x) if state is None else state
    out = [x]
    for g in grads:
        x, state = opt.step(x, g, state)
        out.append(x)
    return np.array(out), state


def naive_lecture_adagrad(x0, grads, lr_of, eps=0.0):
    """theta_{t+1} = theta_t - lr_t / (sigma_t + eps) g_t, sigma_t = sqrt(mean_{i<=t} g_i^2)."""
    x, squares, out = list(x0), [[] for _ in x0], [list(x0)]
    for t, g in enumerate(grads):
        for i in range(len(x)):
            squares[i].append(g[i] ** 2)
            sigma = math.sqrt(sum(squares[i]) / len(squares[i]))
            x[i] -= lr_of(t) / (sigma + eps) * g[i]
        out.append(list(x))
    return out


def naive_lecture_rmsprop(x0, grads, lr, alpha, eps=0.0):
    """sigma_0 = |g_0|, sigma_t = sqrt(alpha sigma_{t-1}^2 + (1 - alpha) g_t^2)."""
    x, sigma, out = list(x0), [0.0] * len(x0), [list(x0)]
    for t, g in enumerate(grads):
        for i in range(len(x)):
            if t == 0:
                sigma[i] = abs(g[i])
            else:
                sigma[i] = math.sqrt(alpha * sigma[i] ** 2 + (1 - alpha) * g[i] ** 2)
            x[i] -= lr / (sigma[i] + eps) * g[i]
        out.append(list(x))
    return out


# ---------------------------------------------------------------------------------------
# Transcriptions


@pytest.mark.parametrize("eps", [0.0, 1e-3])
def test_lecture_adagrad_matches_the_lecture_formula(eps):
    ours, _ = run(LectureAdaGrad(lr=0.05, eps=eps))
    naive = naive_lecture_adagrad(X0, GRADS.tolist(), lambda t: 0.05, eps)
    assert relative_difference(ours, naive) <= 1e-12


@pytest.mark.parametrize("alpha, eps", [(0.9, 0.0), (0.99, 0.0), (0.5, 1e-3)])
def test_lecture_rmsprop_matches_the_lecture_formula(alpha, eps):
    ours, _ = run(LectureRMSProp(lr=0.05, alpha=alpha, eps=eps))
    naive = naive_lecture_rmsprop(X0, GRADS.tolist(), 0.05, alpha, eps)
    assert relative_difference(ours, naive) <= 1e-12


# ---------------------------------------------------------------------------------------
# AdaGrad: lecture form versus Duchi's (torch's)


def test_lecture_adagrad_with_inverse_sqrt_decay_equals_torch_adagrad_with_eps_zero():
    lecture, _ = run(LectureAdaGrad(lr=lrlib.InverseSqrtDecay(lr0=0.3)))
    duchi, _ = run(AdaGrad(lr=0.3, eps=0.0))
    assert relative_difference(lecture, duchi) <= 2e-15


def test_the_equality_holds_in_closed_loop_on_a_quadratic():
    matrix = np.diag([1.0, 100.0])

    def descend(opt):
        x, state = np.array([3.0, 1.0]), opt.init(np.zeros(2))
        for _ in range(500):
            x, state = opt.step(x, matrix @ x, state)
        return x

    lecture = descend(LectureAdaGrad(lr=lrlib.InverseSqrtDecay(lr0=0.5)))
    duchi = descend(AdaGrad(lr=0.5, eps=0.0))
    np.testing.assert_allclose(lecture, duchi, rtol=1e-12, atol=1e-300)


def test_lecture_adagrad_with_constant_rate_steps_eta_sqrt_t_plus_1_g_over_root_sum():
    eta = 0.05
    x, state = X0, LectureAdaGrad(lr=eta).init(X0)
    total = np.zeros_like(X0)
    for t, g in enumerate(GRADS):
        total = total + g**2
        new_x, state = LectureAdaGrad(lr=eta).step(x, g, state)
        np.testing.assert_allclose(new_x, x - eta * math.sqrt(t + 1) * g / np.sqrt(total),
                                   rtol=1e-14)
        x = new_x


def test_lecture_adagrad_with_constant_rate_is_adagrad_with_rate_eta_sqrt_n_plus_1():
    # torch: Adagrad(eps=0) driven by LambdaLR(lambda k: sqrt(k + 1)).
    lecture, _ = run(LectureAdaGrad(lr=0.05))
    duchi, _ = run(AdaGrad(lr=lambda n: 0.05 * math.sqrt(n + 1), eps=0.0))
    assert relative_difference(lecture, duchi) <= 1e-13


def test_lecture_adagrad_with_constant_rate_explodes_after_a_long_run_of_tiny_gradients():
    # The lecture's burst: 999 gradients of 1e-3 make sigma tiny, then a gradient of 1 arrives.
    eta = 0.01
    grads = np.array([[1e-3]] * 999 + [[1.0]])
    path, _ = run(LectureAdaGrad(lr=eta), grads=grads, x0=np.zeros(1))
    last_step = abs(path[-1, 0] - path[-2, 0])
    assert last_step == pytest.approx(eta * math.sqrt(1000) / math.sqrt(1 + 999e-6), rel=1e-12)
    assert last_step > 30 * eta
    decayed, _ = run(LectureAdaGrad(lr=lrlib.InverseSqrtDecay(lr0=eta)), grads=grads,
                     x0=np.zeros(1))
    assert abs(decayed[-1, 0] - decayed[-2, 0]) < eta  # with eta/sqrt(t+1) there is no burst


# ---------------------------------------------------------------------------------------
# RMSProp: lecture form versus torch's


def test_lecture_rmsprop_first_step_is_exactly_lr_times_sign_of_g0():
    g0 = np.array([3.0, -1e-7, 250.0, -0.3])
    x1, state = LectureRMSProp(lr=0.1).step(X0, g0, LectureRMSProp(lr=0.1).init(X0))
    np.testing.assert_array_equal(x1, X0 - 0.1 * np.sign(g0))
    np.testing.assert_array_equal(state.sigma_sq, g0**2)


@pytest.mark.parametrize("alpha, ratio", [(0.99, 10.0), (0.9, math.sqrt(10.0))])
def test_torch_first_rmsprop_step_is_one_over_sqrt_one_minus_alpha_times_the_lectures(alpha, ratio):
    g0 = np.array([3.0, -0.5, 20.0, -1e-3])
    x_lecture, _ = LectureRMSProp(lr=0.01, alpha=alpha).step(X0, g0, LectureRMSProp(lr=0.01).init(X0))
    x_torch, _ = RMSProp(lr=0.01, alpha=alpha, eps=0.0).step(X0, g0, RMSProp().init(X0))
    np.testing.assert_allclose((x_torch - X0) / (x_lecture - X0), ratio, rtol=1e-12)


@pytest.mark.parametrize("alpha", [0.5, 0.9, 0.99])
def test_lecture_rmsprop_is_torch_rmsprop_with_square_avg_initialised_to_g0_squared(alpha):
    lecture, _ = run(LectureRMSProp(lr=0.02, alpha=alpha))
    torch_like = RMSProp(lr=0.02, alpha=alpha, eps=0.0)
    state = torch_like.init(X0)._replace(square_avg=GRADS[0] ** 2)
    ours, _ = run(torch_like, state=state)
    assert relative_difference(lecture, ours) <= 1e-14


def test_torch_square_average_is_sigma_squared_minus_alpha_to_t_plus_1_g0_squared():
    alpha = 0.9
    lecture, torch_like = LectureRMSProp(lr=0.02, alpha=alpha), RMSProp(lr=0.02, alpha=alpha)
    state_l, state_t = lecture.init(X0), torch_like.init(X0)
    for t, g in enumerate(GRADS[:60]):
        _, state_l = lecture.step(X0, g, state_l)
        _, state_t = torch_like.step(X0, g, state_t)
        expected = state_l.sigma_sq - alpha ** (t + 1) * GRADS[0] ** 2
        np.testing.assert_allclose(state_t.square_avg, expected, rtol=1e-12,
                                   atol=1e-14 * state_l.sigma_sq.max())


def test_the_two_rmsprops_differ_markedly_early_and_agree_once_alpha_to_t_is_negligible():
    alpha = 0.9
    lecture = LectureRMSProp(lr=0.01, alpha=alpha)
    torch_like = RMSProp(lr=0.01, alpha=alpha, eps=0.0)
    state_l, state_t = lecture.init(X0), torch_like.init(X0)
    steps_l, steps_t = [], []
    for g in GRADS:
        x_l, state_l = lecture.step(X0, g, state_l)
        x_t, state_t = torch_like.step(X0, g, state_t)
        steps_l.append(x_l - X0)
        steps_t.append(x_t - X0)
    ratio = np.abs(np.array(steps_t) / np.array(steps_l))
    assert ratio[0] == pytest.approx(np.full(4, 1 / math.sqrt(1 - alpha)), rel=1e-12)
    np.testing.assert_allclose(ratio[-1], 1.0, rtol=1e-8)  # alpha^200 ~ 7e-10


def test_lecture_forms_leave_a_coordinate_in_place_until_its_first_nonzero_gradient():
    grads = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 2.0]])
    for opt in (LectureAdaGrad(lr=0.1), LectureRMSProp(lr=0.1)):
        path, _ = run(opt, grads=grads, x0=np.zeros(2))
        np.testing.assert_array_equal(path[:3, 1], 0.0)
        assert path[3, 1] < 0 and np.all(np.isfinite(path))
