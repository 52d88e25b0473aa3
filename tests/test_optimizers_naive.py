"""Independent references: deliberately plain transcriptions of each paper's update (Python
loops over coordinates, ``math`` only), compared with lrlib's vectorised rules.

Where torch (and so lrlib) departs from the paper, the transcription follows the paper and the
test either chooses settings where the two coincide (e.g. ``eps = 0``) or states the mapping.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrlib._oracle import relative_difference
from lrlib.optimizers import (
    SGD,
    AdaGrad,
    Adadelta,
    Adam,
    Adamax,
    AdamW,
    Momentum,
    NAdam,
    RAdam,
    RMSProp,
)

STEPS = 200
RNG = np.random.default_rng(2024)
# Gradients of very different sizes per coordinate, with sign changes.
GRADS = (RNG.standard_normal((STEPS, 3)) * [1.0, 1e-2, 30.0]).tolist()
X0 = [0.5, -1.5, 2.0]


def lrlib_run(opt, x0=X0, grads=GRADS):
    """lrlib's iterates when fed the gradient sequence ``grads`` (open loop)."""
    x = np.array(x0, dtype=float)
    state = opt.init(x)
    out = [x]
    for g in grads:
        x, state = opt.step(x, np.array(g), state)
        out.append(x)
    return np.array(out)


def assert_same_trajectory(ours, naive, tolerance=1e-12):
    assert relative_difference(ours, naive) <= tolerance


# ---------------------------------------------------------------------------------------
# Transcriptions


def naive_sgd(x0, grads, lr):
    x, out = list(x0), [list(x0)]
    for g in grads:
        x = [x[i] - lr * g[i] for i in range(len(x))]
        out.append(x)
    return out


def naive_polyak(x0, grads, lr, beta):
    """Polyak (1964): x_{k+1} = x_k - lr g_k + beta (x_k - x_{k-1}), with x_{-1} = x_0."""
    previous, x, out = list(x0), list(x0), [list(x0)]
    for g in grads:
        new = [x[i] - lr * g[i] + beta * (x[i] - previous[i]) for i in range(len(x))]
        previous, x = x, new
        out.append(x)
    return out


def naive_sutskever_nesterov(theta0, grad_fn, lr, mu, steps):
    """Sutskever et al. (2013), eq. (3)-(4): v <- mu v - lr grad(theta + mu v); theta <- theta + v.

    Returns the look-ahead points theta + mu v, where the gradient is taken: these are the
    iterates of torch's (Bengio et al.'s) reformulation.
    """
    theta, v = list(theta0), [0.0] * len(theta0)
    out = [list(theta0)]
    for _ in range(steps):
        ahead = [theta[i] + mu * v[i] for i in range(len(theta))]
        g = grad_fn(ahead)
        v = [mu * v[i] - lr * g[i] for i in range(len(theta))]
        theta = [theta[i] + v[i] for i in range(len(theta))]
        out.append([theta[i] + mu * v[i] for i in range(len(theta))])
    return out


def naive_adagrad(x0, grads, lr, delta):
    """Duchi et al. (2011), diagonal AdaGrad: x_i -= lr g_i / (delta + sqrt(sum_s g_{s,i}^2))."""
    x, total, out = list(x0), [0.0] * len(x0), [list(x0)]
    for g in grads:
        for i in range(len(x)):
            total[i] += g[i] ** 2
            x[i] -= lr * g[i] / (delta + math.sqrt(total[i]))
        out.append(list(x))
    return out


def naive_rmsprop(x0, grads, lr, decay, eps):
    """Tieleman & Hinton (2012): MeanSquare = decay MeanSquare + (1 - decay) g^2;
    divide the gradient by sqrt(MeanSquare) (+ eps, where torch puts it)."""
    x, mean_square, out = list(x0), [0.0] * len(x0), [list(x0)]
    for g in grads:
        for i in range(len(x)):
            mean_square[i] = decay * mean_square[i] + (1 - decay) * g[i] ** 2
            x[i] -= lr * g[i] / (math.sqrt(mean_square[i]) + eps)
        out.append(list(x))
    return out


