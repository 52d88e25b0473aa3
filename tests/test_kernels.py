"""The compiled Adam loop gives the numpy formula's numbers, bit for bit, and is used."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

from lrlib.optimizers import Adam, AdamW, _kernels

SPECIAL = np.array([0.0, -0.0, 1e-40, -3e-39, 1e30, -1e30, np.inf, -np.inf, np.nan, 1.0])


def gradients(shape, dtype, steps=6, seed=0):
    """Random gradients with zeros, subnormals, huge values, infinities and NaN mixed in."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(steps):
        g = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 3, size=shape)
        if k >= 2:  # a clean start first, then the special values in a few coordinates
            flat = g.reshape(-1)
            picks = rng.choice(flat.size, size=min(4, flat.size), replace=False)
            flat[picks] = rng.choice(SPECIAL, size=picks.size)
        out.append(g.astype(dtype))
    return out


def layout(array, kind):
    """The same values in another memory layout."""
    if kind == "strided":
        wide = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), array.dtype)
        view = wide[..., ::2]
        view[...] = array
        return view
    if kind == "fortran":
        return np.asfortranarray(array)
    return array.copy()


def trajectory(opt, params, grads, inplace, kernels, monkeypatch):
    """Parameters and moments after each step, as bytes (so -0.0 and NaN payloads count)."""
    monkeypatch.setattr(_kernels, "ENABLED", kernels)
    state = opt.init(params)
    if inplace:
        params = params.copy(order="K")
        state = state._replace(**{name: getattr(state, name).copy(order="K")
                                  for name in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                                  if getattr(state, name) is not None})
    seen = []
    for g in grads:
        params, state = opt.step(params, g, state, inplace=inplace)
        seen.append([np.ascontiguousarray(a).tobytes() for a in
                     (params, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq)
                     if a is not None])
    return seen


OPTIONS = [dict(amsgrad=a, weight_decay=w, beta1=b, eps=e)
           for a, w, b, e in itertools.product((False, True), (0.0, 0.1), (0.9, 0.3),
                                               (1e-8, 0.0))]


def test_numba_is_installed_so_the_kernel_tests_test_something():
    assert _kernels.available(), "the test environment must have numba (requirements.txt)"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rule", [Adam, AdamW])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_the_loop_equals_the_formula_bit_for_bit(dtype, rule, options, monkeypatch):
    params = np.linspace(-2.0, 2.0, 7, dtype=dtype)
    grads = gradients(params.shape, dtype)
    opt = rule(lr=0.05, **options)
    for inplace in (False, True):
        formula = trajectory(opt, params, grads, inplace, False, monkeypatch)
        loop = trajectory(opt, params, grads, inplace, True, monkeypatch)
        assert loop == formula, (inplace, options)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["contiguous", "strided", "fortran"])
@pytest.mark.parametrize("shape", [(2,), (1000,), (4, 3)])
def test_the_loop_equals_the_formula_in_every_layout(dtype, kind, shape, monkeypatch):
    params = layout(np.random.default_rng(1).standard_normal(shape).astype(dtype), kind)
    grads = [layout(g, kind) for g in gradients(shape, dtype, seed=2)]
    opt = AdamW(lr=0.01, weight_decay=0.01, amsgrad=True)
    for inplace in (False, True):
        assert (trajectory(opt, params, grads, inplace, True, monkeypatch)
                == trajectory(opt, params, grads, inplace, False, monkeypatch))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_schedule_rate_given_as_a_numpy_number_matches(dtype, monkeypatch):
    # A rate that comes as a numpy number: the step's constants are then computed as numpy
    # computes them (0-d arrays of the dtype), and the loop must use the same values.
    opt = Adam(lr=lambda k: np.float64(0.1) / (k + 3), weight_decay=0.3)
    params = np.linspace(-1.0, 1.0, 5, dtype=dtype)
    grads = gradients(params.shape, dtype, steps=8, seed=3)
    assert (trajectory(opt, params, grads, False, True, monkeypatch)
            == trajectory(opt, params, grads, False, False, monkeypatch))


def test_the_kernel_runs_where_it_applies_and_not_elsewhere():
    opt = Adam(lr=0.1)
    x = np.ones(3)
    state = opt.init(x)
    args = (1 - 0.9, (1 - 0.999) ** 0.5, opt, False, False)
    assert _kernels.adam((x, x, state.exp_avg, state.exp_avg_sq, None), 0.1, *args) is not None
    # a column of rates (a batch), mixed dtypes, mixed shapes: the numpy formula instead
    assert _kernels.adam((x, x, state.exp_avg, state.exp_avg_sq, None),
                         np.full((3,), 0.1), *args) is None
    assert _kernels.adam((x, x.astype(np.float32), state.exp_avg, state.exp_avg_sq, None),
                         0.1, *args) is None
    assert _kernels.adam((x, x, state.exp_avg, np.zeros(4), None), 0.1, *args) is None
    # in place on a 2-D array that is not C-contiguous: the numpy formula (writes must land)
    m = np.asfortranarray(np.ones((3, 2)))
    assert _kernels.adam((m, m.copy(), m.copy(), m.copy(), None), 0.1, 1 - 0.9,
                         (1 - 0.999) ** 0.5, opt, False, True) is None


def test_a_pure_step_leaves_its_inputs_alone():
    opt = Adam(lr=0.1, amsgrad=True)
    x, g = np.linspace(0.0, 1.0, 5), np.linspace(-1.0, 1.0, 5)
    state = opt.step(x, g, opt.init(x))[1]
    before = [a.copy() for a in (x, g, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq)]
    new_x, new_state = opt.step(x, g, state)
    after = (x, g, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert not np.array_equal(new_x, x) and new_state.t == 2


def test_without_numba_the_formula_gives_the_same_step(monkeypatch):
    opt = Adam(lr=0.1)
    x, g = np.linspace(0.0, 1.0, 4), np.linspace(-1.0, 1.0, 4)
    expected = opt.step(x, g, opt.init(x))[0]
    monkeypatch.setattr(_kernels, "_loops", False)  # as when numba cannot be imported
    assert not _kernels.available()
    assert np.array_equal(opt.step(x, g, opt.init(x))[0], expected)


def test_the_environment_variable_switches_the_kernels_off():
    code = "import lrlib.optimizers._kernels as k; print(k.ENABLED, k.available())"
    env = dict(os.environ, LRLIB_KERNELS="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["False", "False"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_amsgrad_keeps_a_nan_maximum_as_numpy_does(dtype, monkeypatch):
    # Not reachable by steps from init (a NaN maximum comes with a NaN second moment), but a
    # state can be built by hand: numpy's maximum keeps the NaN, and so must the loop.
    opt = Adam(lr=0.1, amsgrad=True)
    x = np.ones(4, dtype)
    state = opt.init(x)._replace(max_exp_avg_sq=np.array([np.nan, 1.0, 0.0, np.nan], dtype))
    results = []
    for kernels in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", kernels)
        results.append(opt.step(x, np.ones(4, dtype), state)[1].max_exp_avg_sq)
    assert np.isnan(results[0][[0, 3]]).all()
    assert results[1].tobytes() == results[0].tobytes()
