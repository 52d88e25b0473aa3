"""The fast paths give the numbers of the readable formulas, bit for bit.

Each update rule's arithmetic is written once (``_adam_update`` and its siblings) and evaluated
by ``lrlib.optimizers._common.elementwise`` in one of three ways: per coordinate on Python
floats (a few float64 parameters), block by block (many), or once on the whole arrays. Below,
each rule's update is also written out plainly, out of place, on whole numpy arrays, as the
docstrings and the book state it (and as lrlib computed it before the fast paths); every path
must reproduce it exactly, for inputs that reach every branch: zero denominators, overflow,
NaN. The same holds for ``lrlib.run``'s shortcuts and the surfaces' fast paths.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lrlib
from lrlib._validation import lr_at
from lrlib.optimizers import _common
from lrlib.optimizers._common import ArrayMath, FloatMath, elementwise
from lrlib.surfaces import Quadratic, Rosenbrock, StuckValley

QUIET = dict(over="ignore", invalid="ignore", under="ignore", divide="ignore")


# ------------------------------------------------------------------ the readable formulas

def lerp(start, end, weight):
    diff = end - start
    return start + weight * diff if abs(weight) < 0.5 else end - diff * (1.0 - weight)


def safe_divide(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (lrlib's convention)."""
    shape = np.broadcast_shapes(np.shape(numerator), np.shape(denominator))
    out = np.zeros(shape, dtype=np.result_type(numerator, denominator))
    return np.divide(numerator, denominator, out=out, where=np.asarray(denominator) != 0)


def decayed(opt, params, grads):
    return grads + opt.weight_decay * params if opt.weight_decay != 0 else grads