def naive_rmsprop_graves(x0, grads, lr, decay, momentum):
    """Graves (2013), eqs. (38)-(41), the centered RMSProp with momentum, his epsilon = 0:
    n = a n + (1-a) g^2, gbar = a gbar + (1-a) g, D = m D - lr g / sqrt(n - gbar^2), x += D."""
    d = len(x0)
    x, n, gbar, velocity, out = list(x0), [0.0] * d, [0.0] * d, [0.0] * d, [list(x0)]
    for g in grads:
        for i in range(d):
            n[i] = decay * n[i] + (1 - decay) * g[i] ** 2
            gbar[i] = decay * gbar[i] + (1 - decay) * g[i]
            velocity[i] = momentum * velocity[i] - lr * g[i] / math.sqrt(n[i] - gbar[i] ** 2)
            x[i] += velocity[i]
        out.append(list(x))
    return out


def naive_adadelta(x0, grads, rho, eps, lr=1.0):
    """Zeiler (2012), Algorithm 1 (torch multiplies the update by lr; Zeiler's lr is 1)."""
    d = len(x0)
    x, eg2, edx2, out = list(x0), [0.0] * d, [0.0] * d, [list(x0)]
    for g in grads:
        for i in range(d):
            eg2[i] = rho * eg2[i] + (1 - rho) * g[i] ** 2
            dx = -math.sqrt(edx2[i] + eps) / math.sqrt(eg2[i] + eps) * g[i]
            edx2[i] = rho * edx2[i] + (1 - rho) * dx**2
            x[i] += lr * dx
        out.append(list(x))
    return out


def naive_adam(x0, grads, alpha, beta1, beta2, eps, amsgrad=False, decoupled_decay=0.0):
    """Kingma & Ba (2015), Algorithm 1 (eps added to sqrt(v_hat)).

    ``amsgrad``: Reddi et al. (2018), Algorithm 2, keeping Adam's bias corrections as torch
    does: the running maximum of the raw v, divided by the current 1 - beta2^t.
    ``decoupled_decay``: Loshchilov & Hutter (2019), Algorithm 2 with schedule multiplier
    eta_t = 1: theta -= (alpha m_hat / (sqrt(v_hat) + eps) + lambda theta).
    """
    d = len(x0)
    x, m, v, v_max, out = list(x0), [0.0] * d, [0.0] * d, [0.0] * d, [list(x0)]
    for t, g in enumerate(grads, start=1):
        for i in range(d):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            v_max[i] = max(v_max[i], v[i])
            m_hat = m[i] / (1 - beta1**t)
            v_hat = (v_max[i] if amsgrad else v[i]) / (1 - beta2**t)
            x[i] -= alpha * m_hat / (math.sqrt(v_hat) + eps) + decoupled_decay * x[i]
        out.append(list(x))
    return out


def naive_adamax(x0, grads, alpha, beta1, beta2, eps=0.0):
    """Kingma & Ba (2015), Algorithm 2: u = max(beta2 u, |g|) (torch: |g| + eps)."""
    d = len(x0)
    x, m, u, out = list(x0), [0.0] * d, [0.0] * d, [list(x0)]
    for t, g in enumerate(grads, start=1):
        for i in range(d):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            u[i] = max(beta2 * u[i], abs(g[i]) + eps)
            x[i] -= (alpha / (1 - beta1**t)) * m[i] / u[i]
        out.append(list(x))
    return out


def naive_nadam(x0, grads, gamma, beta1, beta2, eps, psi):
    """Dozat (2016), Algorithm 2 with torch's momentum schedule mu_t = beta1 (1 - 0.96^(t psi)/2)
    and first moment m = beta1 m + (1 - beta1) g (the form torch's documentation gives)."""
    d = len(x0)
    x, m, n, out = list(x0), [0.0] * d, [0.0] * d, [list(x0)]
    mus = [beta1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in range(len(grads) + 2)]
    for t, g in enumerate(grads, start=1):
        product_t = math.prod(mus[1: t + 1])
        product_next = product_t * mus[t + 1]
        for i in range(d):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            n[i] = beta2 * n[i] + (1 - beta2) * g[i] ** 2
            m_hat = mus[t + 1] * m[i] / (1 - product_next) + (1 - mus[t]) * g[i] / (1 - product_t)
            n_hat = n[i] / (1 - beta2**t)
            x[i] -= gamma * m_hat / (math.sqrt(n_hat) + eps)
        out.append(list(x))
    return out


