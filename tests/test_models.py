"""Tests of lrlib.models: hand-written gradients against central finite differences, the loss
against a naive transcription, stability, vectorisation, the surface protocol (run, sweep, range
test), the lean training loop against run, argument checks, and an end-to-end training run."""

import re
import warnings

import numpy as np
import pytest

import lrlib
from lrlib.models import MLP, SoftmaxRegression, TrainingRecord, minibatches, train

SEED = 20240611


def small_data(n=30, p=5, classes=4, seed=SEED):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p))
    y = np.arange(n) % classes
    return x, y


def models(x, y):
    return {
        "softmax": SoftmaxRegression(x, y),
        "softmax-l2": SoftmaxRegression(x, y, l2=0.05),
        "mlp": MLP(x, y, hidden=6, seed=1),
        "mlp-l2": MLP(x, y, hidden=6, l2=0.05, seed=2),
    }


SMALL = models(*small_data())


@pytest.fixture(scope="module")
def digits():
    return lrlib.load_digits()


def central_differences(f, theta, h=1e-5, coordinates=None):
    """Central differences of a scalar function, one coordinate at a time (plain loop)."""
    coordinates = range(theta.size) if coordinates is None else coordinates
    grad = np.zeros(len(coordinates))
    for k, i in enumerate(coordinates):
        step = np.zeros_like(theta)
        step[i] = h
        grad[k] = (f(theta + step) - f(theta - step)) / (2 * h)
    return grad


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)


# ---------------------------------------------------------------------------- gradients

@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize("batch", [None, "minibatch"])
def test_gradient_matches_central_differences_at_random_points(name, batch):
    model = SMALL[name]
    rng = np.random.default_rng(SEED)
    for trial in range(3):
        theta = rng.standard_normal(model.dim) * 0.8
        idx = None if batch is None else rng.choice(model.n_samples, 7, replace=False)
        numeric = central_differences(lambda t: float(model.f(t, idx)), theta)
        assert relative_error(model.grad(theta, idx), numeric) < 1e-6


@pytest.mark.parametrize("kind", ["softmax", "mlp"])
def test_gradient_matches_central_differences_on_the_digits(digits, kind):
    model = (SoftmaxRegression(digits.x_train, digits.y_train, l2=1e-3) if kind == "softmax"
             else MLP(digits.x_train, digits.y_train, hidden=8, l2=1e-3, seed=3))
    rng = np.random.default_rng(SEED)
    theta = 0.3 * rng.standard_normal(model.dim)
    idx = rng.choice(model.n_samples, 32, replace=False)
    coordinates = rng.choice(model.dim, 60, replace=False)
    for batch in (None, idx):
        numeric = central_differences(lambda t: float(model.f(t, batch)), theta,
                                      coordinates=coordinates)
        assert relative_error(model.grad(theta, batch)[coordinates], numeric) < 1e-6


def naive_softmax_loss(x, y, weights, bias, l2):
    """Mean cross-entropy by the textbook formula, with plain loops."""
    total = 0.0
    for xi, yi in zip(x, y):
        z = [sum(xi[j] * weights[j][c] for j in range(len(xi))) + bias[c] for c in range(len(bias))]
        total += -np.log(np.exp(z[yi]) / sum(np.exp(zc) for zc in z))
    return total / len(y) + 0.5 * l2 * sum(w**2 for row in weights for w in row)


def test_softmax_loss_matches_a_naive_transcription():
    x, y = small_data()
    model = SMALL["softmax-l2"]
    theta = np.random.default_rng(1).standard_normal(model.dim)
    weights, bias = model.unpack(theta)
    assert np.isclose(model.f(theta), naive_softmax_loss(x, y, weights, bias, 0.05), rtol=1e-12)


def test_softmax_gradient_is_the_textbook_outer_product():
    x, y = small_data()
    model = SMALL["softmax"]
    theta = np.random.default_rng(2).standard_normal(model.dim)
    weights, bias = model.unpack(theta)
    z = x @ weights + bias
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    residual = p - np.eye(4)[y]
    expected = np.concatenate([(x.T @ residual).ravel(), residual.sum(axis=0)]) / len(y)
    np.testing.assert_allclose(model.grad(theta), expected, rtol=1e-12, atol=1e-15)


def test_mlp_loss_matches_a_direct_forward_pass():
    x, y = small_data()
    model = SMALL["mlp-l2"]
    theta = model.init_params()
    first, bias1, second, bias2 = model.unpack(theta)
    z = np.tanh(x @ first + bias1) @ second + bias2
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(len(y)), y].mean() + 0.025 * ((first**2).sum() + (second**2).sum())
    assert np.isclose(model.f(theta), expected, rtol=1e-12)