def readable_step(opt, params, grads, state):
    """One update of ``opt`` as the formulas read, on whole arrays: (params, state fields)."""
    lr = _common.rate(opt.lr, state.t, params.dtype)
    t = state.t + 1
    with np.errstate(**QUIET):
        if isinstance(opt, lrlib.SGD):
            return params + (-lr) * decayed(opt, params, grads), (t,)
        if isinstance(opt, lrlib.Momentum):
            grads = decayed(opt, params, grads)
            buffer = grads.copy() if state.t == 0 else state.momentum_buffer * opt.beta + grads
            direction = grads + opt.beta * buffer if opt.nesterov else buffer
            return params + (-lr) * direction, (t, buffer)
        if isinstance(opt, (lrlib.Adam, lrlib.AdamW)):
            if isinstance(opt, lrlib.AdamW):
                params = params * (1 - lr * opt.weight_decay) if opt.weight_decay != 0 else params
            else:
                grads = decayed(opt, params, grads)
            m = lerp(state.exp_avg, grads, 1 - opt.beta1)
            v = state.exp_avg_sq * opt.beta2 + ((1 - opt.beta2) * grads) * grads
            step_size = lr / (1 - opt.beta1**t)
            bias_correction2_sqrt = (1 - opt.beta2**t) ** 0.5
            v_max = np.maximum(state.max_exp_avg_sq, v) if opt.amsgrad else None
            denom = np.sqrt(v_max if opt.amsgrad else v) / bias_correction2_sqrt + opt.eps
            return params + safe_divide((-step_size) * m, denom), (t, m, v, v_max)
        if isinstance(opt, lrlib.AdaGrad):
            grads = decayed(opt, params, grads)
            total = state.sum_of_squares + grads * grads
            return params + safe_divide((-lr) * grads, np.sqrt(total) + opt.eps), (t, total)
        if isinstance(opt, lrlib.RMSProp):
            grads = decayed(opt, params, grads)
            v = state.square_avg * opt.alpha + ((1 - opt.alpha) * grads) * grads
            mean = None
            if opt.centered:
                mean = lerp(state.grad_avg, grads, 1 - opt.alpha)
                avg = np.sqrt(np.maximum(v - mean * mean, 0.0)) + opt.eps
            else:
                avg = np.sqrt(v) + opt.eps
            if opt.momentum > 0:
                buffer = state.momentum_buffer * opt.momentum + safe_divide(grads, avg)
                return params + (-lr) * buffer, (t, v, mean, buffer)
            return params + safe_divide((-lr) * grads, avg), (t, v, mean, None)
        if isinstance(opt, lrlib.Adadelta):
            grads = decayed(opt, params, grads)
            v = state.square_avg * opt.rho + ((1 - opt.rho) * grads) * grads
            delta = np.sqrt(state.acc_delta + opt.eps) / np.sqrt(v + opt.eps) * grads
            u = state.acc_delta * opt.rho + ((1 - opt.rho) * delta) * delta
            return params + (-lr) * delta, (t, v, u)
        if isinstance(opt, lrlib.Adamax):
            grads = decayed(opt, params, grads)
            m = lerp(state.exp_avg, grads, 1 - opt.beta1)
            u = np.maximum(state.exp_inf * opt.beta2, np.abs(grads) + opt.eps)
            clr = lr / (1 - opt.beta1**t)
            return params + safe_divide((-clr) * m, u), (t, m, u)
        if isinstance(opt, lrlib.NAdam):
            bias_correction2 = 1 - opt.beta2**t
            mu = opt.beta1 * (1.0 - 0.5 * (0.96 ** (t * opt.momentum_decay)))
            mu_next = opt.beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * opt.momentum_decay)))
            mu_product = state.mu_product * mu
            grads = decayed(opt, params, grads)
            m = lerp(state.exp_avg, grads, 1 - opt.beta1)
            v = state.exp_avg_sq * opt.beta2 + ((1 - opt.beta2) * grads) * grads
            denom = np.sqrt(v / bias_correction2) + opt.eps
            params = params + safe_divide((-lr * (1.0 - mu) / (1.0 - mu_product)) * grads, denom)
            params = params + safe_divide(((-lr * mu_next) / (1.0 - mu_product * mu_next)) * m,
                                          denom)
            return params, (t, m, v, mu_product)
        if isinstance(opt, lrlib.RAdam):
            grads = decayed(opt, params, grads)
            m = lerp(state.exp_avg, grads, 1 - opt.beta1)
            v = state.exp_avg_sq * opt.beta2 + ((1 - opt.beta2) * grads) * grads
            bias_correction2 = 1 - opt.beta2**t
            corrected = m / (1 - opt.beta1**t)
            rho_inf = 2 / (1 - opt.beta2) - 1
            rho_t = rho_inf - 2 * t * (opt.beta2**t) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                adaptive = safe_divide(bias_correction2**0.5, np.sqrt(v) + opt.eps)
                return params - corrected * lr * adaptive * rect, (t, m, v)
            return params - corrected * lr, (t, m, v)
        if isinstance(opt, lrlib.LectureAdaGrad):
            total = state.sum_of_squares + grads * grads
            sigma = np.sqrt(total / (state.t + 1))
            return params - lr * safe_divide(grads, sigma + opt.eps), (t, total)
        if isinstance(opt, lrlib.LectureRMSProp):
            if state.t == 0:
                sigma_sq = grads * grads
            else:
                sigma_sq = state.sigma_sq * opt.alpha + ((1 - opt.alpha) * grads) * grads
            return params - lr * safe_divide(grads, np.sqrt(sigma_sq) + opt.eps), (t, sigma_sq)
    raise AssertionError(f"no readable formula for {opt!r}")


RULES = [
    lrlib.SGD(lr=0.1), lrlib.SGD(lr=lrlib.StepDecay(0.1, 0.5, 3), weight_decay=0.01),
    lrlib.Momentum(lr=0.1), lrlib.Momentum(lr=0.1, beta=0.5, nesterov=True, weight_decay=0.01),
    lrlib.Adam(lr=0.05), lrlib.Adam(lr=0.05, amsgrad=True, weight_decay=0.1, eps=0.0),
    lrlib.AdamW(lr=0.05, amsgrad=True), lrlib.AdamW(lr=lrlib.CosineDecay(0.05, 5)),
    lrlib.AdaGrad(lr=0.1, weight_decay=0.01, initial_accumulator=0.1), lrlib.AdaGrad(lr=0.1, eps=0.0),
    lrlib.RMSProp(lr=0.01), lrlib.RMSProp(lr=0.01, centered=True, momentum=0.5, weight_decay=0.01),
    lrlib.RMSProp(lr=0.01, momentum=0.9, eps=0.0),
    lrlib.Adadelta(weight_decay=0.01), lrlib.Adamax(lr=0.1), lrlib.Adamax(lr=0.1, eps=0.0),
    lrlib.NAdam(lr=0.1, weight_decay=0.01), lrlib.NAdam(lr=0.1, eps=0.0),
    lrlib.RAdam(lr=0.1, weight_decay=0.01), lrlib.RAdam(lr=0.1, eps=0.0),
    lrlib.LectureAdaGrad(lr=0.1), lrlib.LectureRMSProp(lr=lambda n: np.float64(0.1) / (n + 1)),
]
BIG = 2 * _common.BLOCK_SIZE + 7  # blocks, the last one partial
# (shape, dtype): per coordinate (few float64), whole arrays (float32, medium), blocks (big).
LAYOUTS = [((3,), np.float64), ((2, 3), np.float64), ((3,), np.float32), ((50,), np.float64),
           ((BIG,), np.float64), ((BIG,), np.float32)]