def naive_radam(x0, grads, alpha, beta1, beta2, eps, threshold=5.0):
    """Liu et al. (2020), Algorithm 2; l_t = sqrt(1 - beta2^t) / (sqrt(v_t) + eps) (eps = 0 is
    the paper's sqrt((1 - beta2^t)/v_t)). The paper rectifies when rho_t > 4, torch when > 5."""
    d = len(x0)
    rho_inf = 2 / (1 - beta2) - 1
    x, m, v, out = list(x0), [0.0] * d, [0.0] * d, [list(x0)]
    for t, g in enumerate(grads, start=1):
        rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        for i in range(d):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            m_hat = m[i] / (1 - beta1**t)
            if rho > threshold:
                length = math.sqrt(1 - beta2**t) / (math.sqrt(v[i]) + eps)
                rect = math.sqrt((rho - 4) * (rho - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho))
                x[i] -= alpha * rect * m_hat * length
            else:
                x[i] -= alpha * m_hat
        out.append(list(x))
    return out


# ---------------------------------------------------------------------------------------
# Comparisons


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_sgd_matches_plain_gradient_descent(weight_decay):
    if weight_decay:
        # L2 decay is a gradient term: feed lrlib the plain gradients and compare with the
        # closed-loop transcription of g + wd x.
        x, naive = list(X0), [list(X0)]
        for g in GRADS:
            x = [x[i] - 0.01 * (g[i] + weight_decay * x[i]) for i in range(3)]
            naive.append(x)
    else:
        naive = naive_sgd(X0, GRADS, 0.01)
    assert_same_trajectory(lrlib_run(SGD(lr=0.01, weight_decay=weight_decay)), naive)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_momentum_matches_polyaks_heavy_ball_written_with_the_previous_iterate(beta):
    # The difference form x_k - x_{k-1} loses a few digits at beta = 0.99 (~1e-13 measured).
    assert_same_trajectory(lrlib_run(Momentum(lr=0.01, beta=beta)),
                           naive_polyak(X0, GRADS, 0.01, beta), 1e-11)


@pytest.mark.parametrize("mu", [0.5, 0.9])
def test_nesterov_matches_sutskevers_form_at_the_look_ahead_points(mu):
    matrix = [[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]

    def grad(x):
        return [sum(matrix[i][j] * (x[j] - 1.0) for j in range(3)) for i in range(3)]

    naive = naive_sutskever_nesterov(X0, grad, 0.05, mu, STEPS)
    opt = Momentum(lr=0.05, beta=mu, nesterov=True)
    x, state, ours = np.array(X0), opt.init(np.array(X0)), [np.array(X0)]
    for _ in range(STEPS):
        x, state = opt.step(x, np.array(grad(list(x))), state)
        ours.append(x)
    assert_same_trajectory(np.array(ours), naive)


@pytest.mark.parametrize("delta", [0.0, 1e-10, 0.1])
def test_adagrad_matches_duchis_diagonal_update(delta):
    assert_same_trajectory(lrlib_run(AdaGrad(lr=0.1, eps=delta)),
                           naive_adagrad(X0, GRADS, 0.1, delta))


@pytest.mark.parametrize("decay, eps", [(0.9, 0.0), (0.99, 1e-8), (0.5, 1e-3)])
def test_rmsprop_matches_tieleman_and_hinton(decay, eps):
    assert_same_trajectory(lrlib_run(RMSProp(lr=0.01, alpha=decay, eps=eps)),
                           naive_rmsprop(X0, GRADS, 0.01, decay, eps))


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_centered_rmsprop_matches_graves_with_zero_epsilon(momentum):
    # With a constant rate Graves' velocity (rate inside) equals torch's buffer times -lr.
    opt = RMSProp(lr=1e-3, alpha=0.95, eps=0.0, centered=True, momentum=momentum)
    assert_same_trajectory(lrlib_run(opt), naive_rmsprop_graves(X0, GRADS, 1e-3, 0.95, momentum))


@pytest.mark.parametrize("rho, eps, lr", [(0.9, 1e-6, 1.0), (0.95, 1e-4, 1.0), (0.5, 1e-6, 0.5)])
def test_adadelta_matches_zeilers_algorithm_1(rho, eps, lr):
    assert_same_trajectory(lrlib_run(Adadelta(lr=lr, rho=rho, eps=eps)),
                           naive_adadelta(X0, GRADS, rho, eps, lr))


@pytest.mark.parametrize("beta1, beta2, eps", [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3),
                                                (0.0, 0.99, 0.0), (0.95, 0.9999, 1e-8)])