# ---------------------------------------------------------------------------- stability, batches

@pytest.mark.parametrize("name", SMALL)
def test_huge_logits_give_finite_loss_and_gradient_without_warnings(name):
    model = SMALL[name]
    theta = 1e6 * np.random.default_rng(3).standard_normal(model.dim)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = model.value_and_grad(theta)
    assert np.isfinite(value) and value > 1e3 and np.all(np.isfinite(grad))


def test_log_softmax_is_exact_where_the_naive_formula_overflows():
    model = SoftmaxRegression([[1.0]], [0], n_classes=2)
    theta = np.array([800.0, 0.0, 0.0, 0.0])         # logits (800, 0): exp(800) overflows
    assert model.f(theta) == 0.0                      # log(1 + e^-800) rounds to 0
    assert model.f(-theta) == 800.0                   # logits (-800, 0): -log softmax = 800


@pytest.mark.parametrize("name", SMALL)
def test_a_batch_of_parameter_vectors_equals_one_at_a_time(name):
    model = SMALL[name]
    thetas = np.random.default_rng(4).standard_normal((2, 3, model.dim))
    idx = np.array([0, 5, 7, 11])
    for batch in (None, idx):
        values, grads = model.value_and_grad(thetas, batch)
        assert values.shape == (2, 3) and grads.shape == (2, 3, model.dim)
        for i in np.ndindex(2, 3):
            value, grad = model.value_and_grad(thetas[i], batch)
            assert np.isclose(values[i], value, rtol=1e-13, atol=0)
            np.testing.assert_allclose(grads[i], grad, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(model.f(thetas, batch), values, rtol=1e-15)
        np.testing.assert_allclose(model.grad(thetas, batch), grads, rtol=1e-15)


def test_single_parameter_vector_gives_a_scalar_loss():
    model = SMALL["softmax"]
    x, y = small_data()
    value = model.f(model.init_params())
    assert np.ndim(value) == 0 and np.isclose(value, np.log(4), rtol=1e-15)
    # At zero every class has probability 1/4: the bias gradient is 1/4 minus the class shares.
    shares = np.bincount(y) / len(y)
    np.testing.assert_allclose(model.grad(model.init_params())[-4:], 0.25 - shares, atol=1e-15)


def test_predict_and_accuracy_vectorise_over_parameters():
    x, y = small_data()
    model = SMALL["mlp"]
    thetas = np.stack([model.init_params(), 2 * model.init_params()])
    predictions = model.predict(thetas, x)
    assert predictions.shape == (2, len(x)) and predictions.dtype == np.int64
    np.testing.assert_array_equal(predictions[1], model.predict(thetas[1], x))
    accuracy = model.accuracy(thetas, x, y)
    assert accuracy.shape == (2,)
    assert accuracy[0] == np.mean(model.predict(thetas[0], x) == y)
    assert model.logits(thetas, x[:3]).shape == (2, 3, 4)


def test_unpack_splits_the_flat_vector_in_the_documented_order():
    x, y = small_data()
    model = MLP(x, y, hidden=6)
    theta = np.arange(model.dim, dtype=float)
    first, bias1, second, bias2 = model.unpack(theta)
    assert first.shape == (5, 6) and bias1.shape == (6,) and second.shape == (6, 4)
    assert first[0, 1] == 1 and bias1[0] == 30 and second[0, 0] == 36 and bias2[-1] == model.dim - 1
    weights, bias = SMALL["softmax"].unpack(np.arange(24.0))
    assert weights.shape == (5, 4) and weights[1, 0] == 4 and list(bias) == [20, 21, 22, 23]


def test_mlp_initialisation_is_seeded_and_scaled():
    x, y = small_data(n=200, p=400)
    one, same, other = MLP(x, y, hidden=300, seed=5), MLP(x, y, hidden=300, seed=5), MLP(x, y, hidden=300, seed=6)
    np.testing.assert_array_equal(one.init_params(), same.init_params())
    assert not np.array_equal(one.init_params(), other.init_params())
    first, bias1, second, bias2 = one.unpack(one.init_params())
    assert abs(first.std() * np.sqrt(400) - 1) < 0.01 and abs(second.std() * np.sqrt(300) - 1) < 0.05
    assert not bias1.any() and not bias2.any()


# ---------------------------------------------------------------------------- argument checks

@pytest.mark.parametrize("make, error, message", [
    (lambda: SoftmaxRegression([[1.0, np.nan]], [0]), ValueError, "x must be a 2-D array of finite numbers"),
    (lambda: SoftmaxRegression([1.0, 2.0], [0, 1]), ValueError, "x must be a 2-D array"),
    (lambda: SoftmaxRegression("x", [0]), TypeError, "x must be a 2-D array"),
    (lambda: SoftmaxRegression([[1.0], [2.0]], [0.0, 1.0]), ValueError, "y must be a 1-D array of 2 integer labels"),
    (lambda: SoftmaxRegression([[1.0], [2.0]], [0]), ValueError, "y must be a 1-D array of 2 integer labels"),
    (lambda: SoftmaxRegression([[1.0], [2.0]], [0, -1]), ValueError, "y must be a 1-D array"),
    (lambda: SoftmaxRegression([[1.0], [2.0]], [0, 1], l2=-1.0), ValueError, "l2 must be a finite number >= 0; got l2=-1.0"),
    (lambda: SoftmaxRegression([[1.0], [2.0]], [0, 3], n_classes=3), ValueError, "n_classes must be an integer >= 4"),
    (lambda: MLP([[1.0], [2.0]], [0, 1], hidden=0), ValueError, "hidden must be an integer >= 1; got hidden=0"),
    (lambda: MLP([[1.0], [2.0]], [0, 1], seed=-1), ValueError, "seed must be an integer >= 0"),
    (lambda: MLP([[1.0], [2.0]], [0, 1], hidden=2.0), TypeError, "hidden must be an integer"),
])
def test_bad_construction_raises_with_the_package_message(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


@pytest.mark.parametrize("idx", [[], [30], [-1], [0.5], [[0, 1]]])
def test_bad_minibatch_indices_raise(idx):
    model = SMALL["softmax"]
    with pytest.raises(ValueError, match=re.escape("idx must be a non-empty 1-D array of integers in [0, 30)")):
        model.grad(model.init_params(), idx)


def test_bad_params_and_inputs_raise():
    model = SMALL["softmax"]
    with pytest.raises(ValueError, match="x must be an array of shape"):
        model.f(np.zeros(7))
    with pytest.raises(ValueError, match="x must be a 2-D array with 5 columns"):
        model.predict(model.init_params(), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="y must be a 1-D array of 3 labels"):
        model.accuracy(model.init_params(), np.zeros((3, 5)), [0, 1])


def test_repr_names_the_sizes_not_the_data():
    x, y = small_data()
    assert repr(MLP(x, y, hidden=6)) == "MLP(n_samples=30, n_features=5, n_classes=4, hidden=6, seed=0, l2=0)"
    assert repr(SMALL["softmax-l2"]) == "SoftmaxRegression(n_samples=30, n_features=5, n_classes=4, l2=0.05)"


def test_data_are_copied_and_read_only():
    x, y = small_data()
    model = SoftmaxRegression(x, y)
    x[0, 0] = 99.0
    assert model.x[0, 0] != 99.0
    with pytest.raises(ValueError):
        model.x[0, 0] = 1.0


# ---------------------------------------------------------------------------- the surface protocol

def test_run_and_sweep_work_unchanged_and_a_sweep_equals_separate_runs():
    model = SMALL["mlp"]
    rates = [0.05, 0.5, 2.0]
    batch = lrlib.sweep(lambda lr: lrlib.Momentum(lr, 0.9), rates, model, model.init_params(), 40,
                        batch_size=8, seed=3)
    assert batch.loss.shape == (41, 3)
    for k, rate in enumerate(rates):
        single = lrlib.run(lrlib.Momentum(rate, 0.9), model, model.init_params(), 40,
                           batch_size=8, seed=3)
        np.testing.assert_allclose(batch.loss[:, k], single.loss, rtol=1e-10)


def test_range_test_runs_on_a_model(digits):
    model = SoftmaxRegression(digits.x_train, digits.y_train, l2=1e-4)
    test = lrlib.lr_range_test(lrlib.SGD, model, model.init_params(), 1e-3, 100.0, 200,
                               batch_size=32, seed=0)
    assert 0.1 < test.lr_steepest < 5 and test.lr_blowup is not None


def test_minibatches_are_the_minibatches_of_run():
    model = SMALL["softmax"]
    seen = []

    class Recorder:
        lr = 0.0

        def init(self, params):
            return 0

        def step(self, params, grads, state):
            seen.append(grads)
            return params, state + 1

    theta = np.random.default_rng(5).standard_normal(model.dim)
    lrlib.run(Recorder(), model, theta, 9, batch_size=7, seed=11)
    expected = [model.grad(theta, idx) for idx in minibatches(30, 7, 9, seed=11)]
    np.testing.assert_array_equal(np.array(seen), np.array(expected))


def test_every_epoch_is_a_permutation_with_a_short_last_minibatch():
    batches = list(minibatches(10, 4, 6, seed=0))
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    assert sorted(np.concatenate(batches[:3])) == list(range(10))
    assert sorted(np.concatenate(batches[3:])) == list(range(10))


@pytest.mark.parametrize("make", [lambda lr: lrlib.Momentum(lr, 0.9), lrlib.Adam])
def test_train_reproduces_the_losses_of_run_at_its_records(make):
    model = SMALL["mlp-l2"]
    rates = np.array([[0.01], [0.3]])
    trajectory = lrlib.run(make(rates), model, model.init_params(), 25, batch_size=4, seed=2)
    record = train(make(rates), model, model.init_params(), 25, batch_size=4, seed=2, every=6)
    assert isinstance(record, TrainingRecord)
    assert list(record.steps) == [0, 6, 12, 18, 24, 25]
    np.testing.assert_allclose(record.loss, trajectory.loss[record.steps], rtol=1e-13)
    np.testing.assert_allclose(record.final_params, trajectory.params[-1], rtol=1e-13)


def test_train_counts_examples_and_records_once_per_epoch_by_default():
    model = SMALL["softmax"]
    record = train(lrlib.SGD(0.1), model, model.init_params(), 12, batch_size=7)
    assert list(record.steps) == [0, 5, 10, 12]           # ceil(30 / 7) = 5 updates per epoch
    assert list(record.examples) == [0, 30, 60, 74]
    assert record.loss.shape == (4,) and record.params.shape == (4, model.dim)
    assert record.diverged_at == -1 and not record.diverged


def test_train_ends_a_diverging_member_cleanly():
    model = SMALL["mlp"]
    rates = np.array([[0.1], [1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = train(lrlib.SGD(rates), model, model.init_params(), 10, batch_size=5, every=3)
    assert record.diverged_at[0] == -1 and 0 < record.diverged_at[1] <= 3
    assert np.isfinite(record.final_loss[0]) and record.final_loss[1] == np.inf
    assert np.all(np.isnan(record.params[-1, 1]))


def test_train_bounds_the_loss_with_max_loss():
    model = SMALL["softmax"]
    record = train(lrlib.SGD(np.array([[0.1], [500.0]])), model, model.init_params(), 20,
                   batch_size=5, max_loss=10.0)
    assert list(record.diverged) == [False, True]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"steps": -1}, ValueError, "steps must be an integer >= 0"),
    ({"batch_size": 0}, ValueError, "batch_size must be an integer in [1, 30]"),
    ({"batch_size": 31}, ValueError, "batch_size must be an integer in [1, 30]"),
    ({"every": 0}, ValueError, "every must be an integer >= 1"),
    ({"max_loss": 0.0}, ValueError, "max_loss must be a number > 0"),
    ({"max_loss": "big"}, TypeError, "max_loss must be a real number"),
    ({"params": np.zeros(3)}, ValueError, "params must be finite real numbers of shape (..., 24)"),
    ({"optimizer": object()}, TypeError, "optimizer must be an object with init(params)"),
    ({"model": lrlib.Quadratic([1.0, 2.0])}, TypeError, "model must be a finite-sum surface"),
])
def test_train_rejects_bad_arguments(kwargs, error, message):
    model = SMALL["softmax"]
    arguments = dict(optimizer=lrlib.SGD(0.1), model=model, params=model.init_params(), steps=5,
                     batch_size=5)
    arguments.update(kwargs)
    with pytest.raises(error, match=re.escape(message)):
        train(arguments.pop("optimizer"), arguments.pop("model"), arguments.pop("params"),
              arguments.pop("steps"), **arguments)


# ---------------------------------------------------------------------------- end to end

def test_softmax_regression_with_momentum_reaches_95_percent_test_accuracy(digits):
    # Measured: 0.9578 (431 of 450 test images) after 10 epochs; the threshold leaves a margin.
    model = SoftmaxRegression(digits.x_train, digits.y_train, l2=1e-4)
    steps = 10 * -(-model.n_samples // 32)
    record = train(lrlib.Momentum(0.1, 0.9), model, model.init_params(), steps, batch_size=32, seed=0)
    assert steps == 430 and record.examples[-1] == 10 * 1347
    assert model.accuracy(record.final_params, digits.x_test, digits.y_test) >= 0.95
    assert model.accuracy(record.final_params, digits.x_train, digits.y_train) >= 0.99
    assert record.final_loss < 0.04 and np.isclose(record.loss[0], np.log(10), rtol=1e-15)


def test_mlp_with_momentum_reaches_95_percent_test_accuracy(digits):
    # Measured: 0.9644 (434 of 450) after 10 epochs.
    model = MLP(digits.x_train, digits.y_train, hidden=32, l2=1e-4, seed=0)
    record = train(lrlib.Momentum(0.1, 0.9), model, model.init_params(), 430, batch_size=32, seed=0)
    assert model.accuracy(record.final_params, digits.x_test, digits.y_test) >= 0.955