def gradients(shape, dtype, steps=8, seed=0):
    """Gradients that reach every branch: exact zeros in the first coordinates for all steps
    (0/0 with eps = 0), a huge one (overflow: inf, then NaN), a NaN."""
    rng = np.random.default_rng(seed)
    for k in range(steps):
        g = rng.standard_normal(shape)
        g.reshape(-1)[:2] = 0.0
        if k == 3:
            g.reshape(-1)[2] = 1e300
        if k == 5:
            g.reshape(-1)[-1] = np.nan
        with np.errstate(over="ignore"):
            yield g.astype(dtype)


def assert_same(actual, expected):
    """Equal entries (NaN where NaN), same dtype and shape; None where None."""
    if expected is None or actual is None:
        assert actual is None and expected is None
        return
    if isinstance(expected, int):  # the step count
        assert actual == expected and isinstance(actual, int)
        return
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("opt", RULES, ids=repr)
@pytest.mark.parametrize("shape, dtype", LAYOUTS, ids=str)
def test_every_path_reproduces_the_readable_formula_bit_for_bit(opt, shape, dtype):
    x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    state = opt.init(x)
    for g in gradients(shape, dtype):
        expected_params, expected_state = readable_step(opt, x, g, state)
        x_before, g_before = x.copy(), g.copy()
        new_x, state = opt.step(x, g, state)
        np.testing.assert_array_equal(x, x_before)  # inputs untouched
        np.testing.assert_array_equal(g, g_before)
        assert_same(new_x, expected_params)
        for field, value in zip(state, expected_state):
            assert_same(field, value)
        x = new_x


@pytest.mark.parametrize("opt", [lrlib.Adam, lrlib.RMSProp, lrlib.Adadelta, lrlib.NAdam],
                         ids=lambda rule: rule.__name__)
def test_a_column_of_rates_against_a_batch_is_the_readable_formula(opt):
    # The sweep's case: lr of shape (K, 1) broadcasts against params of shape (K, d).
    rates = np.array([[1e-3], [0.1], [3.0], [0.0]])
    rule = opt(lr=rates)
    x = np.tile([1.0, -2.0, 0.5], (4, 1))
    state = rule.init(x)
    for g in gradients((4, 3), np.float64, seed=3):
        expected_params, expected_state = readable_step(rule, x, g, state)
        x, state = rule.step(x, g, state)
        assert_same(x, expected_params)
        for field, value in zip(state, expected_state):
            assert_same(field, value)


def _forced(path, monkeypatch):
    """Force one of elementwise's three ways for arrays of the test's sizes."""
    if path == "per coordinate":
        monkeypatch.setattr(_common, "SCALAR_SIZE", 10**9)
    elif path == "blocks":
        monkeypatch.setattr(_common, "SCALAR_SIZE", 0)
        monkeypatch.setattr(_common, "BLOCK_SIZE", 5)
    else:
        monkeypatch.setattr(_common, "SCALAR_SIZE", 0)
        monkeypatch.setattr(_common, "BLOCK_SIZE", 10**9)