def test_adam_matches_kingma_and_ba_algorithm_1(beta1, beta2, eps):
    opt = Adam(lr=0.01, beta1=beta1, beta2=beta2, eps=eps)
    assert_same_trajectory(lrlib_run(opt), naive_adam(X0, GRADS, 0.01, beta1, beta2, eps))


def test_amsgrad_matches_reddi_algorithm_2_with_bias_corrections():
    opt = Adam(lr=0.01, beta2=0.99, amsgrad=True)
    assert_same_trajectory(lrlib_run(opt),
                           naive_adam(X0, GRADS, 0.01, 0.9, 0.99, 1e-8, amsgrad=True))


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_matches_loshchilov_and_hutter_with_lambda_equal_to_lr_times_weight_decay(amsgrad):
    opt = AdamW(lr=0.01, weight_decay=0.5, amsgrad=amsgrad)
    naive = naive_adam(X0, GRADS, 0.01, 0.9, 0.999, 1e-8, amsgrad=amsgrad,
                       decoupled_decay=0.01 * 0.5)
    assert_same_trajectory(lrlib_run(opt), naive)


@pytest.mark.parametrize("beta1, beta2, eps", [(0.9, 0.999, 0.0), (0.8, 0.99, 1e-8),
                                                (0.9, 0.999, 1e-2)])
def test_adamax_matches_kingma_and_ba_algorithm_2(beta1, beta2, eps):
    opt = Adamax(lr=0.01, beta1=beta1, beta2=beta2, eps=eps)
    assert_same_trajectory(lrlib_run(opt), naive_adamax(X0, GRADS, 0.01, beta1, beta2, eps))


@pytest.mark.parametrize("psi, beta2", [(4e-3, 0.999), (0.0, 0.99), (0.05, 0.999)])
def test_nadam_matches_dozats_algorithm_with_torchs_momentum_schedule(psi, beta2):
    opt = NAdam(lr=0.01, beta2=beta2, momentum_decay=psi)
    assert_same_trajectory(lrlib_run(opt), naive_nadam(X0, GRADS, 0.01, 0.9, beta2, 1e-8, psi))


@pytest.mark.parametrize("beta1, beta2, eps", [(0.9, 0.999, 0.0), (0.9, 0.99, 1e-8),
                                                (0.5, 0.999, 1e-4)])
def test_radam_matches_liu_algorithm_2_with_torchs_threshold(beta1, beta2, eps):
    # Both compute beta2**t with Python's pow, so rho_t's cancellation does not amplify a
    # rounding difference here.
    opt = RAdam(lr=0.01, beta1=beta1, beta2=beta2, eps=eps)
    assert_same_trajectory(lrlib_run(opt), naive_radam(X0, GRADS, 0.01, beta1, beta2, eps))


def test_radam_rectifies_one_step_later_than_the_papers_threshold_of_4():
    opt = RAdam(lr=0.01)
    papers = np.array(naive_radam(X0, GRADS[:6], 0.01, 0.9, 0.999, 1e-8, threshold=4.0))
    ours = lrlib_run(opt, grads=GRADS[:6])
    assert 4 < opt.rho(5) <= 5
    np.testing.assert_allclose(ours[:5], papers[:5], rtol=1e-14)  # updates 1-4 agree
    assert not np.allclose(ours[5], papers[5], rtol=1e-6)  # update 5: only the paper rectifies