@pytest.mark.parametrize("path", ["per coordinate", "blocks", "whole arrays"])
@pytest.mark.parametrize("opt", RULES, ids=repr)
def test_the_three_paths_agree_on_the_same_inputs(opt, path, monkeypatch):
    x = np.random.default_rng(2).standard_normal(23)
    reference = []
    state = opt.init(x)
    for g in gradients((23,), np.float64, seed=4):
        x_ref, state_ref = readable_step(opt, x, g, state)
        reference.append((x_ref, state_ref))
        x, state = opt.step(x, g, state)
    _forced(path, monkeypatch)
    x = np.random.default_rng(2).standard_normal(23)
    state = opt.init(x)
    for g, (x_ref, state_ref) in zip(gradients((23,), np.float64, seed=4), reference):
        x, state = opt.step(x, g, state)
        assert_same(x, x_ref)
        for field, value in zip(state, state_ref):
            assert_same(field, value)


def test_elementwise_never_returns_an_input():
    def passthrough(ops, a, b):
        return a, b * 1.0

    arrays = (np.arange(3.0), np.arange(3.0))
    for size in (3, 50):
        arrays = (np.arange(float(size)), np.arange(float(size)))
        first, _ = elementwise(passthrough, arrays)
        assert first is not arrays[0] and not np.shares_memory(first, arrays[0])
        np.testing.assert_array_equal(first, arrays[0])


def test_a_float_error_falls_back_to_numpy_semantics():
    # Python floats raise on 1/0 where numpy gives inf: the per-coordinate path hands over.
    def reciprocal(ops, x):
        return (1.0 / x,)

    (result,) = elementwise(reciprocal, (np.array([0.0, 2.0]),))
    np.testing.assert_array_equal(result, [np.inf, 0.5])


@pytest.mark.parametrize("a, b", [(-1.0, 0.0), (np.nan, 1.0), (1.0, np.nan), (0.0, -0.0),
                                  (np.inf, 3.0), (-np.inf, 0.0), (2.0, 0.0), (0.0, 0.0),
                                  (5e-324, 1e308)])
def test_float_math_has_numpy_semantics(a, b):
    with np.errstate(**QUIET):
        assert_same(np.float64(FloatMath.sqrt(a)), np.sqrt(np.float64(a)))
        assert_same(np.float64(FloatMath.maximum(a, b)), np.maximum(np.float64(a), np.float64(b)))
        assert_same(np.float64(FloatMath.divide(a, b)),
                    ArrayMath.divide(np.array(a), np.array(b))[()])


# ------------------------------------------------------------------------------ lrlib.run

def _went_bad_readable(value, x, max_loss):
    bad = ~np.isfinite(value) | ~np.isfinite(x).all(axis=-1)
    return bool(bad | (value > max_loss)) if max_loss < np.inf else bool(bad)


@pytest.mark.parametrize("value", [0.0, 1e99, 2e100, np.inf, -np.inf, np.nan, -3.0])
@pytest.mark.parametrize("x", [[1.0, 2.0], [np.nan, 0.0], [0.0, np.inf], [1e308, 1e308],
                               list(np.ones(20)), [1.0] * 19 + [np.nan]])
@pytest.mark.parametrize("max_loss", [1e100, np.inf])
def test_the_single_run_divergence_test_is_the_array_test(value, x, max_loss):
    from lrlib.trajectory import _went_bad

    x = np.array(x)
    with np.errstate(invalid="ignore"):
        assert _went_bad(np.float64(value), x, max_loss) == _went_bad_readable(np.float64(value), x,
                                                                               max_loss)


@pytest.mark.parametrize("surface", [Quadratic(eigenvalues=np.linspace(0.1, 3.0, 40)),
                                     Quadratic(eigenvalues=[1.0, 10.0], angle=0.4),
                                     Rosenbrock(), StuckValley()], ids=lambda s: type(s).__name__)
def test_a_single_run_records_what_the_step_by_step_record_gives(surface):
    # Gradient norms are taken after the loop, rates of a fixed lr recorded once: the same
    # numbers as computing them at every step.
    start = np.linspace(-1.2, 1.1, surface.dim) if surface.dim != 2 or not isinstance(
        surface, StuckValley) else np.array(surface.start)
    for opt in (lrlib.SGD(0.01), lrlib.Adam(np.full(surface.dim, 0.01)),
                lrlib.SGD(lrlib.CosineDecay(0.01, 50))):
        traj = lrlib.run(opt, surface, start, 60, noise=0.1, seed=1)
        with np.errstate(all="ignore"):
            grads = np.array([surface.grad(x) for x in traj.params])
            expected = np.array([np.sqrt((g * g).sum(axis=-1)) for g in grads])
        np.testing.assert_array_equal(traj.grad_norm, expected)
        rates = np.array([np.broadcast_to(np.asarray(lr_at(opt.lr, n), dtype=float),
                                          traj.lr.shape[1:])
                          for n in range(traj.lr.shape[0])])
        np.testing.assert_array_equal(traj.lr, rates)


def test_a_diverging_run_with_a_fixed_rate_records_rates_only_for_its_updates():
    bowl = Quadratic(eigenvalues=[1.0, 10.0])
    single = lrlib.run(lrlib.SGD(0.5), bowl, [1.0, 1.0], 100, max_loss=1e6)
    assert single.diverged and single.lr.shape == (single.diverged_at,)
    assert np.all(single.lr == 0.5)
    at_once = lrlib.run(lrlib.SGD(0.5), bowl, [1e300, 1e300], 10)
    assert at_once.diverged_at == 0 and at_once.lr.shape == (0,)
    batch = lrlib.sweep(lrlib.SGD, [0.5, 0.1], bowl, [1.0, 1.0], 30, max_loss=1e6)
    k = batch.diverged_at[0]
    assert np.all(batch.lr[:k, 0] == 0.5) and np.all(np.isnan(batch.lr[k:, 0]))
    assert np.all(batch.lr[:, 1] == 0.1)


@pytest.mark.parametrize("points", [
    [[1.0, -2.0, 0.5]], [[0.0, -0.0, 3.0], [1e-300, 2.0, -1e300]],
    [[np.inf, 1.0, 2.0]], [[np.nan, 1.0, 2.0], [1.0, 2.0, 3.0]], [[1e200, 1e200, 1.0]]])
@pytest.mark.parametrize("eigenvalues", [[1.0, 10.0, 0.0], [2.0, 2.0, 5.0]])
def test_a_diagonal_bowl_gives_the_explicit_sums_numbers(points, eigenvalues):
    bowl = Quadratic(eigenvalues=eigenvalues, center=[0.5, 0.0, -1.0])
    assert bowl._diagonal is not None
    x = np.array(points)
    with np.errstate(all="ignore"):
        offset = x - bowl.center
        product = (offset[..., None, :] * bowl.matrix).sum(axis=-1)
        value = 0.5 * (offset * product).sum(axis=-1)
        got_value, got_grad = bowl.value_and_grad(x)
        assert_same(got_value, value)
        assert_same(got_grad, product)
        assert_same(bowl.f(x), value)
        if np.isfinite(value).all():
            assert_same(bowl.grad(x), product)


def test_rosenbrock_value_and_grad_is_f_and_grad():
    x = np.random.default_rng(5).standard_normal((7, 4))
    surface = Rosenbrock(dim=4)
    value, grad = surface.value_and_grad(x)
    assert_same(value, surface.f(x))
    assert_same(grad, surface.grad(x))


# ------------------------------------------------------------------------------ widgets

def _explorer():
    from lrlib.widgets import Control, Explorer

    def draw(axes, scale=1.0):
        left, right = axes
        left.plot([0, 1], [0, scale * 1e4])  # tick labels grow with the scale
        left.set_title(f"scale {scale:g}")
        right.semilogy([1, 10, 100])

    return Explorer(draw, (Control("scale", 0.01, 100.0, 0.5, value=1.0, scale="log"),),
                    ncols=2)


def test_the_live_widget_computes_its_layout_once(monkeypatch):
    pytest.importorskip("ipywidgets")
    from matplotlib.figure import Figure

    explorer = _explorer()
    live = explorer.live()
    first = [ax.get_position().bounds for ax in live.figure.axes]
    probe = Figure(figsize=explorer.figsize, dpi=explorer.dpi, layout="constrained")
    explorer.render(probe)
    probe.draw_without_rendering()
    assert first == [ax.get_position().bounds for ax in probe.axes]
    live.update(scale=100.0)
    assert [ax.get_position().bounds for ax in live.figure.axes] == first
    exact = explorer.live(relayout=True)
    exact.update(scale=100.0)
    probe = Figure(figsize=explorer.figsize, dpi=explorer.dpi, layout="constrained")
    explorer.render(probe, scale=100.0)
    probe.draw_without_rendering()
    assert [ax.get_position().bounds for ax in exact.figure.axes] == [
        ax.get_position().bounds for ax in probe.axes]


def test_a_reused_canvas_gives_the_bytes_of_a_fresh_figure():
    from lrlib.widgets import _png

    explorer = _explorer()
    reused = explorer()
    for scale in (0.01, 1.0, 100.0):
        explorer.render(reused, scale=scale)
        assert _png(reused) == _png(explorer(scale=scale))


def test_dataclass_replace_keeps_a_diagonal_bowl_diagonal():
    bowl = dataclasses.replace(Quadratic(eigenvalues=[1.0, 3.0]), center=np.array([1.0, 1.0]))
    assert bowl._diagonal is not None
    assert Quadratic(eigenvalues=[1.0, 3.0], angle=0.3)._diagonal is None


# ------------------------------------------------------------------ inplace=True


@pytest.mark.parametrize("opt", RULES, ids=repr)
@pytest.mark.parametrize("shape, dtype", LAYOUTS, ids=str)
def test_inplace_gives_the_same_numbers_in_the_arrays_passed_in(opt, shape, dtype):
    x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    pure_x, pure_state = x.copy(), opt.init(x)
    state = opt.init(x)
    for g in gradients(shape, dtype):
        pure_x, pure_state = opt.step(pure_x, g, pure_state)
        arrays = [x, *(a for a in state if isinstance(a, np.ndarray))]
        new_x, state = opt.step(x, g, state, inplace=True)
        assert new_x is x  # the same arrays, updated
        assert all(any(a is b for b in state) for a in arrays[1:])
        assert_same(new_x, pure_x)
        for field, value in zip(state, pure_state):
            assert_same(field, value)


@pytest.mark.parametrize("rule", [lrlib.Adam(), lrlib.SGD(0.1), lrlib.Momentum(0.1),
                                  lrlib.RMSProp(centered=True, momentum=0.9)], ids=repr)
def test_an_inplace_step_on_a_million_parameters_allocates_no_array_of_their_size(rule):
    import tracemalloc

    size = 1 << 20  # 8 MB of float64
    x = np.linspace(-1.0, 1.0, size)
    g = np.cos(x)
    state = rule.init(x)
    x, state = rule.step(x, g, state, inplace=True)
    tracemalloc.start()
    try:
        rule.step(x, g, state, inplace=True)
        _, inplace_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        rule.step(x, g, state)
        _, pure_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert inplace_peak < x.nbytes  # the blocks' temporaries only (about 4 MB for Adam)
    assert pure_peak >= x.nbytes  # the new parameters at least


def test_inplace_needs_a_writable_float_array_and_matching_shapes():
    opt = lrlib.Adam(lr=0.1)
    with pytest.raises(TypeError, match=r"params must be a writable float numpy array when "
                                        r"inplace=True; got params=\[1.0, 2.0\] \(list\)"):
        opt.step([1.0, 2.0], [0.1, 0.1], opt.init(np.zeros(2)), inplace=True)
    with pytest.raises(TypeError, match="params must be a writable float numpy array"):
        opt.step(np.array([1, 2]), [0.1, 0.1], opt.init(np.zeros(2)), inplace=True)
    frozen = np.zeros(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="params must be writable when inplace=True"):
        opt.step(frozen, np.ones(3), opt.init(frozen), inplace=True)
    with pytest.raises(TypeError, match="inplace must be True or False; got inplace='yes'"):
        opt.step(np.zeros(3), np.ones(3), opt.init(np.zeros(3)), inplace="yes")
    # A column of rates against one parameter vector broadcasts: no room in place.
    sweep = lrlib.SGD(lr=np.array([[0.1], [0.2]]))
    with pytest.raises(ValueError, match=r"inplace=True needs results of the parameters' "
                                         r"shape \(3,\).*\(2, 3\)"):
        sweep.step(np.zeros(3), np.ones(3), sweep.init(np.zeros(3)), inplace=True)
